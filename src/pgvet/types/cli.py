"""The ``pgvet types`` command (mounted by :mod:`pgvet.cli`, whose options it shares)."""

from __future__ import annotations

import json
from enum import StrEnum
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
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, InputError
from pgvet.findings import Level, at_or_above
from pgvet.report import jsondoc, markdown, text
from pgvet.types.check import RULES
from pgvet.types.command import TypesRequest, run_types, split_schemas


class Lang(StrEnum):
    typescript = "typescript"
    python = "python"


@friendly
def types_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Project to replay (repository root, supabase/ or migrations folder).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Read a live database instead (read-only, with statement and lock timeouts).",
            envvar="PGVET_DB",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language to generate.")] = Lang.typescript,
    schema: Annotated[
        list[str] | None,
        typer.Option(
            "--schema",
            "-s",
            help="Schemas to include (repeatable or comma-separated).",
            show_default="public",
        ),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            help="Compare this existing TypeScript types file with the schema and report what "
            "is missing, stale or wrong, instead of generating.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        LintFormat, typer.Option("--format", "-f", help="Format of the --check report.")
    ] = LintFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="--check: exit 1 at or above this level.")
    ] = FailOn.error,
    one_to_one: Annotated[
        bool,
        typer.Option(
            "--one-to-one/--no-one-to-one",
            help="Print isOneToOne in Relationships (supabase gen types does).",
        ),
    ] = True,
    postgrest_version: Annotated[
        str | None,
        typer.Option(
            "--postgrest-version",
            help="Add __InternalSupabase.PostgrestVersion (as the Supabase CLI does).",
            show_default=False,
        ),
    ] = None,
    keep_going: KeepGoingOpt = False,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Generate the TypeScript or Python types `supabase gen types` prints, without node.

    `pgvet types PATH` replays the migrations into a sandbox; `pgvet types --db URL` reads
    a live database read-only. `--check FILE` reports what FILE is missing or gets wrong.
    Exit 0 when done (and, with --check, nothing reaches `--fail-on`), 1 when the replay
    failed or --check found problems, 2 for bad input.
    """
    if db is not None and (statement_timeout or timeout or superuser or decode_bom is not None):
        raise InputError(
            "--statement-timeout, --timeout, --superuser and --decode-bom apply to a replay, "
            "not --db"
        )
    request = TypesRequest(
        path=path,
        db=db,
        lang=lang.value,  # type: ignore[arg-type]
        schemas=split_schemas(schema),
        check=check,
        keep_going=keep_going,
        pg_version=pg_version,
        one_to_one=one_to_one,
        postgrest_version=postgrest_version,
        config=config,
        statement_timeout=statement_timeout,
        timeout=timeout,
        superuser=superuser,
        decode_bom=decode_bom,
    )
    outcome = run_types(request, err)
    if check is None:
        emit(outcome.text, output, lambda c: None)
        raise typer.Exit(EXIT_FINDINGS if outcome.replay_failed else EXIT_OK)
    findings = outcome.findings
    if fmt is LintFormat.json:
        doc = jsondoc.findings_doc(findings, source=outcome.source, partial=outcome.replay_failed)
        doc["kind"] = "types-check"
        emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is LintFormat.sarif:
        from pgvet.report.sarif import sarif_doc

        doc = sarif_doc(findings, None, None, rules=RULES)
        emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is LintFormat.markdown:
        emit(markdown.findings_markdown(findings), output, lambda c: None)
    else:

        def render(console: Console) -> None:
            text.print_findings(console, findings)

        emit(None, output, render)
    failing = outcome.replay_failed or (
        fail_on is not FailOn.never and bool(at_or_above(findings, Level(fail_on.value)))
    )
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)
