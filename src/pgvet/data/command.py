"""``pgvet data PATH``: replay, fill every table with realistic rows, report what went in."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table as RichTable

from pgvet.cli.common import (
    ConfigOpt,
    DecodeBomOpt,
    Format,
    FormatOpt,
    OutputOpt,
    PathArg,
    PgVersionOpt,
    StatementTimeoutOpt,
    SuperuserOpt,
    TimeoutOpt,
    emit,
    err,
    friendly,
)
from pgvet.config import load_config
from pgvet.data.like import like_scale
from pgvet.data.load import FillResult
from pgvet.data.session import DEFAULT_ROWS, filled_project, scale_from
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, InputError
from pgvet.live.connect import connect_read_only, redact, scrubber
from pgvet.live.distributions import LiveShape, read_shape
from pgvet.replay.limits import resolve_limits
from pgvet.replay.project import load_project

RowsOpt = Annotated[
    int | None,
    typer.Option(
        "--rows",
        help="Rows in every table (default 1000; the tenant table: 1/200).",
        show_default=False,
    ),
]
ScaleOpt = Annotated[
    Path | None,
    typer.Option(
        "--scale", help="TOML file: default = N and [rows] table = N.", show_default=False
    ),
]
LikeOpt = Annotated[
    str | None,
    typer.Option(
        "--like",
        help="Live database (URL or DSN, read-only): row counts from pg_class.reltuples and "
        "null share, distinct values and most-common values from pg_stats (no rows copied). "
        "--scale's [rows] win over it; --rows N caps every table at N.",
        show_default=False,
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (the same seed, the same rows).")]


@friendly
def data_command(
    path: PathArg,
    rows: RowsOpt = None,
    scale: ScaleOpt = None,
    like: LikeOpt = None,
    seed: SeedOpt = 0,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="Keep the filled sandbox running and print how to connect, until Enter or Ctrl-C.",
        ),
    ] = False,
    fmt: FormatOpt = Format.text,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Fill every table of the replayed project with realistic generated rows (binary COPY):
    foreign keys, tenants, checks, unique keys and enums respected; report rows and speed."""
    project = load_project(path)
    settings = load_config(project.root, config)
    shape = None
    if like is not None:
        if rows is not None and rows < 0:
            raise InputError(f"--rows {rows}: expected a number of rows ≥ 0")
        shape = read_live_shape(like)
        wanted = like_scale(shape, rows, scale, DEFAULT_ROWS)
        err.print(
            f"--like {redact(like)}: row estimates of "
            f"{sum(t.rows is not None for t in shape.tables.values())} tables, statistics of "
            f"{shape.columns} columns",
            highlight=False,
        )
    else:
        wanted = scale_from(rows, scale)
    limits = resolve_limits(settings, statement_timeout, timeout, superuser, decode_bom)
    with filled_project(
        path,
        project,
        settings,
        wanted,
        limits=limits,
        pg_version=pg_version,
        seed=seed,
        console=err,
        like=shape,
    ) as filled:
        result = filled.result
        if keep:
            err.print(f"psql '{filled.session.server.conninfo()}'   (Enter or Ctrl-C to stop)")
            sys.stdin.readline()
    if fmt is Format.json:
        emit(json.dumps(result_doc(result), indent=2) + "\n", output, lambda c: None)
    elif fmt is Format.markdown:
        emit(result_markdown(result), output, lambda c: None)
    else:
        emit(None, output, lambda console: print_result(console, result))
    bad = result.violations or any(t.skipped for t in result.tables)
    raise typer.Exit(EXIT_FINDINGS if bad else EXIT_OK)


def read_live_shape(dsn: str) -> LiveShape:
    """The live database's row estimates and column statistics, on a read-only session
    with timeouts; the DSN is shown redacted in any error."""
    with connect_read_only(dsn, "pgvet data --like") as conn:
        try:
            return read_shape(conn)
        except psycopg.Error as exc:
            raise InputError(
                f"--like {redact(dsn)}: cannot read the statistics: "
                f"{scrubber(dsn)(str(exc).strip())}",
                hint="the role needs to read pg_class and pg_stats (pg_stats shows only the "
                "columns it may select)",
            ) from exc


def result_doc(result: FillResult) -> dict:
    """The JSON form: per table rows, seconds and what was adjusted or skipped."""
    return {
        "rows": result.rows,
        "seconds": round(result.seconds, 3),
        "foreign_keys_checked": result.foreign_keys_checked,
        "foreign_key_violations": result.violations,
        "tables": [
            {
                "table": f"{t.schema}.{t.name}",
                "requested": t.requested,
                "rows": t.rows,
                "seconds": round(t.seconds, 3),
                "skipped": t.skipped,
                "adjusted": t.adjusted,
            }
            for t in result.tables
        ],
    }


def result_markdown(result: FillResult) -> str:
    lines = ["| table | requested | rows | rows/s | note |", "|---|---:|---:|---:|---|"]
    for t in result.tables:
        rate = t.rows / t.seconds if t.seconds else 0
        note = t.skipped or ", ".join(f"{k}: {v}" for k, v in t.adjusted.items())
        lines.append(f"| {t.schema}.{t.name} | {t.requested} | {t.rows} | {rate:,.0f} | {note} |")
    lines.append("")
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def print_result(console: Console, result: FillResult) -> None:
    table = RichTable("table", "requested", "rows", "rows/s", "note", box=None)
    for t in result.tables:
        rate = t.rows / t.seconds if t.seconds else 0
        note = t.skipped or ", ".join(f"{k}: {v}" for k, v in t.adjusted.items())
        table.add_row(
            f"{t.schema}.{t.name}", f"{t.requested:,}", f"{t.rows:,}", f"{rate:,.0f}", note
        )
    console.print(table)
    console.print(_summary(result), highlight=False)
    for violation in result.violations:
        console.print(f"[red]foreign key violated:[/] {violation}")


def _summary(result: FillResult) -> str:
    skipped = sum(1 for t in result.tables if t.skipped)
    return (
        f"{result.rows:,} rows in {len(result.tables) - skipped} tables in {result.seconds:.1f} s "
        f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s overall); "
        f"{result.foreign_keys_checked} foreign keys checked, {len(result.violations)} violated; "
        f"{skipped} tables skipped"
    )
