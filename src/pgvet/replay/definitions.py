"""Where the project creates each object: migrations, prelude files, and skipped files.

Hints and the "never reached the sandbox" list must check their premises ("created later",
"created by a failed file", "never created") against the files, not guess. This index
records every creating statement, also those inside ``DO`` blocks (``if not exists (…)
then create table …``, ``alter type … add value`` in a block), at the line of the
statement itself, together with which kind of file it is in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pgvet.analysis.sql import parse
from pgvet.replay.ddl import Touch, may_touch, touches, touches_of_sql
from pgvet.replay.paths import resolves_inside
from pgvet.replay.plpgsql import body_offset
from pgvet.replay.project import MigrationFile, Project, Statement, read_migration

#: kinds that share PostgreSQL's relation namespace are looked up as "table"
_RELATION_KINDS = {"view": "table", "sequence": "table"}


@dataclass(frozen=True)
class Place:
    """A statement that creates an object: its file, line, and whether that file is a
    ``migration``, a ``prelude`` file, or one the CLI ``skipped``."""

    file: str
    line: int
    source: str = "migration"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


def _queries(node: Any, out: list[tuple[str, int]]) -> None:
    """Every SQL statement of a PL/pgSQL tree, with its line in the body."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "PLpgSQL_stmt_execsql":
                query = value.get("sqlstmt", {}).get("PLpgSQL_expr", {}).get("query")
                if query:
                    out.append((query, int(value.get("lineno", 1))))
            _queries(value, out)
    elif isinstance(node, list):
        for item in node:
            _queries(item, out)


def _may_touch(sql: str, kinds: frozenset[str] | None) -> bool:
    """Whether ``sql`` holds a statement of ``kinds`` (read off the parser's JSON, nothing
    decoded); always when ``kinds`` is None."""
    if kinds is None:
        return True
    return may_touch(sql) and not kinds.isdisjoint(parse.statement_kinds(sql) or ())


def creations(stmt: Statement, kinds: frozenset[str] | None = None) -> list[tuple[Touch, int]]:
    """What ``stmt`` creates or alters, each with its line in the file; a DO block's
    statements are read too, at their own lines. ``kinds``: only statements of these kinds
    are decoded and read (DO blocks are always looked into)."""
    out = [(touch, stmt.line) for touch in touches(stmt)] if _may_touch(stmt.text, kinds) else []
    if out or stmt.text[:2].lower() != "do":
        return out
    start = body_offset(stmt.text)
    tree = parse.plpgsql(stmt.text)
    if tree is None or start is None:
        return out
    first = stmt.line + stmt.text.count("\n", 0, start)
    found: list[tuple[str, int]] = []
    _queries(tree, found)
    for query, lineno in found:
        if _may_touch(query.strip(), kinds):
            out += [(touch, first + lineno - 1) for touch in touches_of_sql(query.strip())]
    return out


def _skipped_files(project: Project) -> list[MigrationFile]:
    """The .sql files the CLI skips, read only when they stay inside the project."""
    out = []
    for skipped in project.skipped:
        path = skipped.path
        if path.suffix != ".sql" or not path.is_file():
            continue
        if not resolves_inside(path, [project.root]):
            continue
        label = str(path.relative_to(project.migrations_dir))
        loaded = read_migration(path, "", "", label)
        if isinstance(loaded, MigrationFile):
            out.append(loaded)
    return out


@cache
def definitions(
    project: Project, prelude: tuple[MigrationFile, ...] = ()
) -> dict[tuple[str, str], list[Place]]:
    """(kind, name) → places that create it, prelude first, then migrations in file order,
    then skipped files; each name under its short and its qualified spelling."""
    index: dict[tuple[str, str], list[Place]] = defaultdict(list)
    sources = (
        [(f, "prelude") for f in prelude]
        + [(f, "migration") for f in project.files]
        + [(f, "skipped") for f in _skipped_files(project)]
    )
    for migration, source in sources:
        for stmt in migration.statements:
            for touch, line in creations(stmt):
                if not touch.created:
                    continue
                kind = _RELATION_KINDS.get(touch.kind, touch.kind)
                place = Place(stmt.file, line, source)
                index[(kind, touch.name.lower())].append(place)
                index[(kind, f"{touch.schema}.{touch.name}".lower())].append(place)
    return index


