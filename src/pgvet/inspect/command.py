"""``pgvet inspect`` as a function: connect read-only, read, check, keep history.

Kept out of the CLI so tests call the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from pgvet.config import load_config
from pgvet.errors import PgvetError
from pgvet.findings import Finding
from pgvet.inspect import history
from pgvet.inspect.checks import check
from pgvet.inspect.model import Inspection, Sampled, Window
from pgvet.inspect.read import read_inspection
from pgvet.inspect.settings import InspectSettings, history_path, inspect_settings
from pgvet.live.connect import connect_read_only, redact

if TYPE_CHECKING:
    from rich.console import Console

    from pgvet.inspect.plan import Candidate


@dataclass(frozen=True)
class InspectRequest:
    db: str
    config: Path | None = None
    save: bool = False
    history: Path | None = None
    plan: bool = False  # also the large-table plan (pgvet.inspect.plan)
    sample: float = 0.0  # seconds to watch the running statements (measured percentiles)
    progress: Callable[[float], None] | None = None  # seconds of the sample watched so far
    verify: Path | None = None  # --plan: run the partitioning steps on this project's sandbox
    verify_rows: int = 100_000  # at most this many rows in each candidate table there
    pg_version: int | None = None  # the sandbox's server for --verify
    console: Console | None = None  # progress of --verify


@dataclass(frozen=True)
class InspectOutcome:
    inspection: Inspection
    findings: list[Finding]
    settings: InspectSettings
    source: str  # the DSN, redacted
    saved_to: Path | None
    candidates: list[Candidate] | None = None  # with ``plan``


def run_inspect(request: InspectRequest) -> InspectOutcome:
    config = load_config(None, request.config)
    settings = inspect_settings(config)
    where = history_path(settings, config, request.history)
    target = history.target_key(request.db)
    with connect_read_only(request.db, application="pgvet inspect") as conn:
        # the watch comes first, so that what ran during it is among the statements read
        watched = _watch(conn, request) if request.sample > 0 else None
        inspection = read_inspection(conn, settings)
        if watched is not None:
            window, measured = watched
            statements = tuple(
                replace(st, measured=measured.get(st.queryid)) for st in inspection.statements or ()
            )
            inspection = replace(inspection, statements=statements, sampling=window)
        inspection = replace(inspection, growth=history.growth(where, target, inspection, settings))
        candidates = None
        if request.plan:
            from pgvet.inspect.plan import plan  # only for --plan: it brings in pglast

            candidates = plan(conn, inspection, settings, config.tenant_columns)
    if request.save:
        history.save(where, target, inspection)
    if candidates is not None and request.verify is not None:
        from pgvet.inspect.plan_verify import verify_plan

        candidates = verify_plan(
            request.verify,
            candidates,
            rows=request.verify_rows,
            # the live server's major unless told: the steps were generated from it
            pg_version=request.pg_version or inspection.server.version_num // 10000,
            console=request.console,
        )
    return InspectOutcome(
        inspection,
        check(inspection, settings),
        settings,
        redact(request.db),
        where if request.save else None,
        candidates,
    )


def _watch(conn: psycopg.Connection, request: InspectRequest) -> tuple[Window, dict[int, Sampled]]:
    """``--sample``: the running statements watched (see :mod:`pgvet.inspect.sample`)."""
    from pgvet.inspect.sample import TAG, sample

    row = conn.execute(
        f"select {TAG} n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace "
        "where e.extname = 'pg_stat_statements'"
    ).fetchone()
    if row is None:
        raise PgvetError(
            "--sample needs pg_stat_statements' call counts: the extension is not installed "
            "in this database (create extension pg_stat_statements; it must be in "
            "shared_preload_libraries)"
        )
    try:
        return sample(conn, row[0], request.sample, tick=request.progress)
    except psycopg.errors.ObjectNotInPrerequisiteState as exc:  # not preloaded
        raise PgvetError(f"--sample needs pg_stat_statements: {exc.diag.message_primary}") from exc
