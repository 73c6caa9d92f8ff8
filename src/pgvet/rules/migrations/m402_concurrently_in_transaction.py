"""M402 concurrently-in-transaction:
CONCURRENTLY (or VACUUM) statement that will run inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import History, Step, Visitor, key_sql, names_key, rel_key
from pgvet.rules.migrations.common import MIGRATIONS, index_object
from pgvet.rules.registry import Hit, LintContext, rule

_NON_TRANSACTIONAL_KINDS = frozenset(
    {"IndexStmt", "DropStmt", "ReindexStmt", "VacuumStmt", "AlterSystemStmt"}
)


def non_transactional_phrase(step: Step) -> str | None:
    """How to name a statement PostgreSQL refuses inside a transaction block
    (``create index concurrently``, ``vacuum``...), or None for any other statement."""
    if step.kind not in _NON_TRANSACTIONAL_KINDS:
        return None
    node = step.node
    if step.kind == "IndexStmt" and node.get("concurrent"):
        return "create index concurrently"
    if step.kind == "DropStmt" and node.get("concurrent"):
        return "drop index concurrently"
    if step.kind == "ReindexStmt":
        params = node.get("params", [])
        if any(p.get("DefElem", {}).get("defname") == "concurrently" for p in params):
            return "reindex concurrently"
    if step.kind == "VacuumStmt" and node.get("is_vacuumcmd"):
        return "vacuum"  # ANALYZE alone runs fine in a transaction
    if step.kind == "AlterSystemStmt":
        return "alter system"
    return None


def _non_transactional_object(step: Step) -> str:
    node = step.node
    if step.kind == "IndexStmt":
        return index_object(node)
    if step.kind == "DropStmt":
        keys = [names_key(o.get("List", {}).get("items", [])) for o in node.get("objects", [])]
        return "index " + ", ".join(key_sql(k) for k in keys)
    if step.kind == "VacuumStmt":
        rels = [r.get("VacuumRelation", {}).get("relation") for r in node.get("rels", [])]
        names = [key_sql(rel_key(r)) for r in rels if r]
        return ", ".join(names) or "database"
    rel = node.get("relation")
    if step.kind == "ReindexStmt":
        return f"index {key_sql(rel_key(rel))}" if rel else f"database {node.get('name', '')}"
    return step.file.filename


@rule(
    "concurrently-in-transaction",
    "M402",
    "error",
    "correctness",
    "CONCURRENTLY (or VACUUM) statement that will run inside a transaction",
    requires=MIGRATIONS,
    history=True,
)
def concurrently_in_transaction(ctx: LintContext) -> Visitor:
    """``create index concurrently``, ``drop index concurrently`` and ``reindex ...
    concurrently`` refuse to run inside a transaction block (SQLSTATE 25001). Two cases
    make that happen to a migration: the file opens one itself with ``begin`` / ``start
    transaction``, or the statement shares its file with other statements: ``supabase db
    push`` sends a file as one batch, which PostgreSQL runs as one implicit transaction,
    and rejects CONCURRENTLY in it ("cannot be executed within a pipeline" / "cannot run
    inside a transaction block"). pgvet's own replay runs such files statement by statement
    so the rest of the review can go on; production will not. The rule: a CONCURRENTLY
    statement must be the only statement of its migration file. ``vacuum`` and ``alter
    system`` have the same restriction and are reported the same way.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_booking_status.sql
    alter table public.bookings add column status text not null default 'pending';
    create index concurrently idx_bookings_status on public.bookings (status);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_booking_status.sql
    alter table public.bookings add column status text not null default 'pending';
    -- file: 20240301000001_index_booking_status.sql
    create index concurrently idx_bookings_status on public.bookings (status);
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        phrase = non_transactional_phrase(step)
        if phrase is None:
            return
        if history.begin_line is not None:
            why = (
                f"this file opens a transaction with `begin` at line {history.begin_line}, "
                "and PostgreSQL refuses it inside one (SQLSTATE 25001): the migration fails"
            )
        elif step.others_in_file:
            why = (
                f"it shares its file with {step.others_in_file} other statement(s), and "
                "`supabase db push` sends a file as one batch, which PostgreSQL runs as one "
                "implicit transaction and refuses it in (SQLSTATE 25001); pgvet's replay ran "
                "the file statement by statement, production will not"
            )
        else:
            return
        yield Hit(
            object=_non_transactional_object(step),
            message=(
                f"`{phrase}` cannot run in a transaction: {why}. Move it to a migration file "
                "of its own, without begin/commit."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
            fix=f"-- in a migration file of its own:\n{step.stmt.text.rstrip(';')};",
        )

    return Visitor(ctx.project, visit, _NON_TRANSACTIONAL_KINDS)
