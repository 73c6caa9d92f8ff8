"""``pgvet inventory``: replay, then list the tables by domain."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from pgvet.analysis.inventory import build_inventory
from pgvet.cli.common import (
    ConfigOpt,
    DecodeBomOpt,
    Format,
    FormatOpt,
    KeepGoingOpt,
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
from pgvet.errors import EXIT_FINDINGS, EXIT_OK
from pgvet.replay.limits import resolve_limits
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.report import jsondoc, markdown, text


@friendly
def inventory_command(
    path: PathArg,
    keep_going: KeepGoingOpt = False,
    fmt: FormatOpt = Format.text,
    pg_version: PgVersionOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
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
        limits=resolve_limits(settings, statement_timeout, timeout, superuser, decode_bom),
    ) as session:
        result = session.result
        inv = build_inventory(session.catalog, settings)
    if not result.ok:
        text.print_replay(err, result, all_files=False)
    if fmt is Format.json:
        emit(
            json.dumps(jsondoc.inventory_doc(inv, result), indent=2) + "\n", output, lambda c: None
        )
    elif fmt is Format.markdown:
        emit(markdown.inventory_markdown(inv, result), output, lambda c: None)
    else:

        def render(console: Console) -> None:
            migrations = result.migrations
            applied = sum(1 for f in migrations if f.status == "applied")
            prelude = [f.filename for f in result.files if f.prelude]
            after = f", after the prelude {', '.join(prelude)}" if prelude else ""
            console.print(
                f"[dim]{applied} of {len(migrations)} migrations of "
                f"{project.migrations_dir} replayed on {result.server} in "
                f"{result.seconds:.2f} s{text.safe_markup(after)}[/]\n",
                highlight=False,
            )
            text.print_inventory(console, inv)
            text.print_never_reached(console, result)

        emit(None, output, render)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)
