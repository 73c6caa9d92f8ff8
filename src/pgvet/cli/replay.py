"""``pgvet replay``: replay a migrations folder and explain every failure."""

from __future__ import annotations

import json

import typer

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
def replay_command(
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
    """Replay a migrations folder into a throwaway PostgreSQL and explain every failure.

    Strict by default, like `supabase db reset`: one transaction per file, stop at
    the first failing file. Exit 0 when every file applied, 1 when some failed or ran out
    of time, 2 for bad input.
    """
    project = load_project(path)
    limits = resolve_limits(
        load_config(project.root, config), statement_timeout, timeout, superuser, decode_bom
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
        emit(json.dumps(jsondoc.replay_doc(result), indent=2) + "\n", output, lambda c: None)
    elif fmt is Format.markdown:
        emit(markdown.replay_markdown(result), output, lambda c: None)
    else:
        emit(None, output, lambda c: text.print_replay(c, result))
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)
