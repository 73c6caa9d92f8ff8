"""``pgvet fix``: write the fixes of the current findings as new migrations."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pgvet.cli.common import (
    ConfigOpt,
    DecodeBomOpt,
    PathArg,
    PgVersionOpt,
    StatementTimeoutOpt,
    SuperuserOpt,
    TimeoutOpt,
    err,
    friendly,
)
from pgvet.errors import PgvetError


@friendly
def fix_command(
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
    decode_bom: DecodeBomOpt = None,
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
        decode_bom=decode_bom,
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
