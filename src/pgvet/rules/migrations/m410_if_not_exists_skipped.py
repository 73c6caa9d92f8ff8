"""M410 if-not-exists-skipped:
CREATE ... IF NOT EXISTS silently skipped: the existing object has another definition.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import (
    History,
    IndexDef,
    Node,
    Step,
    TableKey,
    Visitor,
    index_shape,
    key_sql,
    rel_key,
)
from pgvet.analysis.sql.parse import nodes
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import Catalog
from pgvet.rules.migrations.common import (
    MIGRATIONS,
    catalog_knows,
    concurrent_sql,
    failed_files,
    type_parts,
    type_sql,
)
from pgvet.rules.registry import Hit, LintContext, rule


def _compact(sql: str, width: int = 140) -> str:
    """One-line form of a statement for a message."""
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@rule(
    "if-not-exists-skipped",
    "M410",
    "error",
    "correctness",
    "CREATE ... IF NOT EXISTS silently skipped: the existing object has another definition",
    requires=MIGRATIONS,
    history=True,
)
def if_not_exists_skipped(ctx: LintContext) -> Visitor:
    """``create index if not exists`` and ``create table if not exists`` check the *name*
    only. When an earlier migration already created an index of that name with other
    columns, order, predicate, method or uniqueness, or a table of that name without some
    of the columns, PostgreSQL prints a notice, skips the statement, and the migration
    "succeeds": the database keeps the old object, and the index or the columns the author
    meant never exist, so the query stays slow, the uniqueness is not enforced, or the
    application fails on a missing column. pgvet compares parse trees (ignoring names, IF
    NOT EXISTS, CONCURRENTLY and formatting) and the table's columns at that point, and
    checks the end state in the catalog; a statement in a file that failed to replay, or
    resting on an earlier object whose file failed, is not reported (that premise was
    never checked: ``replay-failed`` reports the file). Give the new index a new name (or
    drop the old one first); add new columns with ``alter table ... add column``.

    Bad:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    -- file: 20240301000000_history_index.sql
    create index if not exists idx_skin_analyses_user_id
      on public.skin_analyses (user_id, created_at desc);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    -- file: 20240301000000_history_index.sql
    create index concurrently if not exists idx_skin_analyses_user_created
      on public.skin_analyses (user_id, created_at desc);
    ```
    """
    assert ctx.project is not None
    failed = failed_files(ctx)

    def visit(step: Step, history: History) -> Iterator[Hit]:
        if step.kind not in ("IndexStmt", "CreateStmt"):
            return  # the only statements looked at below
        if not step.node.get("if_not_exists") or step.file.filename in failed:
            return
        if step.kind == "IndexStmt" and step.node.get("idxname"):
            table = rel_key(step.node["relation"])
            key = (table[0], step.node["idxname"])
            earlier = history.indexes.get(key)
            if earlier is None or earlier.shape == index_shape(step.node):
                return
            if earlier.stmt.file in failed:
                return
            if catalog_knows(ctx.catalog, key[0]) and not any(
                (i.schema, i.name) == key for i in ctx.catalog.indexes
            ):
                return  # gone by the end of the migrations (dropped some way pgvet can't see)
            yield _skipped_index_hit(step, key, earlier)
        elif step.kind == "CreateStmt":
            creator = history.created_by.get(rel_key(step.node["relation"]))
            if creator is not None and creator.file in failed:
                return
            hit = _skipped_table_hit(ctx.catalog, step, history)
            if hit is not None:
                yield hit

    return Visitor(ctx.project, visit, frozenset({"IndexStmt", "CreateStmt"}))


def _skipped_index_hit(step: Step, key: TableKey, earlier: IndexDef) -> Hit:
    name = f"{key[0]}.{key[1]}"
    new_sql = concurrent_sql(step.stmt.text)
    return Hit(
        object=f"index {name}",
        message=(
            f"`create index if not exists {key[1]}` did nothing: an index of that name was "
            f"already created at {earlier.stmt.location} with a different definition "
            f"(`{_compact(earlier.stmt.text)}`), so the database keeps that one and this "
            f"definition (`{_compact(step.stmt.text)}`) never exists. Give it a new name, or "
            "drop the old index first."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=(
            "-- in a migration file of its own:\n"
            f"drop index concurrently if exists {qualified(*key)};\n"
            f"-- then, in the next migration file:\n{new_sql}"
        ),
    )


_SERIAL_BASE = {
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
}


def _comparable_type(type_name: Node | None) -> tuple[str, tuple[int, ...], bool] | None:
    parts = type_parts(type_name)
    if parts is None:
        return None
    return _SERIAL_BASE.get(parts[0], parts[0]), parts[1], parts[2]


def skipped_columns(
    catalog: Catalog, history: History, key: TableKey, node: Node
) -> tuple[list[str], list[str]]:
    """Columns a skipped ``create table if not exists`` defines that the existing table
    lacks, and ones whose type differs; confirmed against the end state when the catalog
    has the table (a column added later by ``alter table`` is not reported)."""
    existing = history.columns.get(key, {})
    final = catalog.find_table(*key) if catalog_knows(catalog, key[0]) else None
    missing: list[str] = []
    retyped: list[str] = []
    for elt in node.get("tableElts", []):
        col = elt.get("ColumnDef")
        if not col or not col.get("colname"):
            continue
        name = col["colname"]
        at_end = final.column(name) if final is not None else None
        if name not in existing:
            if final is None or at_end is None:
                missing.append(name)
            continue
        old, new = _comparable_type(existing[name]), _comparable_type(col.get("typeName"))
        if old is None or new is None or old == new:
            continue
        if at_end is None or at_end.type_name != new[0] or at_end.is_array != new[2]:
            retyped.append(f"{name} ({type_sql(existing[name])}, not {type_sql(col['typeName'])})")
    return missing, retyped


def _skipped_table_hit(catalog: Catalog, step: Step, history: History) -> Hit | None:
    key = rel_key(step.node["relation"])
    if key not in history.live or key not in history.complete:
        return None  # new, or a table whose columns pgvet cannot know
    missing, retyped = skipped_columns(catalog, history, key, step.node)
    if not missing and not retyped:
        return None
    target = key_sql(key)
    earlier = history.created_by.get(key)
    where = f" (created at {earlier.location})" if earlier else ""
    parts = []
    if missing:
        parts.append(f"its column(s) {', '.join(missing)} were never created")
    if retyped:
        parts.append(f"the existing table keeps {', '.join(retyped)}")
    return Hit(
        object=target,
        message=(
            f"`create table if not exists {target}` did nothing: the table already exists"
            f"{where}, so {'; '.join(parts)}. Change the existing table with `alter table` "
            "instead."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=_add_columns_sql(step.stmt.text, target, missing),
        detail=",".join(missing + retyped),
    )


def _add_columns_sql(stmt_text: str, target: str, columns: list[str]) -> str | None:
    """``alter table ... add column if not exists ...`` for the columns a skipped create
    table defined (printed back from its parse tree)."""
    if not columns:
        return None
    try:
        from pglast.stream import RawStream

        elts = (nodes(stmt_text) or (None,))[0].stmt.tableElts or ()
        defs = [e for e in elts if getattr(e, "colname", None) in columns]
        return "\n".join(
            f"alter table {target} add column if not exists {RawStream()(d)};" for d in defs
        )
    except Exception:
        return None
