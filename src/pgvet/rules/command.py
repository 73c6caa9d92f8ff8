"""`pgvet lint` / `pgvet fix` as a function: choose the source, run the rules, filter.

Kept out of the CLI so tests and other commands (fix) call the same path.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from pgvet.catalog import Catalog, read_catalog
from pgvet.config import load_config
from pgvet.findings import Baseline, Finding
from pgvet.live.connect import connect_read_only, redact
from pgvet.live.stats import read_stats
from pgvet.replay.limits import resolve_limits
from pgvet.replay.paths import ensure_inside
from pgvet.replay.project import Project, load_project
from pgvet.replay.session import replayed_project
from pgvet.report import text
from pgvet.report.coverage import TableCoverage, coverage_table
from pgvet.rules.deploy import DeployLock, annotate, deploy_locks
from pgvet.rules.engine import lint_settings, run_lint
from pgvet.rules.registry import LintContext
from pgvet.rules.sandbox import Sandbox
from pgvet.rules.scope import (
    UNKNOWN,
    Scope,
    changed_since,
    not_in_database,
    since_version,
    split_history,
)

BASELINE_NAME = "pgvet-baseline.json"


@dataclass(frozen=True)
class LintRequest:
    path: Path | None = None
    db: str | None = None
    rules: tuple[str, ...] = ()
    baseline: Path | None = None
    write_baseline: Path | None = None
    keep_going: bool = False
    pg_version: int | None = None
    config: Path | None = None
    statement_timeout: str | None = None
    timeout: str | None = None
    superuser: bool | None = None
    decode_bom: bool | None = None
    #: git revision: migration-safety rules judge the files added or changed since it
    changed_since: str | None = None


@dataclass
class LintOutcome:
    findings: list[Finding]
    source: str
    partial: bool = False
    replay_failed: bool = False
    baselined: int = 0
    baselined_written: int = 0
    root: Path | None = None
    migrations_dir: Path | None = None
    coverage: list[TableCoverage] | None = field(default=None)
    catalog: Catalog | None = None
    #: findings of deployment rules on migrations already deployed, folded in reports
    history: list[Finding] = field(default_factory=list)
    scope: Scope | None = None
    #: with PATH --db: each statement not yet deployed, its locks against the live tables
    deploy_locks: list[DeployLock] = field(default_factory=list)


def _baseline_path(request: LintRequest, project: Project | None, settings: dict) -> Path | None:
    if request.baseline is not None:
        return request.baseline
    if settings.get("baseline"):
        base = project.root if project else Path.cwd()
        return ensure_inside(base / settings["baseline"], [base], "baseline file")
    if project is not None and (project.root / BASELINE_NAME).is_file():
        return project.root / BASELINE_NAME
    return None


def run_lint_command(request: LintRequest, console: Console) -> LintOutcome:
    project = load_project(request.path) if request.path is not None else None
    config = load_config(project.root if project else None, request.config)
    settings = lint_settings(config.raw)
    scope = _static_scope(request, project, settings)
    deploy: list[DeployLock] = []
    with contextlib.ExitStack() as stack:
        if request.db is not None:
            conn = stack.enter_context(connect_read_only(request.db))
            catalog = read_catalog(conn)
            stats = read_stats(conn)
            source, partial, replay_failed = redact(request.db), False, False
            replay = None
            if project is not None and scope is None:
                scope = not_in_database(project, conn)
            if project is not None and scope is not None:
                deploy = deploy_locks(project, scope, conn)
        else:
            assert project is not None
            stats = None
            session = stack.enter_context(
                replayed_project(
                    project.root,
                    project=project,
                    pg_version=request.pg_version,
                    keep_going=request.keep_going,
                    console=console,
                    limits=resolve_limits(
                        config,
                        request.statement_timeout,
                        request.timeout,
                        request.superuser,
                        request.decode_bom,
                    ),
                )
            )
            if not session.result.ok:
                text.print_replay(console, session.result, all_files=False)
            catalog = session.catalog
            source = str(project.migrations_dir)
            partial, replay_failed = session.result.partial, not session.result.ok
            replay = session.result
        sandbox = None
        if request.db is None:  # rules confirm their claims on the sandbox, never live
            sandbox = Sandbox.beside(session.conn, watch=session.watchdog.watch)
            stack.callback(sandbox.close)
        ctx = LintContext(
            catalog=catalog,
            config=config,
            project=project,
            stats=stats,
            live=request.db is not None,
            replay=replay,
            sandbox=sandbox,
        )
        findings = annotate(run_lint(ctx, request.rules), deploy)
        rows = coverage_table(catalog, config, findings, replay.never_reached if replay else ())
    outcome = LintOutcome(
        findings,
        source,
        partial,
        replay_failed,
        root=project.root if project else None,
        migrations_dir=project.migrations_dir if project else None,
        coverage=rows,
        catalog=catalog,
        deploy_locks=deploy,
    )
    if request.write_baseline is not None:
        outcome.baselined_written = Baseline.write(request.write_baseline, findings)
        return outcome
    baseline_path = _baseline_path(request, project, settings)
    if baseline_path is not None:
        known = Baseline.read(baseline_path).fingerprints
        outcome.findings = [f for f in findings if f.fingerprint not in known]
        outcome.baselined = len(findings) - len(outcome.findings)
    if project is not None:  # no migrations (--db alone): nothing is history
        outcome.scope = scope or UNKNOWN
        outcome.findings, outcome.history = split_history(outcome.findings, outcome.scope)
    return outcome


def _static_scope(request: LintRequest, project: Project | None, settings: dict) -> Scope | None:
    """What is being deployed, when git or the settings say (before anything replays, so
    a bad ref is an error at once); ``--db`` is asked later, in its own session."""
    if project is None:
        return None
    if request.changed_since is not None:
        return changed_since(project, request.changed_since)
    if request.db is None and settings.get("migrations_since"):
        return since_version(project, settings["migrations_since"])
    return None
