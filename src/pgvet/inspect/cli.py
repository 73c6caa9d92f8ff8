"""The ``pgvet inspect`` command (mounted by :mod:`pgvet.cli`, whose options it shares)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from pgvet.cli.common import ConfigOpt, FailOn, OutputOpt, PgVersionOpt, emit, err, friendly
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, PgvetError
from pgvet.findings import Level, at_or_above
from pgvet.inspect import jsondoc, prometheus, report
from pgvet.inspect.command import InspectRequest, run_inspect


class InspectFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    prometheus = "prometheus"


@contextmanager
def _progress(seconds: float) -> Iterator[Callable[[float], None] | None]:
    """A progress bar on stderr for the ``--sample`` watch (nothing without it)."""
    if seconds <= 0:
        yield None
        return
    with Progress(
        TextColumn("watching running statements"),
        BarColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("sample", total=seconds)
        yield lambda done: bar.update(task, completed=done)


@friendly
def inspect_command(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="The live database to inspect (read-only, with statement and lock timeouts). "
            "Prefer PGPASSWORD or ~/.pgpass to a password in the URL.",
            envvar="PGVET_DB",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        InspectFormat, typer.Option("--format", "-f", help="Output format.")
    ] = InspectFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this level.")
    ] = FailOn.error,
    save: Annotated[
        bool,
        typer.Option("--save", help="Add this inspection to the local history (growth per table)."),
    ] = False,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="History file (default: [inspect] history, else .pgvet/history.sqlite).",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="Print the large-table plan instead (Markdown: partitioning candidates, "
            "their key from the hot statements, autovacuum settings); "
            "-o LARGE_TABLE_OPTIMIZATION.md.",
        ),
    ] = False,
    sample: Annotated[
        float,
        typer.Option(
            "--sample",
            help="Watch the running statements for this many seconds and report measured "
            "P50/P95/P99 per statement (read-only: pg_stat_activity and pg_stat_statements).",
            min=0,
            max=3600,
            metavar="SECONDS",
        ),
    ] = 0,
    verify: Annotated[
        Path | None,
        typer.Option(
            "--verify",
            help="With --plan: replay this project into a sandbox, fill it (the candidate "
            "tables up to --verify-rows rows), run each generated partitioning there with "
            "writes going on, and report rows, answers and timings before/after.",
            show_default=False,
        ),
    ] = None,
    verify_rows: Annotated[
        int,
        typer.Option("--verify-rows", min=1000, help="Rows per candidate table for --verify."),
    ] = 100_000,
    migrations: Annotated[
        Path | None,
        typer.Option(
            "--migrations",
            help="With --plan: write each partitioning's steps into this folder (two "
            "timestamped migrations and the backfill script to run between them).",
            show_default=False,
        ),
    ] = None,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A live database's health against the review's targets: sizes, hit rates, scans,
    indexes, bloat, vacuum, wraparound, sequences, connections, locks, replication and the
    costliest statements, each figure with how it was obtained.

    Exit 0 when no finding reaches `--fail-on`, 1 when one does, 2 for bad input.
    """
    if db is None:
        raise PgvetError("give the database to inspect with --db URL (or PGVET_DB)")
    if plan and fmt not in (InspectFormat.text, InspectFormat.markdown):
        raise PgvetError("--plan writes Markdown: leave out --format")
    if (verify is not None or migrations is not None) and not plan:
        raise PgvetError("--verify and --migrations go with --plan")
    with _progress(sample) as tick:
        outcome = run_inspect(
            InspectRequest(
                db=db,
                config=config,
                save=save,
                history=history,
                plan=plan,
                sample=sample,
                progress=tick,
                verify=verify,
                verify_rows=verify_rows,
                pg_version=pg_version,
                console=err,
            )
        )
    ins, findings, settings = outcome.inspection, outcome.findings, outcome.settings
    if outcome.candidates is not None:
        from pgvet.inspect import plan_report  # only for --plan: it brings in pglast

        emit(plan_report.plan_markdown(ins, outcome.candidates, settings), output, lambda c: None)
        if migrations is not None:
            for written in plan_report.write_steps(outcome.candidates, migrations):
                err.print(f"wrote {written}")
    elif fmt is InspectFormat.json:
        doc = jsondoc.inspection_doc(ins, findings, settings, outcome.source)
        emit(jsondoc.dumps(doc) + "\n", output, lambda c: None)
    elif fmt is InspectFormat.markdown:
        emit(report.inspection_markdown(ins, findings, settings), output, lambda c: None)
    elif fmt is InspectFormat.prometheus:
        emit(prometheus.exposition(ins, findings), output, lambda c: None)
    else:

        def render(console: Console) -> None:
            report.print_inspection(console, ins, findings, settings)

        emit(None, output, render)
    if outcome.saved_to is not None:
        err.print(f"saved to {outcome.saved_to}")
    failing = fail_on is not FailOn.never and bool(at_or_above(findings, Level(fail_on.value)))
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)
