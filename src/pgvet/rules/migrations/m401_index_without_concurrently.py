"""M401 index-without-concurrently:
Index built without CONCURRENTLY on a table that already existed.
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
    alter_commands,
    key_sql,
    rel_key,
)
from pgvet.analysis.sql.quote import ident
from pgvet.rules.migrations.common import (
    MIGRATIONS,
    Creation,
    concurrent_sql,
    index_object,
    is_partitioned,
    table_creations,
)
from pgvet.rules.registry import Hit, LintContext, rule


def _index_columns(node: Node) -> str:
    parts = []
    for param in node.get("indexParams", []):
        elem = param.get("IndexElem", {})
        parts.append(elem.get("name") or "expression")
    return ", ".join(parts)


@rule(
    "index-without-concurrently",
    "M401",
    "warn",
    "safety",
    "Index built without CONCURRENTLY on a table that already existed",
    requires=MIGRATIONS,
    history=True,
)
def index_without_concurrently(ctx: LintContext) -> Visitor:
    """A plain ``create index`` takes a SHARE lock on the table for the whole build: reads
    go on, but every insert, update and delete waits until the index is finished, which on
    a table with millions of rows means minutes of failed or queued writes. ``create index
    concurrently`` builds it without blocking writes. An index on a table created earlier in
    the *same* migration file is fine: the table is new and empty, and nobody else can see
    it until the file's transaction commits (squawk flags those too; pgvet does not).
    CONCURRENTLY cannot run in a transaction, and the Supabase CLI runs each file in one, so
    the concurrent build goes in a migration file of its own. "Existed" is checked against
    where the project creates the table (``DO`` blocks included): not reported for a table
    created earlier in the same file, or only by a later file. ``add constraint ... unique``
    / ``primary key`` without ``using index`` is reported too: it builds the index under an
    ACCESS EXCLUSIVE lock, which blocks reads as well.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null,
      starts_at timestamptz not null
    );
    -- file: 20240301000000_index_bookings.sql
    create index idx_bookings_customer_id on public.bookings (customer_id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null,
      starts_at timestamptz not null
    );
    create index idx_bookings_customer_id on public.bookings (customer_id);
    -- file: 20240301000000_index_bookings_starts_at.sql
    create index concurrently if not exists idx_bookings_starts_at on public.bookings (starts_at);
    ```
    """
    assert ctx.project is not None
    created = table_creations(ctx.project)

    def visit(step: Step, history: History) -> Iterator[Hit]:
        for table, sub in alter_commands(step):
            con = sub.get("def", {}).get("Constraint", {})
            if (
                sub.get("subtype") == "AT_AddConstraint"
                and con.get("contype") in ("CONSTR_UNIQUE", "CONSTR_PRIMARY")
                and not con.get("indexname")
                and history.existed(table)
                and (creation := created(step, table)).existed
                and not is_partitioned(ctx.catalog, table)
            ):
                yield _constraint_index_hit(step, table, con, creation)
        if step.kind != "IndexStmt":
            return
        node = step.node
        if node.get("concurrent"):
            return
        table = rel_key(node["relation"])
        if not history.existed(table) or node["relation"].get("relpersistence") == "t":
            return
        creation = created(step, table)
        if not creation.existed:
            return  # created in this file (maybe in a DO block) or only by a later one
        if is_partitioned(ctx.catalog, table):
            return  # CONCURRENTLY does not work on a partitioned parent
        name = node.get("idxname")
        existing = history.indexes.get((table[0], name)) if name else None
        if existing is not None and node.get("if_not_exists"):
            yield _no_op_index_lock_hit(step, table, existing)
            return
        target = key_sql(table)
        yield Hit(
            object=index_object(node),
            message=(
                f"`create index` on {target}, which existed before this migration"
                f"{_where(creation)}, holds a "
                f"SHARE lock on {target} for the whole build: every insert, update and delete "
                "waits until the index is built (minutes on a large table). Build it with "
                "`create index concurrently` in a migration file of its own (the Supabase CLI "
                "runs each file in one transaction, and CONCURRENTLY cannot run in one)."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
            fix=concurrent_sql(step.stmt.text),
            detail="" if name else _index_columns(node),
        )

    return Visitor(ctx.project, visit, frozenset({"AlterTableStmt", "IndexStmt"}))


def _where(creation: Creation) -> str:
    """`` (created at file:line)`` when the project created the table."""
    return f" (created at {creation.place.location})" if creation.place else ""


def _constraint_index_hit(step: Step, table: TableKey, con: Node, creation: Creation) -> Hit:
    """``add constraint ... unique / primary key`` builds its index under ACCESS EXCLUSIVE."""
    target = key_sql(table)
    kind = "primary key" if con.get("contype") == "CONSTR_PRIMARY" else "unique"
    name = con.get("conname")
    columns = [k["String"]["sval"] for k in con.get("keys", []) if "String" in k]
    fix = None
    if name and columns:
        fix = (
            f"-- in a migration file of its own:\ncreate unique index concurrently if not exists "
            f"{ident(name)} on {target} ({', '.join(map(ident, columns))});\n"
            "-- then, in the next migration:\n"
            f"alter table {target} add constraint {ident(name)} {kind} using index {ident(name)};"
        )
    label = f"{kind} constraint {name}" if name else f"{kind} constraint"
    return Hit(
        object=target,
        message=(
            f"adding the {label} to {target}, which existed before this migration"
            f"{_where(creation)}, builds its index while holding an ACCESS EXCLUSIVE lock on "
            f"{target}: no reads or writes until the build is done. Build the index with "
            "`create unique index concurrently` in a file of its own, then attach it with "
            f"`add constraint ... {kind} using index` (instant)."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=fix,
        detail=f"constraint {name or ','.join(columns)}",
    )


def _no_op_index_lock_hit(step: Step, table: TableKey, existing: IndexDef) -> Hit:
    """``create index if not exists`` of a name that exists: no build, but the lock."""
    target = key_sql(table)
    name = step.node.get("idxname", "")
    return Hit(
        object=index_object(step.node),
        message=(
            f"an index named {name} already exists (created at {existing.stmt.location}), so "
            "PostgreSQL skips the build, but only after taking a SHARE lock on "
            f"{target}, which the file's transaction keeps until it commits: writes to "
            f"{target} wait behind this statement and every long transaction ahead of it. "
            "Remove the statement, or make it `create index concurrently` in a file of its own."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=concurrent_sql(step.stmt.text),
    )