def places(
    project: Project, kind: str, name: str, prelude: tuple[MigrationFile, ...] = ()
) -> list[Place]:
    """Where ``name`` (short or qualified, quotes ignored) of ``kind`` is created."""
    key = (_RELATION_KINDS.get(kind, kind), name.replace('"', "").lower())
    return definitions(project, prelude).get(key, [])


_DROPPED_KINDS = {
    "OBJECT_TABLE": "table",
    "OBJECT_VIEW": "table",
    "OBJECT_MATVIEW": "table",
    "OBJECT_SEQUENCE": "table",
    "OBJECT_TYPE": "type",
    "OBJECT_DOMAIN": "type",
    "OBJECT_FUNCTION": "function",
}


def _strings(node: Any) -> list[str]:
    """The identifier strings of a name node (List, TypeName or ObjectWithArgs)."""
    if isinstance(node, dict):
        if "String" in node:
            return [node["String"]["sval"]]
        inner = node.get("List", {}).get("items") or node.get("TypeName", {}).get("names")
        inner = inner or node.get("ObjectWithArgs", {}).get("objname") or []
        return [s for item in inner for s in _strings(item)]
    return []


def removals(project: Project, kind: str, name: str) -> list[Place]:
    """Migration statements that drop or rename ``name`` of ``kind`` (short name)."""
    short = name.replace('"', "").split(".")[-1].lower()
    out = []
    for migration in project.files:
        for stmt in migration.statements:
            lowered = stmt.text[:6].lower()
            if lowered.startswith("drop"):
                body = tree_of(stmt.text).get("stmts", [{}])[0].get("stmt", {}).get("DropStmt")
                if body and _DROPPED_KINDS.get(body.get("removeType", "")) == kind:
                    names = [(_strings(o) or [""])[-1].lower() for o in body.get("objects", [])]
                    if short in names:
                        out.append(Place(stmt.file, stmt.line))
            elif lowered.startswith("alter"):
                for touch in touches(stmt):
                    renamed = (touch.renamed_from or "").lower() == short
                    if renamed and _RELATION_KINDS.get(touch.kind, touch.kind) == kind:
                        out.append(Place(stmt.file, stmt.line))
    return out


def tree_of(sql: str) -> dict[str, Any]:
    """The parse tree of one statement, shaped as pglast's JSON (``{"stmts": [{"stmt": …}]}``;
    empty when it does not parse). Shared with every other reader of the text: read only."""
    stmts = parse.statements(sql)
    return {} if stmts is None else {"stmts": [{"stmt": s} for s in stmts]}


#: statements that create what PostgreSQL names in the relation namespace
RELATION_STATEMENTS = frozenset(
    {
        "CreateStmt",
        "CreateForeignTableStmt",
        "CreateTableAsStmt",
        "ViewStmt",
        "CreateSeqStmt",
    }
)


def relation_places(statements: Iterable[Statement]) -> dict[str, list[Place]]:
    """``schema.name`` (lower case) → where ``statements`` create a relation of that name,
    as :func:`definitions` has them under ``("table", …)``, in their order.

    For the migration rules, which ask only about tables: they pass the statements that
    can create one (of :data:`RELATION_STATEMENTS`, or ``DO`` blocks), so the policies,
    functions and triggers of a large project are not decoded for it."""
    index: dict[str, list[Place]] = defaultdict(list)
    for stmt in statements:
        if not _may_create_relation(stmt.text):
            continue
        for touch, line in creations(stmt, RELATION_STATEMENTS):
            if touch.created and _RELATION_KINDS.get(touch.kind, touch.kind) == "table":
                index[f"{touch.schema}.{touch.name}".lower()].append(Place(stmt.file, line))
    return index


def _may_create_relation(text: str) -> bool:
    """Whether a statement may create a relation, itself or in a DO block: DDL, or a
    block that names ``create`` and a relation kind (a cheap over-approximation; what
    passes is parsed)."""
    if may_touch(text):
        return True
    if text[:2].lower() != "do":
        return False
    lower = text.lower()
    return "create" in lower and any(word in lower for word in ("table", "view", "sequence"))
