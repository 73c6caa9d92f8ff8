"""``pgvet advise PATH``: index candidates built for real on generated data and measured;
the chosen set written as INDEX_IMPACT.md (``-o``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markdown import Markdown

from pgvet.advise import report
from pgvet.advise.session import Settings, advise
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
from pgvet.data.command import RowsOpt, ScaleOpt, SeedOpt
from pgvet.data.session import scale_from
from pgvet.errors import InputError
from pgvet.replay.limits import resolve_limits
from pgvet.replay.project import load_project
from pgvet.workload.command import ConcurrencyOpt, IterationsOpt


@friendly
def advise_command(
    path: PathArg,
    rows: RowsOpt = None,
    scale: ScaleOpt = None,
    seed: SeedOpt = 0,
    iterations: IterationsOpt = 20,
    concurrency: ConcurrencyOpt = 2,
    migration: Annotated[
        str | None,
        typer.Option(
            "--migration",
            help="A migration file of indexes (its file name) to measure: replayed without "
            "it and with it.",
        ),
    ] = None,
    policies: Annotated[
        bool,
        typer.Option(
            "--policies/--no-policies",
            help="Also rewrite policies with per-row auth/helper calls as (select …) and "
            "measure each (default on).",
        ),
    ] = True,
    fmt: FormatOpt = Format.markdown,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Propose indexes (lint findings and the workload's plans), screen them with hypopg,
    build them for real on generated data and measure each: P50/P95/P99 per query, plan,
    size, insert cost; choose the set that saves most for least. Policies with per-row
    auth/helper calls are rewritten as (select …), measured and checked for the same rows."""
    if iterations < 1 or concurrency < 1:
        raise InputError("--iterations and --concurrency must be at least 1")
    project = load_project(path)
    settings = load_config(project.root, config)
    limits = resolve_limits(settings, statement_timeout, timeout, superuser, decode_bom)
    advice = advise(
        path,
        project,
        settings,
        scale_from(rows, scale),
        limits,
        Settings(iterations, concurrency, seed, pg_version, policies),
        migration=migration,
        console=err,
    )
    if fmt is Format.json:
        emit(json.dumps(report.doc(advice), indent=2) + "\n", output, lambda c: None)
    elif fmt is Format.markdown and output is not None:
        emit(report.markdown(advice), output, lambda c: None)
    else:
        text = report.markdown(advice)
        emit(None, output, lambda console: console.print(Markdown(text)))
