"""``pgvet fix``: write the schema fixes of the current findings as new migrations, only
those proven on a replay of the project (see :mod:`pgvet.fixing`)."""

from __future__ import annotations

from typing import Annotated

import typer

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


@friendly
def fix_command(
    path: PathArg,
    rule_names: Annotated[
        list[str] | None, typer.Option("--rule", "-r", help="Only fixes of these rules.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Prove the fixes and print the plan; write nothing."),
    ] = False,
    include_access_changes: Annotated[
        bool,
        typer.Option(
            "--include-access-changes",
            help="Also write fixes that narrow what anon/authenticated may reach (a revoke, "
            "RLS turned on); fixes that widen it are never written.",
        ),
    ] = False,
    fmt: FormatOpt = Format.text,
    output: OutputOpt = None,
    pg_version: PgVersionOpt = None,
    config: ConfigOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    timeout: TimeoutOpt = None,
    superuser: SuperuserOpt = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Prove the fixes of the current findings on a replay, then write the ones that apply,
    remove their finding, add none and widen no access, as new timestamped migrations."""
    from pgvet.fixing.command import FixRequest, run_fix
    from pgvet.fixing.report import print_text, to_json, to_markdown

    report = run_fix(
        FixRequest(
            path=path,
            rules=tuple(rule_names or ()),
            dry_run=dry_run,
            include_access_changes=include_access_changes,
            pg_version=pg_version,
            config=config,
            statement_timeout=statement_timeout,
            timeout=timeout,
            superuser=superuser,
            decode_bom=decode_bom,
        ),
        err,
    )
    if fmt is Format.json:
        emit(to_json(report), output, lambda c: None)
    elif fmt is Format.markdown:
        emit(to_markdown(report), output, lambda c: None)
    else:
        emit(None, output, lambda console: print_text(console, report))
