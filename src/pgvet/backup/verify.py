"""``pgvet backup verify``: restore a logical backup into a sandbox and prove it complete.

Two servers work side by side: the sandbox the dump is restored into, and the source it is
compared with (a live database read-only, or a second sandbox where the project's
migrations and seed are replayed). The source is read on a thread of its own while the
restore runs, so the comparison costs little more than the restore itself.

Restore role: ``postgres``, the project's non-superuser role, by default. That is the role
Supabase's restore guide connects as (a new project's connection string), so what fails
here fails there; and a dump that comes with a pull request is untrusted input, which then
meets the same walls as a migration. ``--superuser`` restores as ``supabase_admin`` for
self-hosted full dumps that set owners the project role cannot (see docs/backup.md).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import make_conninfo
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from pgvet.backup import archive, plainsql
from pgvet.backup.compare import Difference, diff_snapshots
from pgvet.backup.restore import PlainRestore, RestoreResult
from pgvet.backup.snapshot import Snapshot, take_snapshot, volatile_columns
from pgvet.errors import InputError, PgvetError, TimeLimitExceeded
from pgvet.live.connect import connect_with_settings, redact
from pgvet.replay.limits import Limits
from pgvet.replay.watchdog import Watchdog
from pgvet.sandbox import binaries, cluster, platform

if TYPE_CHECKING:
    from pgvet.replay.project import Project


@dataclass(frozen=True)
class VerifyRequest:
    """What to restore and what to compare it with (``against`` xor ``project``)."""

    dumps: tuple[Path, ...]
    against: str | None = None
    project: Path | None = None
    pg_version: int | None = None
    superuser: bool = False
    #: restore into an empty database (template0) instead of one with Supabase's schemas
    empty_target: bool = False
    seed: bool = True
    limits: Limits = field(default_factory=Limits)
    #: ``--project``: decode migration files with a byte-order mark (None: the project's
    #: ``[replay] decode_bom``)
    decode_bom: bool | None = None


@dataclass
class VerifyReport:
    """The restore's outcome and every difference from the source."""

    source: str
    server: str
    restore: RestoreResult
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.restore.failures


@dataclass(frozen=True)
class Input:
    path: Path
    format: str
    plain: plainsql.PlainDump | None = None


def read_inputs(dumps: tuple[Path, ...]) -> list[Input]:
    """Detect each dump's format; read and check plain ones (truncation is bad input).
    Plain files are put in restore order: roles, schema, data."""
    if not dumps:
        raise InputError("give at least one dump file or folder", hint="pgvet backup verify --help")
    inputs = []
    for path in dumps:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        fmt = archive.detect(path)
        plain = plainsql.read_plain(path) if fmt == "plain" else None
        inputs.append(Input(path, fmt, plain))
    plains = sorted(
        (i for i in inputs if i.plain),
        key=lambda i: plainsql.ORDER[i.plain.kind],  # type: ignore[union-attr]
    )
    return plains + [i for i in inputs if not i.plain]


def _live_settings(limits: Limits) -> dict[str, str]:
    return {
        "default_transaction_read_only": "on",
        "statement_timeout": f"{round(limits.statement * 1000)}ms",
        "lock_timeout": "2s",
        "idle_in_transaction_session_timeout": "10min",
    }


def _load_seed(conn: psycopg.Connection[Any], seed: Path) -> None:
    """Apply one seed file as ``postgres`` in a transaction, as ``supabase db reset`` does."""
    try:
        text = seed.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{seed}: cannot read the seed: {exc}") from exc
    try:
        with conn.transaction():
            conn.execute(text.encode())
    except psycopg.Error as exc:
        raise InputError(
            f"{seed}: the seed failed on the replayed project: {exc.sqlstate} "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
            hint="fix the seed, or compare without it (--no-seed)",
        ) from exc


def _project_snapshot(request: VerifyRequest, major: int | None) -> Snapshot:
    """Replay the project (and its seed) twice and read it: the second replay tells which
    columns hold values that change from run to run (``now()``, random keys), which a
    backup cannot be expected to match."""
    first = _replay_snapshot(request, major)
    second = _replay_snapshot(request, major)
    first.volatile = volatile_columns(first, second)
    return first


def _replay_snapshot(request: VerifyRequest, major: int | None) -> Snapshot:
    from pgvet.replay.project import load_project
    from pgvet.replay.session import replayed_project

    assert request.project is not None
    project = load_project(request.project)
    with replayed_project(
        request.project, project=project, pg_version=major, limits=_project_limits(request, project)
    ) as session:
        if not session.result.ok:
            failed = next(f for f in session.result.files if f.status != "applied")
            raise PgvetError(
                f"{request.project}: the migrations do not replay ({failed.filename} failed), "
                "so there is nothing to compare the backup with",
                hint=f"see `pgvet replay {request.project}`",
            )
        if request.seed:
            for seed in project.seed_paths:
                _load_seed(session.conn, seed)
        with session.watchdog.watch(session.server.admin()) as admin:
            return take_snapshot(admin, f"{project.root} (migrations and seed replayed)")


def _project_limits(request: VerifyRequest, project: Project) -> Limits:
    """The command's time limits, with the project's own ``[replay]`` way of replaying
    (prelude, byte-order marks, superuser), as every command that replays it does."""
    from pgvet.config import load_config

    settings = load_config(project.root).replay
    decode = settings.decode_bom if request.decode_bom is None else request.decode_bom
    return replace(
        request.limits,
        prelude=settings.prelude,
        decode_bom=decode,
        superuser=settings.superuser,
    )


def _live_snapshot(conn: psycopg.Connection[Any], label: str) -> Snapshot:
    with conn:
        return take_snapshot(conn, label)


