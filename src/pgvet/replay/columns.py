"""The missing column behind a skipped ``CREATE TABLE IF NOT EXISTS``.

A history often creates a table twice: once early, later again with ``IF NOT EXISTS`` and
more columns. PostgreSQL skips the second statement with only a NOTICE, so the new
columns never exist and a later statement fails with ``column "c" does not exist``. The
hint is given only when the files show exactly that: a ``CREATE TABLE IF NOT EXISTS`` with
the column, in a file that applied, after an earlier creation of the table without it,
and no applied statement that adds the column.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pgvet.replay.definitions import places, tree_of
from pgvet.replay.ledger import Ledger

if TYPE_CHECKING:
    from pgvet.replay.failure import Failure
    from pgvet.replay.project import MigrationFile, Project, Statement

_COLUMN = re.compile(
    r'column "([^"]+)" of relation "([^"]+)" does not exist'
    r'|column "([^"]+)" does not exist'
    r"|column (\w+)\.(\w+) does not exist"
)


def _missing(message: str) -> tuple[str, str | None] | None:
    """(column, table or None) named by a 42703 message."""
    m = _COLUMN.search(message)
    if not m:
        return None
    if m[1]:
        return m[1], m[2]
    if m[3]:
        return m[3].split(".")[-1], None
    return m[5], m[4]


def _relations(sql: str) -> list[str]:
    """Names of the tables a statement reads or changes (RangeVar nodes)."""
    out: list[str] = []
    stack: list[Any] = [tree_of(sql)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            rel = node.get("RangeVar") or (node if "relname" in node else None)
            if isinstance(rel, dict) and rel.get("relname"):
                out.append(rel["relname"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return list(dict.fromkeys(out))


def _create(stmt: Statement) -> tuple[bool, set[str]] | None:
    """(IF NOT EXISTS?, column names) of a CREATE TABLE statement, None otherwise."""
    stmts = tree_of(stmt.text).get("stmts", [])
    body = stmts[0].get("stmt", {}).get("CreateStmt") if stmts else None
    if not body:
        return None
    columns = {e["ColumnDef"]["colname"] for e in body.get("tableElts", []) if "ColumnDef" in e}
    return bool(body.get("if_not_exists")), columns


def _adds(project: Project, table: str, column: str, ledger: Ledger) -> bool:
    """Whether an applied migration adds ``column`` to ``table`` with ALTER TABLE."""
    for migration in project.files:
        if ledger.status(migration.filename) != "applied":
            continue
        for stmt in migration.statements:
            body = tree_of(stmt.text).get("stmts", [{}])[0].get("stmt", {}).get("AlterTableStmt")
            if not body or body.get("relation", {}).get("relname") != table:
                continue
            for cmd in body.get("cmds", []):
                sub = cmd.get("AlterTableCmd", {})
                added = sub.get("def", {}).get("ColumnDef", {}).get("colname")
                if sub.get("subtype") == "AT_AddColumn" and added == column:
                    return True
    return False


def _statement(project: Project, file: str, line: int) -> Statement | None:
    migration = project.file_named(file)
    if migration is None:
        return None
    return next((s for s in migration.statements if s.line == line), None)


def skipped_create_hint(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    """The hint for a column missing because its ``CREATE TABLE IF NOT EXISTS`` was
    skipped, or None when the files do not show that."""
    missing = _missing(failure.message)
    if missing is None:
        return None
    column, table = missing
    tables = [table.split(".")[-1]] if table else _relations(failure.statement or "")
    here = (migration.filename, failure.statement_line or 0)
    for name in tables:
        creations = []
        for place in places(project, "table", name):
            if place.source != "migration" or (place.file, place.line) >= here:
                continue
            if place.file != migration.filename and ledger.status(place.file) != "applied":
                continue
            stmt = _statement(project, place.file, place.line)
            found = _create(stmt) if stmt else None
            if found is not None:
                creations.append((place, *found))
        if len(creations) < 2 or column in creations[0][2]:
            continue
        skipped = [c for c in creations[1:] if c[1] and column in c[2]]
        if not skipped or _adds(project, name, column, ledger):
            continue
        first, later = creations[0][0], skipped[0][0]
        return (
            f"column {column} is not in table {name}: the table was created at "
            f"{first.location} without it, and the `create table if not exists {name}` at "
            f"{later.location}, which lists {column}, was skipped because the table already "
            "existed (PostgreSQL says so only in a NOTICE). Add the column with "
            f"`alter table {name} add column if not exists {column} ...`"
        )
    return None
