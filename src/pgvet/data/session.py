"""A replayed project filled with generated rows: where ``pgvet data``, ``pgvet workload``
and ``pgvet advise`` all start."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from pgvet.config import Config
from pgvet.data.load import FillResult, fill
from pgvet.data.plan import Scale, read_scale
from pgvet.data.usage import project_sql, read_usage
from pgvet.errors import InputError
from pgvet.live.distributions import LiveShape
from pgvet.replay.limits import Limits
from pgvet.replay.project import Project
from pgvet.replay.session import Replayed, replayed_project
from pgvet.workload import source
from pgvet.workload.source import Workload

DEFAULT_ROWS = 1000


@dataclass
class Filled:
    """The sandbox, what was loaded into it, and the project's workload (if any)."""

    session: Replayed
    result: FillResult
    workload: Workload | None


def scale_from(rows: int | None, scale_file: Path | None) -> Scale:
    """``--rows N`` or ``--scale FILE`` (not both); 1,000 rows a table by default."""
    if rows is not None and scale_file is not None:
        raise InputError("--rows and --scale are exclusive: give one")
    if scale_file is not None:
        return read_scale(scale_file)
    if rows is not None and rows < 0:
        raise InputError(f"--rows {rows}: expected a number of rows ≥ 0")
    return Scale(DEFAULT_ROWS if rows is None else rows)


def project_workload(project: Project, config: Config) -> Workload | None:
    """The project's workload file, read, or None when it has none."""
    path = source.workload_file(project.root, config)
    return source.read(path) if path is not None else None


@contextlib.contextmanager
def filled_project(
    path: Path,
    project: Project,
    config: Config,
    scale: Scale,
    *,
    limits: Limits,
    pg_version: int | None = None,
    seed: int = 0,
    console: Console | None = None,
    like: LiveShape | None = None,
) -> Iterator[Filled]:
    """Replay ``project`` and fill every table (value spreads of ``like``, a live
    database's statistics, where given); the sandbox runs for the block."""
    workload = project_workload(project, config)
    with replayed_project(
        path, project=project, pg_version=pg_version, console=console, limits=limits
    ) as session:
        if not session.result.ok:
            failed = next(f for f in session.result.files if f.status != "applied")
            raise InputError(
                f"the migrations do not replay ({failed.filename}): fix them first",
                hint="pgvet replay PATH shows the failure with its file and line",
            )
        catalog = session.catalog
        texts = project_sql(catalog) + ([q.text for q in workload.queries] if workload else [])
        usage = read_usage(catalog, texts, workload.defaults if workload else {})
        with session.watchdog.watch(session.server.admin()) as admin:
            result = fill(
                admin,
                catalog,
                scale,
                usage=usage,
                tenant_columns=config.tenant_columns,
                seed=seed,
                console=console,
                like=like,
            )
        yield Filled(session, result, workload)