def _major_of(version: int) -> int:
    return version // 10000


def _progress(console: Console | None, total: int) -> Progress | None:
    if console is None or not console.is_terminal or total <= 0:
        return None
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextlib.contextmanager
def _source(request: VerifyRequest) -> Iterator[tuple[str, int | None, Callable[[], Snapshot]]]:
    """The source's label, major and a function that reads it (run on a worker thread)."""
    if request.against is not None:
        conn = connect_with_settings(request.against, _live_settings(request.limits))
        try:
            conn.execute("set default_transaction_read_only = on")
            label = redact(request.against)
            yield label, _major_of(conn.info.server_version), lambda: _live_snapshot(conn, label)
        finally:
            conn.close()
        return
    from pgvet.replay.project import load_project

    assert request.project is not None
    major = request.pg_version or load_project(request.project).major_version
    yield str(request.project), major, lambda: _project_snapshot(request, major)


def verify_backup(request: VerifyRequest, console: Console | None = None) -> VerifyReport:
    """Restore ``request.dumps`` into a fresh sandbox and compare it with the source."""
    if (request.against is None) == (request.project is None):
        raise InputError(
            "compare the backup with something: --against URL (the source database) or "
            "--project PATH (its migrations and seed), one of them",
            hint="pgvet backup verify dump/*.sql --project .",
        )
    inputs = read_inputs(request.dumps)
    started = time.perf_counter()
    role = platform.SUPERUSER if request.superuser else platform.PROJECT_ROLE
    with _source(request) as (label, source_major, read_source):
        installation, warning = binaries.choose(request.pg_version or source_major)
        if warning and console:
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        prepared = cluster.prepare(installation)
        settings = request.limits.server_settings()
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgvet-source") as pool,
            cluster.sandbox(prepared, settings) as server,
            Watchdog(request.limits, server.stop) as watchdog,
        ):
            source: Future[Snapshot] = pool.submit(read_source)
            database = "postgres"
            if request.empty_target:
                database = "restored"
                with server.admin() as admin:
                    admin.execute("create database restored template template0 owner postgres")
            result = RestoreResult(role)
            _restore(inputs, server, watchdog, role, database, result, request.limits, console)
            restored_at = time.perf_counter()
            with watchdog.watch(server.admin(database)) as admin:
                restored = take_snapshot(admin, f"restore on {installation.label}")
            snapshot = source.result()
            differences, notes = diff_snapshots(snapshot, restored)
            for other in result.databases:
                found, more = _compare_other(request, server, watchdog, other)
                differences += found
                notes += more
    total = time.perf_counter() - started
    return VerifyReport(
        source=label,
        server=installation.label,
        restore=result,
        differences=differences,
        notes=notes,
        tables=len(restored.tables),
        rows=sum(t.count for t in restored.tables.values()),
        seconds={"restore": restored_at - started, "total": total},
    )


def _compare_other(
    request: VerifyRequest, server: cluster.Server, watchdog: Watchdog, database: str
) -> tuple[list[Difference], list[str]]:
    """Another database of a whole-cluster dump, compared with the source's database of
    that name (``--against``: same server, read-only); a project describes one database,
    so with ``--project`` it is restored but not compared (a note says so)."""
    if request.against is None:
        return [], [
            f"database {database!r} restored but not compared: --project describes the "
            "postgres database only (compare with --against the source server)"
        ]
    with watchdog.watch(server.admin(database)) as admin:
        restored = take_snapshot(admin, f"restore of {database}")
    dsn = make_conninfo(request.against, dbname=database)
    conn = connect_with_settings(dsn, _live_settings(request.limits))
    try:
        conn.execute("set default_transaction_read_only = on")
        snapshot = _live_snapshot(conn, redact(dsn))
    finally:
        conn.close()
    found, notes = diff_snapshots(snapshot, restored)
    named = [replace(d, name=f"{database}: {d.name}") for d in found]
    return named, [f"{database}: {n}" for n in notes]


def _restore(
    inputs: list[Input],
    server: cluster.Server,
    watchdog: Watchdog,
    role: str,
    database: str,
    result: RestoreResult,
    limits: Limits,
    console: Console | None,
) -> None:
    started = time.perf_counter()
    remaining = limits.deadline - time.monotonic() if limits.deadline else None
    timeout = max(remaining, 1.0) if remaining is not None else max(limits.statement * 12, 3600)
    plain_bytes = sum(sum(_size(i) for i in inp.plain.items) for inp in inputs if inp.plain)
    progress = _progress(console, plain_bytes)
    with progress or contextlib.nullcontext():
        task = progress.add_task("restoring", total=plain_bytes) if progress else None

        def advance(n: int) -> None:
            if progress is not None and task is not None:
                progress.advance(task, n)

        def open_database(name: str) -> psycopg.Connection[Any]:
            return watchdog.watch(server.connect(name, user=role))

        with (
            watchdog.watch(server.connect(database, user=role)) as conn,
            contextlib.closing(
                PlainRestore(conn, watchdog, result, database, advance, open_database)
            ) as restorer,
        ):
            for inp in inputs:
                if progress is not None and task is not None:
                    progress.update(task, description=inp.path.name[:40])
                try:
                    if inp.plain is not None:
                        restorer.apply(inp.plain)
                    else:
                        archive.restore_archive(
                            server, inp.path, inp.format, role, result, timeout, database
                        )
                except TimeLimitExceeded as exc:
                    raise exc.during(f"restoring {inp.path}") from None
    result.seconds = time.perf_counter() - started


def _size(item: plainsql.Item) -> int:
    if isinstance(item, plainsql.CopyData):
        return len(item.data)
    return len(item.sql) if isinstance(item, plainsql.Statement) else 0
