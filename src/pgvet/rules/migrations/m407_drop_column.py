"""M407 drop-column: Column dropped from an existing table."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import History, Step, TableKey, Visitor, alter_commands, key_sql
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import Catalog
from pgvet.rules.migrations.common import MIGRATIONS
from pgvet.rules.registry import Hit, LintContext, rule


def _backup_advice(catalog: Catalog, table: TableKey, column: str) -> str | None:
    """How to keep a copy before the drop: advice, all comments, never run by pgvet (the
    column may be gone or back with other data today). The copy goes to a schema the Data
    API does not expose: a new table in ``public`` has RLS off and anon's default grants."""
    pk = catalog.primary_key(*table)
    if pk is None or not pk.columns:
        return None
    columns = ", ".join(ident(c) for c in dict.fromkeys([*pk.columns, column]))
    backup = qualified("private", f"{table[1]}_{column}_backup"[:63])
    return (
        "-- before this migration, if the data may be needed, keep a copy outside the API's\n"
        "-- schemas (or rely on a tested backup), e.g.:\n"
        "-- create schema if not exists private;\n"
        f"-- create table {backup} as select {columns} from {key_sql(table)};"
    )


@rule(
    "drop-column",
    "M407",
    "warn",
    "safety",
    "Column dropped from an existing table",
    requires=MIGRATIONS,
    history=True,
)
def drop_column(ctx: LintContext) -> Visitor:
    """Dropping a column deletes its data for good (only a backup restore brings it back),
    and during the deploy every running copy of the application that still selects,
    inserts or filters on the column fails with ``column does not exist``, as do views,
    functions and generated types that name it. Ship the application change that stops
    using the column first, keep a copy if the data may be needed, then drop it in a later
    migration (and say so in an inline ``-- pgvet: ignore drop-column``). Not flagged:
    columns of a table created in the same file, and ``drop column if exists`` of a column
    no migration ever created.

    Bad:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      customer_code text,
      legacy_hn text
    );
    -- file: 20240301000000_drop_legacy_hn.sql
    alter table public.customers drop column legacy_hn;
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      customer_code text,
      legacy_hn text
    );
    -- file: 20240301000000_deprecate_legacy_hn.sql
    comment on column public.customers.legacy_hn is
      'deprecated: copied into customer_code; unused since app 2.3, drop after 2024-06';
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_DropColumn" or not history.existed(table):
                continue
            column = sub.get("name", "")
            if sub.get("missing_ok") and history.known_missing_column(table, column):
                continue
            target = key_sql(table)
            cascade = " with CASCADE (dependent views and constraints go too)" * (
                sub.get("behavior") == "DROP_CASCADE"
            )
            yield Hit(
                object=target,
                message=(
                    f"dropping column {column} of {target}{cascade} deletes its data for good, "
                    "and any running version of the application that still reads or writes "
                    f"{column} fails with `column does not exist` during the deploy. Ship the "
                    "code that stops using it first and keep a copy of the data if it may be "
                    "needed."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                advice=_backup_advice(ctx.catalog, table, column),
                detail=column,
            )

    return Visitor(ctx.project, visit, frozenset({"AlterTableStmt"}))
