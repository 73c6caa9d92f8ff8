"""What several index rules share: where a table, column, foreign key or index was
defined (file:line), the finding they build, and the drop fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pgvet.analysis import exprs
from pgvet.analysis.history import rel_key, steps_of
from pgvet.analysis.indexing import ROW_TABLE_KINDS, unindexed_foreign_keys
from pgvet.analysis.memo import memo
from pgvet.analysis.sql.parse import statements
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import Catalog, Index, Origin, Table
from pgvet.replay.ddl import altered_kind
from pgvet.rules.registry import Hit, LintContext

if TYPE_CHECKING:
    from pgvet.replay.project import Project, Statement


def fk_fix_leads(catalog: Catalog) -> set[tuple[str, str, str]]:
    """``(schema, table, column)`` that an unindexed-foreign-key fix will lead with."""
    return {(fk.schema, fk.table, fk.columns[0]) for fk in unindexed_foreign_keys(catalog)}


_TABLE_STATEMENTS = frozenset({"CreateStmt", "AlterTableStmt"})


@lru_cache(maxsize=4096)
def _column_offsets(sql: str, schema: str, table: str) -> tuple[tuple[str, int], ...]:
    """``(column, byte offset)`` for each column a CREATE TABLE or ALTER TABLE ... ADD
    COLUMN statement defines on ``schema.table``; table-level foreign keys (in either
    statement) appear as ``("fk:a,b", offset)``."""
    out: list[tuple[str, int]] = []
    for stmt in statements(sql) or ():  # the shared trees: only read here
        # a CREATE or ALTER TABLE holds no other one: no need to walk its whole tree to
        # find itself (other statements, such as CREATE SCHEMA, are walked)
        top = next(iter(stmt.items()), None)
        found = [top] if top and top[0] in _TABLE_STATEMENTS else exprs.walk(stmt)
        for kind, body in found:
            if kind not in _TABLE_STATEMENTS:
                continue
            rel = body.get("relation", {})
            if (rel.get("schemaname", "public"), rel.get("relname")) != (schema, table):
                continue
            for kind2, node in _definitions(body):
                if kind2 == "ColumnDef":
                    out.append((node.get("colname", ""), node.get("location", 0)))
                elif kind2 == "Constraint" and node.get("contype") == "CONSTR_FOREIGN":
                    cols = [a["String"]["sval"] for a in node.get("fk_attrs", []) if "String" in a]
                    if cols:
                        out.append(("fk:" + ",".join(cols), node.get("location", 0)))
    return tuple(out)


def _definitions(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The column and table-constraint definitions of a CREATE TABLE (its elements) or an
    ALTER TABLE (each command's definition), without walking their whole trees (types,
    defaults and checks hold none: an inline ``references`` has no ``fk_attrs``)."""
    for elt in body.get("tableElts", []):
        yield from elt.items()
    for cmd in body.get("cmds", []):
        yield from cmd.get("AlterTableCmd", {}).get("def", {}).items()


def _line_at(text: str, offset: int) -> int:
    return text.encode()[:offset].decode(errors="ignore").count("\n")


def column_location(ctx: LintContext, schema: str, table: str, name: str) -> tuple[str, int] | None:
    """File and line of the (last) definition of column ``name`` of ``schema.table``, or of a
    table-level foreign key when ``name`` is ``"fk:a,b"``; None without migrations."""
    if ctx.project is None:
        return None
    found = None
    for stmt in _statements_on_tables(ctx.project).get((schema, table), ()):
        for column, offset in _column_offsets(stmt.text, schema, table):
            if column == name:
                found = (stmt.file, stmt.line + _line_at(stmt.text, offset))
    return found


def _statements_on_tables(project: Project) -> dict[tuple[str, str], list[Statement]]:
    """The project's statements that touch each table, in migration order; built once per
    project (every column and foreign key location used to scan every statement)."""
    return memo(project, "statements per table", lambda: _index_statements(project))


def _index_statements(project: Project) -> dict[tuple[str, str], list[Statement]]:
    """CREATE and ALTER TABLE statements per table, read off the steps' trees (which the
    history decodes anyway): the policies, functions and seed rows are not looked at."""
    index: dict[tuple[str, str], list[Statement]] = {}
    for step in steps_of(project, _TABLE_STATEMENTS):
        node = step.node
        relation = node.get("relation")
        if not relation or altered_kind(node) != "table":
            continue
        found = index.setdefault(rel_key(relation), [])
        if not found or found[-1] is not step.stmt:
            found.append(step.stmt)
    return index


def origin_location(origin: Origin | None) -> tuple[str, int] | None:
    return (origin.file, origin.line) if origin is not None else None


def table_location(ctx: LintContext, schema: str, table: str) -> tuple[str, int] | None:
    return origin_location(ctx.catalog.origin_of("table", schema, table))


def index_location(ctx: LintContext, index: Index) -> tuple[str, int] | None:
    """Where an index comes from: its CREATE INDEX, its constraint, or its table."""
    found = origin_location(ctx.catalog.origin_for(index))
    if found is None and index.constraint_name:
        key = ("constraint", index.schema, f"{index.table}.{index.constraint_name}")
        found = origin_location(ctx.catalog.origins.get(key))
        if found is None and index.key_count == 1 and index.columns[0]:
            found = column_location(ctx, index.schema, index.table, index.columns[0])
    return found or table_location(ctx, index.schema, index.table)


def index_hit(
    obj: str,
    message: str,
    where: tuple[str, int] | None,
    fix: str | None = None,
    detail: str = "",
    **data: object,
) -> Hit:
    file, line = where if where is not None else (None, None)
    return Hit(obj, message, file=file, line=line, fix=fix, detail=detail, data=dict(data))


def column_list(columns: Iterable[str | None]) -> str:
    return ", ".join(c or "<expression>" for c in columns)


def drop_fix(index: Index) -> str:
    """SQL that removes ``index``: drop its constraint if it backs one, else the index."""
    if index.constraint_name:
        return (
            f"alter table {qualified(index.schema, index.table)} "
            f"drop constraint {ident(index.constraint_name)};"
        )
    return f"drop index concurrently if exists {qualified(index.schema, index.name)};"


def search_tables(catalog: Catalog) -> dict[tuple[str, str], Table]:
    """Relations an index can be built on (tables and materialized views)."""
    kinds = (*ROW_TABLE_KINDS, "materialized_view")
    return {
        t.key: t
        for t in catalog.tables
        if t.kind in kinds and t.parent is None and t.extension is None
    }


def _source_location(ctx: LintContext, source: exprs.Source) -> tuple[str, int] | None:
    return origin_location(ctx.catalog.origins.get(source.key))


def first_location(ctx: LintContext, sources: Iterable[exprs.Source]) -> tuple[str, int] | None:
    """The earliest migration line among the objects that run a search."""
    places = [p for p in (_source_location(ctx, s) for s in sources) if p is not None]
    return min(places) if places else None


def sources_text(sources: Sequence[exprs.Source]) -> str:
    labels = list(dict.fromkeys(s.label for s in sources))
    more = f" and {len(labels) - 3} more" if len(labels) > 3 else ""
    return ", ".join(labels[:3]) + more
