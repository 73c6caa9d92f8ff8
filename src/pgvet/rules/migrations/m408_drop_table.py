"""M408 drop-table: Table dropped by a migration."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import History, Step, Visitor, key_sql, names_key
from pgvet.rules.migrations.common import MIGRATIONS
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "drop-table",
    "M408",
    "warn",
    "safety",
    "Table dropped by a migration",
    requires=MIGRATIONS,
    history=True,
)
def drop_table(ctx: LintContext) -> Visitor:
    """``drop table`` deletes the table and every row in it; with CASCADE also the views,
    foreign keys and policies that depend on it. Any running version of the application
    that still uses the table fails during the deploy. Stop using it in the code first,
    keep a copy (a backup you have tested, or ``create table ... as``), then drop it. Not
    flagged: a table created in the same file (a scratch table), and ``drop table if
    exists`` of a table no migration ever created.

    Bad:
    ```sql
    -- file: 20240101000000_create_audit_log.sql
    create table public.audit_log (
      id bigint generated always as identity primary key,
      action text not null,
      created_at timestamptz not null default now()
    );
    -- file: 20240301000000_drop_audit_log.sql
    drop table public.audit_log;
    ```
    Good:
    ```sql
    -- file: 20240101000000_import_services.sql
    create table public.services (id bigint primary key, name text not null);
    create table public.services_import (id bigint, name text);
    insert into public.services_import values (1, 'Facial'), (2, 'Laser');
    insert into public.services select id, name from public.services_import;
    drop table public.services_import;
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        if step.kind != "DropStmt":
            return
        node = step.node
        if node.get("removeType") != "OBJECT_TABLE":
            return
        for obj in node.get("objects", []):
            table = names_key(obj.get("List", {}).get("items", []))
            if not history.existed(table):
                continue
            if node.get("missing_ok") and table not in history.live:
                continue  # a table no migration created: a no-op on a migrated database
            target = key_sql(table)
            cascade = (
                ", with CASCADE also every view, foreign key and policy depending on it,"
                if node.get("behavior") == "DROP_CASCADE"
                else ""
            )
            yield Hit(
                object=target,
                message=(
                    f"`drop table` deletes {target} and all its rows{cascade} for good; any "
                    "running version of the application that still uses it fails during the "
                    "deploy. Stop using it in the code first and keep a copy of the data."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
            )

    return Visitor(ctx.project, visit, frozenset({"DropStmt"}))
