"""``pgvet backup verify`` and ``pgvet backup drill``: thin commands over the backup package.

Mounted by the main CLI with ``app.add_typer(backup_app, name="backup")``. Exit codes: 0 the
backup restored and equals its source (the drill's restores all verified), 1 a restore
failure or a difference, 2 bad input (a truncated or corrupted dump, a bad option), never a
traceback; connection strings are redacted.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pgvet.cli.common import DecodeBomOpt, err, friendly
from pgvet.errors import EXIT_FINDINGS, EXIT_OK, InputError

backup_app = typer.Typer(
    name="backup",
    help="Prove the backups: restore and compare a dump, drill point-in-time recovery.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


@backup_app.callback()
def _backup() -> None:
    """Backups you can prove."""


def _write(content: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(content)
    else:
        output.write_text(content, encoding="utf-8")
        err.print(f"wrote {output}")


@backup_app.command("verify")
@friendly
def verify(
    dumps: Annotated[
        list[Path],
        typer.Argument(
            help="The backup: plain SQL files (`supabase db dump`'s roles, schema and data "
            "files; pg_dump -Fp, gzip allowed), a custom-format archive (-Fc), a directory "
            "(-Fd) or a tar archive (-Ft).",
            show_default=False,
        ),
    ],
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Compare with this database (read-only session, timeouts; the URL is "
            "redacted). Prefer PGPASSWORD or ~/.pgpass to a password in the URL.",
            envvar="PGVET_BACKUP_AGAINST",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="Compare with this project's migrations and seed, replayed in a sandbox.",
            show_default=False,
        ),
    ] = None,
    superuser: Annotated[
        bool,
        typer.Option(
            "--superuser",
            help="Restore as the superuser supabase_admin instead of postgres (self-hosted "
            "full dumps; never on untrusted dumps).",
        ),
    ] = False,
    empty_target: Annotated[
        bool,
        typer.Option(
            "--empty-target",
            help="Restore into an empty database instead of one that has Supabase's schemas "
            "(auth, storage…) already: for full pg_dump dumps that carry those schemas.",
        ),
    ] = False,
    seed: Annotated[
        bool, typer.Option("--seed/--no-seed", help="--project: load the project's seed.")
    ] = True,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    pg_version: Annotated[
        int | None,
        typer.Option(
            "--pg-version",
            help="PostgreSQL major to restore into (default: the source's).",
            show_default=False,
        ),
    ] = None,
    statement_timeout: Annotated[
        str | None,
        typer.Option(
            "--statement-timeout",
            metavar="DURATION",
            help="Cut any one statement of the restore or the comparison (default 30min).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        str | None,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="Cut the whole command after this long (default: none).",
            show_default=False,
        ),
    ] = None,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Restore a logical backup into a sandbox, then compare it with its source.

    Reports every statement that did not restore (file:line; TOC entry for archives), then
    every difference from the source: schema (tables, columns, constraints, indexes,
    policies, functions, views, triggers, grants), per-table row counts and content
    hashes (naming the rows of small tables), sequences, extensions, RLS, roles. Exit 0
    when it restored cleanly and equals the source, 1 otherwise, 2 for bad input (a
    truncated or corrupted dump).
    """
    from pgvet.backup import report as render
    from pgvet.backup.verify import VerifyRequest, verify_backup
    from pgvet.replay.limits import Limits, parse_duration

    if decode_bom is not None and project is None:
        raise InputError("--decode-bom applies to the replay of --project")
    if superuser:
        err.print(
            "[yellow]warning:[/] --superuser: the dump's SQL runs as supabase_admin; do not "
            "use it on a dump you do not trust"
        )
    limits = Limits(
        parse_duration(statement_timeout or "30min", "--statement-timeout"),
        parse_duration(timeout, "--timeout") if timeout else None,
    )
    request = VerifyRequest(
        tuple(dumps),
        against=against,
        project=project,
        pg_version=pg_version,
        superuser=superuser,
        empty_target=empty_target,
        seed=seed,
        limits=limits,
        decode_bom=decode_bom,
    )
    result = verify_backup(request, err)
    if fmt is Format.json:
        _write(render.verify_json(result), output)
    elif fmt is Format.markdown:
        _write(render.verify_markdown(result), output)
    elif output is not None:
        with output.open("w", encoding="utf-8") as handle:
            render.print_verify(Console(file=handle, width=160, no_color=True), result)
        err.print(f"wrote {output}")
    else:
        width = None if sys.stdout.isatty() else 160
        render.print_verify(Console(highlight=False, width=width), result)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


RUNBOOK = "BACKUP_DISASTER_RECOVERY.md"


@backup_app.command("drill")
@friendly
def drill(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=f"Write the runbook to this file, or into this folder as {RUNBOOK}.",
        ),
    ] = None,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project", help="Load this project's migrations and seed on the primary first."
        ),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            help="Restore to this kind of target: name (restore point), lsn or time; "
            "repeatable (default: all three).",
        ),
    ] = None,
    point: Annotated[int, typer.Option("--point", help="Which recorded point to restore to.")] = 2,
    batches: Annotated[int, typer.Option("--batches", help="Write batches (points).")] = 4,
    rows: Annotated[int, typer.Option("--rows", help="Rows per batch.")] = 2000,
    pg_version: Annotated[
        int | None,
        typer.Option("--pg-version", help="PostgreSQL major to drill on.", show_default=False),
    ] = None,
    tool: Annotated[
        str,
        typer.Option(
            "--tool",
            help="Backup tool: auto (pgBackRest when `pgbackrest` is on PATH and supports "
            "the server, else pg_basebackup), pgbackrest or basebackup.",
        ),
    ] = "auto",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    decode_bom: DecodeBomOpt = None,
) -> None:
    """Drill point-in-time recovery end to end, measure RTO, write the runbook.

    Starts a primary with WAL archiving, takes a base backup (pgBackRest or
    pg_basebackup, --tool), writes in
    batches with recorded points (time, LSN, named restore point, table hashes), then
    restores to each target kind and checks the restored tables equal the recorded point
    and nothing after it. Exit 0 when every restore verified, 1 otherwise (a missing WAL
    segment is named), 2 for bad input.
    """
    from pgvet.backup.drill import TARGET_KINDS, DrillRequest, run_drill
    from pgvet.backup.runbook import runbook

    request = DrillRequest(
        pg_version=pg_version,
        project=project,
        targets=tuple(target or TARGET_KINDS),
        point=point,
        batches=batches,
        rows=rows,
        tool=tool,
        decode_bom=decode_bom,
    )
    if decode_bom is not None and project is None:
        raise InputError("--decode-bom applies to the replay of --project")
    report = run_drill(request, err)
    document = runbook(report)
    if output is not None:
        path = output / RUNBOOK if output.is_dir() else output
        path.write_text(document, encoding="utf-8")
        err.print(f"wrote {path}")
    if fmt is Format.markdown:
        sys.stdout.write(document)
    elif fmt is Format.json:
        from pgvet.backup.report import drill_json

        sys.stdout.write(drill_json(report))
    else:
        from pgvet.backup.report import print_drill

        print_drill(Console(highlight=False, width=None if sys.stdout.isatty() else 160), report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)
