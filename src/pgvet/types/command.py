"""``pgvet types``: read the database (a replayed sandbox or a live one), then generate the
types file or check an existing one. The CLI only parses options and renders."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import psycopg
from rich.console import Console

from pgvet.errors import InputError
from pgvet.findings import Finding
from pgvet.types.check import check_types, display_path
from pgvet.types.introspect import read_types_meta
from pgvet.types.model import TypesMeta
from pgvet.types.python import generate_python
from pgvet.types.tsparse import ParseError, TsMember, parse_database
from pgvet.types.typescript import TypeScriptGenerator

Language = Literal["typescript", "python"]


@dataclass(frozen=True)
class TypesRequest:
    """What ``pgvet types`` was asked to do."""

    path: Path | None = None
    db: str | None = None
    lang: Language = "typescript"
    schemas: tuple[str, ...] = ("public",)
    check: Path | None = None
    keep_going: bool = False
    pg_version: int | None = None
    one_to_one: bool = True
    postgrest_version: str | None = None
    #: the replay's settings file and options (None: ``[replay]``, else the default)
    config: Path | None = None
    statement_timeout: str | None = None
    timeout: str | None = None
    superuser: bool | None = None
    decode_bom: bool | None = None


@dataclass
class TypesOutcome:
    """The generated file, or the --check findings, and how the database was read."""

    text: str = ""
    findings: list[Finding] = field(default_factory=list)
    source: str = ""
    replay_failed: bool = False


def split_schemas(values: list[str] | None) -> tuple[str, ...]:
    """``--schema a,b --schema c`` → ``("a", "b", "c")``; ``public`` when none."""
    names = [n.strip() for v in values or () for n in v.split(",") if n.strip()]
    return tuple(dict.fromkeys(names)) or ("public",)


def generate(meta: TypesMeta, request: TypesRequest) -> str:
    """The types file for ``meta`` in the requested language."""
    if request.lang == "python":
        return generate_python(meta)
    return TypeScriptGenerator(
        meta, one_to_one=request.one_to_one, postgrest_version=request.postgrest_version
    ).generate()


@contextlib.contextmanager
def _database(
    request: TypesRequest, console: Console
) -> Iterator[tuple[psycopg.Connection, str, bool]]:
    """A connection to the database to read, its label, and whether the replay failed."""
    if request.db is not None:
        from pgvet.live.connect import connect_read_only, redact

        with connect_read_only(request.db, application="pgvet types") as conn:
            yield conn, redact(request.db), False
        return
    assert request.path is not None
    from pgvet.config import load_config
    from pgvet.replay.limits import resolve_limits
    from pgvet.replay.project import load_project
    from pgvet.replay.session import replayed_project
    from pgvet.report import text

    project = load_project(request.path)
    limits = resolve_limits(
        load_config(project.root, request.config),
        request.statement_timeout,
        request.timeout,
        request.superuser,
        request.decode_bom,
    )
    with replayed_project(
        request.path,
        project=project,
        pg_version=request.pg_version,
        keep_going=request.keep_going,
        console=console,
        limits=limits,
    ) as session:
        if not session.result.ok:
            text.print_replay(console, session.result, all_files=False)
        yield session.conn, str(project.migrations_dir), not session.result.ok


def run_types(request: TypesRequest, console: Console) -> TypesOutcome:
    """Read the database, then generate (or, with ``check``, compare)."""
    if request.path is None and request.db is None:
        raise InputError("give a project PATH or --db URL", hint="see `pgvet types --help`")
    existing = _read_check_file(request) if request.check is not None else None
    with _database(request, console) as (conn, source, replay_failed):
        meta = read_types_meta(conn, request.schemas)
    outcome = TypesOutcome(source=source, replay_failed=replay_failed)
    if existing is None:
        outcome.text = generate(meta, request)
        return outcome
    assert request.check is not None
    _, expected = parse_database(generate(meta, request))
    database_line, actual = existing
    outcome.findings = check_types(expected, actual, display_path(request.check), database_line)
    return outcome


def _read_check_file(request: TypesRequest) -> tuple[int, dict[str, TsMember]]:
    path = request.check
    assert path is not None
    if request.lang != "typescript":
        raise InputError("--check reads TypeScript types files only", hint="drop --lang python")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    try:
        return parse_database(source)
    except ParseError as exc:
        raise InputError(
            f"{path}: not a Supabase types file ({exc})",
            hint="the file `supabase gen types typescript` or `pgvet types` writes",
        ) from exc
