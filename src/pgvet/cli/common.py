"""What every ``pgvet`` command shares: option types, the error wrapper, output.

The commands (one module each in this package, and the capability packages' own
``command``/``cli`` modules) import these so that an option reads and behaves the same
everywhere, and an error is one message and an exit code, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import psycopg
import typer
from rich.console import Console

from pgvet.errors import EXIT_USAGE, PgvetError
from pgvet.report.sanitize import error_text
from pgvet.sandbox.cluster import raise_on_sigterm

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
DecodeBomOpt = Annotated[
    bool | None,
    typer.Option(
        "--decode-bom/--no-decode-bom",
        help="Decode migration files that start with a byte-order mark (UTF-8 or UTF-16) and "
        "replay them; by default they fail as the Supabase CLI fails them. Default: "
        "[replay] decode_bom, else off.",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn pgvet's errors, Ctrl-C, SIGTERM and server errors into a message and an exit code."""

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
            err.print("[yellow]interrupted[/]: every server pgvet started was stopped and removed")
            raise typer.Exit(130) from None
        except psycopg.OperationalError as exc:
            err.print(f"[red]error:[/] lost the connection to the server: {error_text(str(exc))}")
            raise typer.Exit(EXIT_USAGE) from None
        except psycopg.Error as exc:
            first = error_text(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
            err.print(f"[red]error:[/] the server refused a pgvet query: {exc.sqlstate} {first}")
            err.print("[dim]hint:[/] this is a pgvet bug; please report it with the project")
            raise typer.Exit(EXIT_USAGE) from None

    return wrapper  # type: ignore[return-value]


def emit(content: str | None, output: Path | None, render: Callable[[Console], None]) -> None:
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
