"""``pgvet lint``: replay or read a live database, run the rules, render the findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pgvet.cli.common import (
    ConfigOpt,
    DecodeBomOpt,
    FailOn,
    KeepGoingOpt,
    LintFormat,
    OutputOpt,
    PgVersionOpt,
    StatementTimeoutOpt,
    SuperuserOpt,
    TimeoutOpt,
    emit,
    err,
    friendly,
)
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, PgvetError
from pgvet.findings import Level, at_or_above
from pgvet.report import jsondoc, markdown, text
from pgvet.report.lint_summary import DEFAULT_MAX_PER_RULE, summarize
from pgvet.rules.command import LintOutcome, LintRequest, run_lint_command


@friendly
def lint_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Project to replay and lint (repository root, supabase/ or migrations folder).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Lint a live database instead (read-only, with statement and lock timeouts). "
            "Prefer PGPASSWORD or ~/.pgpass to a password in the URL.",
            envvar="PGVET_DB",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        LintFormat, typer.Option("--format", "-f", help="Output format.")
    ] = LintFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this level.")
    ] = FailOn.error,
    rule_names: Annotated[
        list[str] | None,
        typer.Option("--rule", "-r", help="Run only these rules (name or code); repeatable."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Hide findings recorded in this baseline file."),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option("--write-baseline", help="Record every current finding here, then exit 0."),
    ] = None,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Also print the per-table index coverage table.")
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Judge the migration files added or changed since this git revision; "
            "migration-safety findings on the others are history, folded.",
            show_default=False,
        ),
    ] = None,
    max_per_rule: Annotated[
        int,
        typer.Option(
            "--max-per-rule",
            min=0,
            help="Findings listed per rule in text and Markdown (0: all; JSON has all).",
        ),
    ] = DEFAULT_MAX_PER_RULE,
    keep_going: KeepGoingOpt = False,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Find index, RLS, security, schema and migration-safety problems, each with a fix.

    `pgvet lint PATH` replays the migrations into a sandbox and lints the result and the
    files; `pgvet lint --db URL` reads a live database without writing to it (with PATH
    too: the migrations not yet in its schema_migrations are the ones judged). A file that
    fails to replay is a `replay-failed` finding. Exit 0 when nothing reaches `--fail-on`,
    1 when something does, 2 for bad input.
    """

    if path is None and db is None:
        raise PgvetError("give a project PATH or --db URL", hint="see `pgvet lint --help`")
    if db is not None and (statement_timeout or timeout or superuser or decode_bom is not None):
        raise PgvetError(
            "--statement-timeout, --timeout, --superuser and --decode-bom apply to a replay; "
            "--db has its own timeouts and never writes"
        )
    request = LintRequest(
        path=path,
        db=db,
        rules=tuple(rule_names or ()),
        baseline=baseline,
        write_baseline=write_baseline,
        keep_going=keep_going,
        pg_version=pg_version,
        config=config,
        statement_timeout=statement_timeout,
        timeout=timeout,
        superuser=superuser,
        decode_bom=decode_bom,
        changed_since=changed_since,
    )
    if changed_since is not None and path is None:
        raise PgvetError("--changed-since needs a project PATH (its migrations are diffed)")
    outcome = run_lint_command(request, err)
    if write_baseline is not None:
        err.print(f"wrote {outcome.baselined_written} findings to {write_baseline}")
        raise typer.Exit(EXIT_OK)
    _render(outcome, fmt, coverage=coverage, output=output, max_per_rule=max_per_rule)
    # the exit code comes from the findings alone: a failed replay is a replay-failed
    # finding, subject to --fail-on, baselines and ignores like any other
    findings = outcome.findings
    failing = fail_on is not FailOn.never and bool(at_or_above(findings, Level(fail_on.value)))
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


def _render(
    outcome: LintOutcome, fmt: LintFormat, *, coverage: bool, output: Path | None, max_per_rule: int
) -> None:
    """The findings (and the coverage table when asked for) in the chosen format."""
    findings = outcome.findings
    summary = summarize(findings, outcome.catalog, outcome.history)
    if fmt is LintFormat.json:
        doc = jsondoc.findings_doc(
            findings,
            source=outcome.source,
            partial=outcome.partial,
            baselined=outcome.baselined,
            history=outcome.history,
            scope=outcome.scope.how if outcome.scope else None,
        )
        if coverage and outcome.coverage is not None:
            from pgvet.report.coverage import coverage_doc

            doc["coverage"] = coverage_doc(outcome.coverage)
        if outcome.deploy_locks:
            from pgvet.rules.deploy import doc as lock_doc

            doc["deploy_locks"] = [lock_doc(x) for x in outcome.deploy_locks]
        emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is LintFormat.sarif:
        from pgvet.report.sarif import sarif_doc

        doc = sarif_doc(findings, outcome.root, outcome.migrations_dir)
        emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is LintFormat.markdown:
        body = markdown.findings_markdown(findings, max_per_rule=max_per_rule, summary=summary)
        if outcome.deploy_locks:
            from pgvet.report.deploy import deploy_markdown

            body += "\n" + deploy_markdown(outcome.deploy_locks)
        if coverage and outcome.coverage is not None:
            from pgvet.report.coverage import coverage_markdown

            body += "\n" + coverage_markdown(outcome.coverage)
        emit(body, output, lambda c: None)
    else:

        def render(console: Console) -> None:
            text.print_findings(console, findings, max_per_rule=max_per_rule, summary=summary)
            if outcome.baselined:
                console.print(f"[dim]{outcome.baselined} findings hidden by the baseline[/]")
            if outcome.deploy_locks:
                from pgvet.report.deploy import deploy_text

                deploy_text(console, outcome.deploy_locks)
            if coverage and outcome.coverage is not None:
                from pgvet.report.coverage import coverage_text

                coverage_text(console, outcome.coverage)

        emit(None, output, render)
