"""Helpers shared by the RLS tests: replay a project, load its seed, run the checks."""

from __future__ import annotations

from pathlib import Path

from conftest import shared_copy
from pgvet.config import load_config
from pgvet.replay.session import replayed_project
from pgvet.rls.engine import run_rls_tests
from pgvet.rls.results import RlsReport
from pgvet.rls.settings import rls_settings


def run_project(
    path: Path, *, seed: bool = True, pg_version: int | None = 15, shared: bool = False
) -> RlsReport:
    """What ``pgvet rls test PATH`` computes, without the command line around it.

    ``shared``: on a copy of the session's replay of ``path`` (the clinic, a corpus),
    instead of a replay of its own (a project written by the test)."""
    replayed = (
        shared_copy(path, pg_version) if shared else replayed_project(path, pg_version=pg_version)
    )
    with replayed as session:
        assert session.result.ok, [f.filename for f in session.result.failed]
        if seed:
            for seed_path in session.project.seed_paths:
                session.conn.execute(seed_path.read_bytes())
        config = load_config(session.project.root)
        return run_rls_tests(
            session.conn,
            session.catalog,
            config,
            rls_settings(config),
            source=str(path),
            seeded=seed,
        )


def failing(report: RlsReport, table: str | None = None, kind: str | None = None) -> list:
    return [
        r
        for r in report.failures
        if (table is None or r.table == table) and (kind is None or r.kind == kind)
    ]
