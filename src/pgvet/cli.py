"""The ``pgvet`` command: thin typer commands that parse, call one function, and render."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import psycopg
import typer
from rich.console import Console

from pgvet import __version__
from pgvet.analysis.inventory import build_inventory
from pgvet.config import load_config
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, PgvetError
from pgvet.findings import Level, at_or_above
from pgvet.replay.limits import resolve_limits
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.report import jsondoc, markdown, text
from pgvet.report.sanitize import error_text, guard_github_log
from pgvet.sandbox.cluster import raise_on_sigterm

app = typer.Typer(
    name="pgvet",
    help="Review a PostgreSQL / Supabase database the way a senior database engineer would, "
    "on a real server: replay migrations, inventory, lint, test RLS.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


PathArg = Annotated[
    Path,
    typer.Argument(
        help="A repository root, its supabase/ folder, or a migrations folder.",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
PgVersionOpt = Annotated[
    int | None,
    typer.Option(
        "--pg-version",
        help="PostgreSQL major to run (default: major_version in supabase/config.toml).",
        show_default=False,
    ),
]
KeepGoingOpt = Annotated[
    bool,
    typer.Option(
        "--keep-going",
        "-k",
        help="Skip failing files, go on, and retry them in later passes (catalog is partial).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="pgvet.toml or pyproject.toml to read settings from."),
]
StatementTimeoutOpt = Annotated[
    str | None,
    typer.Option(
        "--statement-timeout",
        metavar="DURATION",
        help="Cut a migration file, the seed or any query on the sandbox that runs longer "
        '("300s", "5min", "2h"; default: [replay] statement_timeout, else 5min).',
        show_default=False,
    ),
]
TimeoutOpt = Annotated[
    str | None,
    typer.Option(
        "--timeout",
        metavar="DURATION",
        help="Cut the whole command after this long (default: [replay] timeout, else none).",
        show_default=False,
    ),
]
SuperuserOpt = Annotated[
    bool | None,
    typer.Option(
        "--superuser/--no-superuser",
        help="Run migrations and the seed as a superuser (self-hosted projects whose "
        "migrations need one; never on untrusted input). Default: [replay] superuser, else "
        "as Supabase's non-superuser postgres role.",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn pgvet's errors, Ctrl-C and SIGTERM into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raise_on_sigterm()
        try:
            return fn(*args, **kwargs)
        except PgvetError as exc:
            err.print(f"[red]error:[/] {error_text(exc.message)}", highlight=False)
            if exc.hint:
                err.print(f"[dim]hint:[/] {error_text(exc.hint)}", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]: sandbox stopped and removed")
            raise typer.Exit(130) from None
        except psycopg.OperationalError as exc:
            err.print(f"[red]error:[/] lost the connection to the server: {error_text(str(exc))}")
            raise typer.Exit(EXIT_USAGE) from None

    return wrapper  # type: ignore[return-value]


def _emit(content: str | None, output: Path | None, render: Callable[[Console], None]) -> None:
    """Write text content (json/markdown) or a rich rendering to ``output`` or stdout."""
    if output is not None:
        if content is None:
            with output.open("w", encoding="utf-8") as handle:
                render(Console(file=handle, width=120, no_color=True))
        else:
            output.write_text(content, encoding="utf-8")
        err.print(f"wrote {output}")
        return
    if content is None:
        render(Console(highlight=False, width=None if sys.stdout.isatty() else 120))
    else:
        sys.stdout.write(content)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pgvet {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """pgvet: a database review you can prove."""
    guard_github_log()


@app.command()
@friendly
def replay(
    path: PathArg,
    keep_going: KeepGoingOpt = False,
    fmt: FormatOpt = Format.text,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
) -> None:
    """Replay a migrations folder into a throwaway PostgreSQL and explain every failure.

    Strict by default, like `supabase db reset`: one transaction per file, stop at
    the first failing file. Exit 0 when every file applied, 1 when some failed or ran out
    of time, 2 for bad input.
    """
    project = load_project(path)
    limits = resolve_limits(
        load_config(project.root, config), statement_timeout, timeout, superuser
    )
    with replayed_project(
        path,
        project=project,
        pg_version=pg_version,
        keep_going=keep_going,
        console=err,
        limits=limits,
    ) as session:
        result = session.result
    if fmt is Format.json:
        _emit(json.dumps(jsondoc.replay_doc(result), indent=2) + "\n", output, lambda c: None)
    elif fmt is Format.markdown:
        _emit(markdown.replay_markdown(result), output, lambda c: None)
    else:
        _emit(None, output, lambda c: text.print_replay(c, result))
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@app.command()
@friendly
def inventory(
    path: PathArg,
    keep_going: KeepGoingOpt = False,
    fmt: FormatOpt = Format.text,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
) -> None:
    """Replay, then list tables by domain with columns, indexes, RLS, policies and tenancy."""
    project = load_project(path)
    settings = load_config(project.root, config)
    with replayed_project(
        path,
        project=project,
        pg_version=pg_version,
        keep_going=keep_going,
        console=err,
        limits=resolve_limits(settings, statement_timeout, timeout, superuser),
    ) as session:
        result = session.result
        inv = build_inventory(session.catalog, settings)
    if not result.ok:
        text.print_replay(err, result, all_files=False)
    if fmt is Format.json:
        _emit(
            json.dumps(jsondoc.inventory_doc(inv, result), indent=2) + "\n", output, lambda c: None
        )
    elif fmt is Format.markdown:
        _emit(markdown.inventory_markdown(inv), output, lambda c: None)
    else:

        def render(console: Console) -> None:
            applied = sum(1 for f in result.files if f.status == "applied")
            console.print(
                f"[dim]{applied} of {len(result.files)} migrations of "
                f"{project.migrations_dir} replayed on {result.server} in "
                f"{result.seconds:.2f} s[/]\n",
                highlight=False,
            )
            text.print_inventory(console, inv)

        _emit(None, output, render)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


class FailOn(StrEnum):
    error = "error"
    warn = "warn"
    info = "info"
    never = "never"


@app.command()
@friendly
def lint(
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
    keep_going: KeepGoingOpt = False,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
) -> None:
    """Find index, RLS, security, schema and migration-safety problems, each with a fix.

    `pgvet lint PATH` replays the migrations into a sandbox and lints the result and the
    files; `pgvet lint --db URL` reads a live database without writing to it. Exit 0 when
    nothing reaches `--fail-on`, 1 when something does, 2 for bad input.
    """
    from pgvet.rules.command import LintRequest, run_lint_command

    if path is None and db is None:
        raise PgvetError("give a project PATH or --db URL", hint="see `pgvet lint --help`")
    if db is not None and (statement_timeout or timeout or superuser):
        raise PgvetError(
            "--statement-timeout, --timeout and --superuser apply to a replay; "
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
    )
    outcome = run_lint_command(request, err)
    if write_baseline is not None:
        err.print(f"wrote {outcome.baselined_written} findings to {write_baseline}")
        raise typer.Exit(EXIT_OK)
    findings = outcome.findings
    if fmt is LintFormat.json:
        doc = jsondoc.findings_doc(
            findings, source=outcome.source, partial=outcome.partial, baselined=outcome.baselined
        )
        _emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is LintFormat.sarif:
        from pgvet.report.sarif import sarif_doc

        doc = sarif_doc(findings, outcome.root, outcome.migrations_dir)
        _emit(json.dumps(doc, indent=2) + "\n", output, lambda c: None)
    elif fmt is LintFormat.markdown:
        body = markdown.findings_markdown(findings)
        if coverage and outcome.coverage is not None:
            from pgvet.report.coverage import coverage_markdown

            body += "\n" + coverage_markdown(outcome.coverage)
        _emit(body, output, lambda c: None)
    else:

        def render(console: Console) -> None:
            text.print_findings(console, findings)
            if outcome.baselined:
                console.print(f"[dim]{outcome.baselined} findings hidden by the baseline[/]")
            if coverage and outcome.coverage is not None:
                from pgvet.report.coverage import coverage_text

                coverage_text(console, outcome.coverage)

        _emit(None, output, render)
    failing = outcome.replay_failed or (
        fail_on is not FailOn.never and bool(at_or_above(findings, Level(fail_on.value)))
    )
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


@app.command()
def rules(
    name: Annotated[
        str | None, typer.Argument(help="A rule name or code: print its documentation.")
    ] = None,
) -> None:
    """List every rule, or print one rule's documentation with its bad and good examples."""
    from rich.markdown import Markdown
    from rich.table import Table

    from pgvet.rules import REGISTRY, find_rule

    console = Console(width=None if sys.stdout.isatty() else 140)
    if name:
        found = find_rule(name)
        if found is None:
            err.print(f"[red]error:[/] no rule named {name}", highlight=False)
            err.print("[dim]hint:[/] `pgvet rules` lists them")
            raise typer.Exit(EXIT_USAGE)
        console.print(
            f"[bold]{found.name}[/] ({found.code}) · {found.level.value} · "
            f"{found.category.value}" + (" · fixable" if found.fixable else "")
        )
        console.print(f"[bold]{found.title}[/]\n")
        console.print(Markdown(found.doc))
        return
    table = Table(header_style="bold", box=None)
    for column in ("code", "name", "level", "category"):
        table.add_column(column, no_wrap=True)
    table.add_column("title")
    for r in sorted(REGISTRY.values(), key=lambda r: r.code):
        table.add_row(r.code, r.name, r.level.value, r.category.value, r.title)
    console.print(table)


