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
from pgvet.config import load_config
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, PgvetError
from pgvet.inventory import build_inventory
from pgvet.project import load_project
from pgvet.report import jsondoc, markdown, text
from pgvet.sandbox.cluster import raise_on_sigterm
from pgvet.session import replayed_project

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

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn pgvet's errors, Ctrl-C and SIGTERM into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raise_on_sigterm()
        try:
            return fn(*args, **kwargs)
        except PgvetError as exc:
            err.print(f"[red]error:[/] {exc.message}", highlight=False)
            if exc.hint:
                err.print(f"[dim]hint:[/] {exc.hint}", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]: sandbox stopped and removed")
            raise typer.Exit(130) from None
        except psycopg.OperationalError as exc:
            err.print(f"[red]error:[/] lost the connection to the server: {exc}")
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


@app.command()
@friendly
def replay(
    path: PathArg,
    keep_going: KeepGoingOpt = False,
    fmt: FormatOpt = Format.text,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
) -> None:
    """Replay a migrations folder into a throwaway PostgreSQL and explain every failure.

    Strict by default, like `supabase db reset`: one transaction per file, stop at
    the first failing file. Exit 0 when every file applied, 1 when some failed, 2 for bad
    input.
    """
    project = load_project(path)
    with replayed_project(
        path, project=project, pg_version=pg_version, keep_going=keep_going, console=err
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
) -> None:
    """Replay, then list tables by domain with columns, indexes, RLS, policies and tenancy."""
    project = load_project(path)
    settings = load_config(project.root, config)
    with replayed_project(
        path, project=project, pg_version=pg_version, keep_going=keep_going, console=err
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
        _emit(None, output, lambda c: text.print_inventory(c, inv))
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)
