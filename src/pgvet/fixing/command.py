"""``pgvet fix`` as a function: replay, lint, plan, prove, write.

Kept out of the CLI so that tests call the same path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console

from pgvet.config import load_config
from pgvet.errors import InputError
from pgvet.fixing.access import read_access
from pgvet.fixing.layout import first_stamp
from pgvet.fixing.plan import build_plan, read_existing
from pgvet.fixing.prove import lint_database, load_seeds, prove
from pgvet.fixing.report import FixReport
from pgvet.replay.limits import resolve_limits
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.report import text


@dataclass(frozen=True)
class FixRequest:
    path: Path
    rules: tuple[str, ...] = ()
    dry_run: bool = False
    include_access_changes: bool = False
    pg_version: int | None = None
    config: Path | None = None
    statement_timeout: str | None = None
    timeout: str | None = None
    superuser: bool | None = None
    decode_bom: bool | None = None
    now: datetime | None = None


def run_fix(request: FixRequest, console: Console) -> FixReport:
    started = time.perf_counter()
    project = load_project(request.path)
    config = load_config(project.root, request.config)
    limits = resolve_limits(
        config, request.statement_timeout, request.timeout, request.superuser, request.decode_bom
    )
    wanted = {r.lower() for r in request.rules}
    with replayed_project(
        project.root, project=project, pg_version=request.pg_version, console=console,
        limits=limits,
    ) as session:  # fmt: skip
        if not session.result.ok:
            text.print_replay(console, session.result, all_files=False)
            raise InputError(
                "the migrations do not replay, so no fix can be proven",
                hint="fix the failing migration first (`pgvet replay PATH` shows it)",
            )
        seeded, warnings = load_seeds(session.conn, project)
        with console.status("linting the replayed project…"):
            before = lint_database(session.conn, project, session.result, config)
        chosen = [f for f in before if not wanted or {f.rule, f.code.lower()} & wanted]
        plan = build_plan(chosen, read_existing(session.conn))
        access = read_access(session.conn)
        start = first_stamp(project.migrations_dir, request.now)
        with console.status("proving the fixes on a copy of the replay…") as status:
            proof = prove(
                session, plan, before, access, config,
                start=start,
                include_access_changes=request.include_access_changes,
                on_pass=lambda n, k: status.update(f"proving {k} fixes, pass {n}…"),
            )  # fmt: skip
        proof.seeded = seeded
    report = FixReport(proof, request.dry_run, warnings=[*session.warnings, *warnings])
    if not request.dry_run:
        for fix in proof.files:
            path = project.migrations_dir / fix.name
            path.write_text(fix.body, encoding="utf-8")
            report.written.append(path)
    report.seconds = time.perf_counter() - started
    return report
