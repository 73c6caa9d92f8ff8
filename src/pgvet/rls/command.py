"""``pgvet rls test``: the command line over :func:`pgvet.rls.engine.run_rls_tests`.

Mounted by the main CLI with ``app.add_typer(rls_app, name="rls")``. Exit codes: 0 every
check passed, 1 a leak, an unmet expectation, a broken query or a failed replay, 2 bad
input (no traceback, passwords redacted).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console

from pgvet.cli.common import (
    ConfigOpt,
    DecodeBomOpt,
    PgVersionOpt,
    StatementTimeoutOpt,
    SuperuserOpt,
    TimeoutOpt,
    err,
    friendly,
)
from pgvet.config import load_config
from pgvet.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    InputError,
    TimeLimitExceeded,
)
from pgvet.live.connect import redact
from pgvet.report import rls as render
from pgvet.rls.results import RlsReport
from pgvet.rls.settings import RlsSettings, rls_settings

rls_app = typer.Typer(
    name="rls",
    help="Test row-level security as your users: personas, tenant isolation, expectations.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)


class RlsFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    junit = "junit"


@rls_app.callback()
def _rls() -> None:
    """Row-level security tests."""


@rls_app.command("test")
@friendly
def test(
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
            help="Test a running database instead. It WRITES rows (rolled back at the end): "
            "use a disposable copy, and confirm with --i-understand-this-writes.",
            show_default=False,
        ),
    ] = None,
    i_understand: Annotated[
        bool,
        typer.Option(
            "--i-understand-this-writes",
            help="Confirm that the --db server is disposable.",
        ),
    ] = False,
    fmt: Annotated[RlsFormat, typer.Option("--format", "-f", help="Output format.")] = (
        RlsFormat.text
    ),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file (or into this folder, as "
            "RLS_POLICY_TEST_SUITE.md for markdown) instead of stdout.",
        ),
    ] = None,
    config: ConfigOpt = None,
    pg_version: PgVersionOpt = None,
    seed: Annotated[
        bool | None,
        typer.Option(
            "--seed/--no-seed",
            help="Load the project's seed before testing (default: [rls] seed, on).",
            show_default=False,
        ),
    ] = None,
    auto: Annotated[
        bool | None,
        typer.Option(
            "--auto/--no-auto",
            help="Run the automatic two-tenant isolation checks (default: [rls] auto, on).",
            show_default=False,
        ),
    ] = None,
    min_coverage: Annotated[
        float | None,
        typer.Option(
            "--min-coverage",
            min=0,
            max=100,
            help="Percent of tenant tables that must be isolation-tested, else the run is "
            "inconclusive (exit 1). Default: [rls] min_coverage, else 100.",
            show_default=False,
        ),
    ] = None,
    all_tables: Annotated[
        bool, typer.Option("--all-tables", help="Text format: show passing tables too.")
    ] = False,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Replay the project (or use --db), act as every persona and check what each sees.

    Runs the automatic tenant-isolation checks, reads every table as every persona
    (recursion and failing functions), and checks the expectations declared in
    `pgvet.toml` `[rls]`. Every check runs in a transaction that is rolled back. Exit 0
    when everything passed, 1 on any leak / unmet expectation / error, 2 for bad input.
    """
    if (path is None) == (db is None):
        raise InputError("give a project PATH or --db URL (not both)", hint="pgvet rls test --help")
    if db is not None and not i_understand:
        raise InputError(
            f"--db {redact(db)}: rls test writes rows there (rolled back at the end)",
            hint="use a disposable database and add --i-understand-this-writes",
        )
    if db is not None and (statement_timeout or timeout or superuser or decode_bom is not None):
        raise InputError(
            "--statement-timeout, --timeout, --superuser and --decode-bom apply to a replay, "
            "not --db"
        )
    report = (
        _run_db(db, config, auto, min_coverage)
        if db is not None
        else _run_path(
            path,
            config,
            pg_version,
            seed,
            auto,  # type: ignore[arg-type]
            statement_timeout=statement_timeout,
            timeout=timeout,
            superuser=superuser,
            decode_bom=decode_bom,
            min_coverage=min_coverage,
        )
    )
    if report is None:
        raise typer.Exit(EXIT_FINDINGS)
    _emit(report, fmt, output, all_tables)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)


