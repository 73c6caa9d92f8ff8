"""``pgvet workload PATH``: fill a sandbox, run workload.sql as its personas, report
P50/P95/P99 and the costliest plan node per query; ``--compare A.json B.json`` of two runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pgvet.cli.common import (
    ConfigOpt,
    DecodeBomOpt,
    Format,
    FormatOpt,
    OutputOpt,
    PgVersionOpt,
    StatementTimeoutOpt,
    SuperuserOpt,
    TimeoutOpt,
    emit,
    err,
    friendly,
)
from pgvet.config import load_config
from pgvet.data.command import RowsOpt, ScaleOpt, SeedOpt
from pgvet.data.session import filled_project, scale_from
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, InputError
from pgvet.replay.limits import resolve_limits
from pgvet.replay.project import load_project
from pgvet.workload import report
from pgvet.workload.run import prepare, run_workload

IterationsOpt = Annotated[
    int, typer.Option("--iterations", "-n", help="Runs of every query (timed).")
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", "-c", help="Threads, each with its own connection.")
]


@friendly
def workload_command(
    path: Annotated[
        Path | None, typer.Argument(help="Project folder (not needed with --compare).")
    ] = None,
    rows: RowsOpt = None,
    scale: ScaleOpt = None,
    seed: SeedOpt = 0,
    iterations: IterationsOpt = 20,
    concurrency: ConcurrencyOpt = 2,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Two saved runs (-f json -o FILE): A then B."),
    ] = None,
    fmt: FormatOpt = Format.text,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Run the project's workload.sql on generated data, each query as its persona with
    RLS on: P50/P95/P99 per query and the plan's costliest node."""
    if compare is not None:
        _compare(compare, fmt, output)
        return
    if path is None:
        raise InputError("give a project folder, or --compare A.json B.json")
    if iterations < 1 or concurrency < 1:
        raise InputError("--iterations and --concurrency must be at least 1")
    project = load_project(path)
    settings = load_config(project.root, config)
    limits = resolve_limits(settings, statement_timeout, timeout, superuser, decode_bom)
    with filled_project(
        path,
        project,
        settings,
        scale_from(rows, scale),
        limits=limits,
        pg_version=pg_version,
        seed=seed,
        console=err,
    ) as filled:
        if filled.workload is None:
            raise InputError(
                f"{project.root}: no workload file",
                hint="write workload.sql (queries named by `-- name: x`) or set [lint] workload",
            )
        server = filled.session.server
        with server.connect() as conn:
            prepared = prepare(conn, filled.session.catalog, settings, filled.workload)
        run = run_workload(
            server.connect,
            prepared,
            iterations=iterations,
            concurrency=concurrency,
            console=err,
        )
    doc = report.run_doc(run)
    if fmt is Format.json:
        emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is Format.markdown:
        emit(report.run_markdown(doc), output, lambda c: None)
    else:
        emit(None, output, lambda console: report.print_run(console, doc))
    failed = any(q["error"] for q in doc["queries"])
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _compare(paths: tuple[Path, Path], fmt: Format, output: Path | None) -> None:
    a, b = (report.load_doc(p) for p in paths)
    rows = report.compare_rows(a, b)
    names = (str(paths[0]), str(paths[1]))
    if fmt is Format.json:
        emit(
            json.dumps({"a": names[0], "b": names[1], "queries": rows}, indent=2) + "\n",
            output,
            lambda c: None,
        )
    elif fmt is Format.markdown:
        emit(report.compare_markdown(rows, names), output, lambda c: None)
    else:
        emit(None, output, lambda console: report.print_compare(console, rows, names))