@app.command()
@friendly
def fix(
    path: PathArg,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="One file without CONCURRENTLY (blocks writes while indexes build) instead of "
            "one file per concurrent statement.",
        ),
    ] = False,
    rule_names: Annotated[
        list[str] | None, typer.Option("--rule", "-r", help="Only fixes of these rules.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the fix SQL instead of writing files.")
    ] = False,
    pg_version: PgVersionOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
) -> None:
    """Write the fixes of the current findings as new, timestamped migrations."""
    from pgvet.fixes import fix_statements, write_fix_migrations
    from pgvet.rules.command import LintRequest, run_lint_command

    request = LintRequest(
        path=path,
        rules=tuple(rule_names or ()),
        pg_version=pg_version,
        config=config,
        statement_timeout=statement_timeout,
        timeout=timeout,
        superuser=superuser,
    )
    outcome = run_lint_command(request, err)
    if outcome.migrations_dir is None:
        raise PgvetError("no migrations folder to write into")
    if dry_run:
        sys.stdout.write("\n\n".join(fix_statements(outcome.findings)) + "\n")
        return
    written = write_fix_migrations(outcome.findings, outcome.migrations_dir, concurrent=not plain)
    if not written:
        err.print("nothing to fix")
    for file in written:
        err.print(f"wrote {file}")


from pgvet.rls.command import rls_app  # noqa: E402 - mounted after the main commands

app.add_typer(rls_app, name="rls", help="Prove tenant isolation by running queries as personas.")

from pgvet.types.cli import types_command  # noqa: E402 - shares the options defined above

app.command("types")(types_command)

from pgvet.inspect.cli import inspect_command  # noqa: E402 - shares the options defined above

app.command("inspect")(inspect_command)

from pgvet.backup.command import backup_app  # noqa: E402 - mounted after the main commands

app.add_typer(backup_app, name="backup", help="Prove the backups: restore, compare, drill PITR.")