def _run_path(
    path: Path,
    config: Path | None,
    pg_version: int | None,
    seed: bool | None,
    auto: bool | None,
    *,
    statement_timeout: str | None,
    timeout: str | None,
    superuser: bool | None,
    decode_bom: bool | None,
    min_coverage: float | None,
) -> RlsReport | None:
    from pgvet.replay.limits import resolve_limits
    from pgvet.replay.project import load_project
    from pgvet.replay.session import replayed_project
    from pgvet.report import text
    from pgvet.rls.engine import run_rls_tests

    project = load_project(path)
    settings_all = load_config(project.root, config)
    settings = _with_coverage(rls_settings(settings_all), min_coverage)
    load_seed = settings.seed if seed is None else seed
    limits = resolve_limits(settings_all, statement_timeout, timeout, superuser, decode_bom)
    with replayed_project(
        path, project=project, pg_version=pg_version, console=err, limits=limits
    ) as session:
        if not session.result.ok:
            text.print_replay(err, session.result, all_files=False)
            err.print("[red]error:[/] the migrations do not replay, so RLS cannot be tested")
            return None
        seeded = False
        if load_seed and project.seed_paths:
            for seed_path in project.seed_paths:
                _load_seed(session.conn, seed_path)
            seeded = True
        with session.connect() as second:
            try:
                return run_rls_tests(
                    session.conn,
                    session.catalog,
                    settings_all,
                    settings,
                    source=str(path),
                    seeded=seeded,
                    auto=auto,
                    progress=_progress,
                    second=second,
                )
            except TimeLimitExceeded as exc:
                raise exc.during("running the RLS checks") from None


def _load_seed(conn: psycopg.Connection, seed_path: Path) -> None:
    try:
        text = seed_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{seed_path}: cannot read the seed: {exc}") from exc
    err.print(f"[dim]loading seed {seed_path.name}[/]")
    try:
        with conn.transaction():
            conn.execute(text.encode())
    except TimeLimitExceeded as exc:
        raise exc.during(f"loading the seed {seed_path.name}") from None
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{seed_path}: the seed failed: {exc.sqlstate} {first}",
            hint="fix the seed or run with --no-seed (configured personas then need sub/claims)",
        ) from exc


def _with_coverage(settings: RlsSettings, min_coverage: float | None) -> RlsSettings:
    return settings if min_coverage is None else replace(settings, min_coverage=min_coverage)


def _run_db(
    dsn: str, config: Path | None, auto: bool | None, min_coverage: float | None
) -> RlsReport:
    from pgvet.catalog import read_catalog
    from pgvet.rls.disposable import connect_disposable
    from pgvet.rls.engine import run_rls_tests

    settings_all = load_config(None, config)
    settings = _with_coverage(rls_settings(settings_all), min_coverage)
    with connect_disposable(dsn) as conn, connect_disposable(dsn) as second:
        err.print(f"[dim]reading the catalog of {redact(dsn)}[/]")
        catalog = read_catalog(conn)
        return run_rls_tests(
            conn,
            catalog,
            settings_all,
            settings,
            source=redact(dsn),
            seeded=False,
            auto=auto,
            progress=_progress,
            second=second,
        )


def _progress(message: str) -> None:
    err.print(f"[dim]{message}[/]", highlight=False)


DEFAULT_NAMES = {
    "text": "rls-test.txt",
    "json": "rls-test.json",
    "markdown": "RLS_POLICY_TEST_SUITE.md",
    "junit": "rls-junit.xml",
}


def _emit(report: RlsReport, fmt: RlsFormat, output: Path | None, all_tables: bool) -> None:
    if output is not None and output.is_dir():
        output = output / DEFAULT_NAMES[fmt.value]
    if fmt is RlsFormat.text:
        if output is not None:
            with output.open("w", encoding="utf-8") as handle:
                render.print_report(
                    Console(file=handle, width=160, no_color=True), report, all_tables=all_tables
                )
            err.print(f"wrote {output}")
        else:
            width = None if sys.stdout.isatty() else 160
            render.print_report(
                Console(highlight=False, width=width), report, all_tables=all_tables
            )
        return
    content = {
        RlsFormat.json: render.json_report,
        RlsFormat.junit: render.junit_report,
        RlsFormat.markdown: render.markdown_report,
    }[fmt](report)
    if output is not None:
        output.write_text(content, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(content)
