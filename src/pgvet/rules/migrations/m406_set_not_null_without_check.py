"""M406 set-not-null-without-check:
SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import History, Step, TableKey, Visitor, alter_commands, key_sql
from pgvet.analysis.sql.quote import ident
from pgvet.rules.migrations.common import MIGRATIONS
from pgvet.rules.registry import Hit, LintContext, rule


def _proven_not_null(history: History, table: TableKey, column: str) -> bool:
    """A CHECK (column IS NOT NULL) validated by an earlier file exists on the table."""
    return any(
        column in check.not_null
        and check.validated_in is not None
        and check.validated_in < history.file_no
        for check in history.checks.get(table, {}).values()
    )


@rule(
    "set-not-null-without-check",
    "M406",
    "warn",
    "safety",
    "SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL)",
    requires=MIGRATIONS,
    history=True,
)
def set_not_null_without_check(ctx: LintContext) -> Visitor:
    """``alter column ... set not null`` reads the whole table to prove no row is null,
    holding an ACCESS EXCLUSIVE lock the whole time: no reads, no writes. Since PostgreSQL
    12 the scan is skipped when a validated ``check (col is not null)`` constraint already
    exists. So: add the check ``not valid`` (instant), validate it in a later migration
    (scans without blocking writes), then ``set not null`` (instant) and drop the check.
    The check must be validated in an *earlier* file: validating it in the same file runs
    the scan while the file's transaction still holds the lock.

    Bad:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      email text
    );
    -- file: 20240301000000_customers_email_required.sql
    alter table public.customers alter column email set not null;
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      email text
    );
    -- file: 20240301000000_customers_email_check.sql
    alter table public.customers
      add constraint customers_email_not_null_check check (email is not null) not valid;
    -- file: 20240301000001_customers_email_validate.sql
    alter table public.customers validate constraint customers_email_not_null_check;
    -- file: 20240301000002_customers_email_required.sql
    alter table public.customers alter column email set not null;
    alter table public.customers drop constraint customers_email_not_null_check;
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_SetNotNull" or not history.existed(table):
                continue
            column = sub.get("name", "")
            if _proven_not_null(history, table, column):
                continue
            target = key_sql(table)
            check = ident(check_name(table[1], column))
            col = ident(column)
            yield Hit(
                object=target,
                message=(
                    f"`set not null` on {target}.{column} scans the whole table under an "
                    "ACCESS EXCLUSIVE lock (no reads or writes) to prove no row is null. Add "
                    f"`check ({column} is not null) not valid`, validate it in a later "
                    "migration, then set not null (PostgreSQL 12+ skips the scan) and drop "
                    "the check."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                fix=(
                    f"alter table {target} add constraint {check} "
                    f"check ({col} is not null) not valid;\n"
                    f"-- in a later migration:\nalter table {target} validate constraint {check};\n"
                    f"-- in a later migration:\nalter table {target} alter column {col} "
                    f"set not null;\nalter table {target} drop constraint {check};"
                ),
                detail=column,
            )

    return Visitor(ctx.project, visit, frozenset({"AlterTableStmt"}))


#: PostgreSQL 18 names a column's NOT NULL constraint ``<table>_<column>_not_null``: the
#: temporary check must not take that name (42710, or the recipe drops the real one)
_SUFFIX = "_not_null_check"


def check_name(table: str, column: str) -> str:
    """``<table>_<column>_not_null_check`` within 63 bytes, shortened as PostgreSQL
    shortens its own names (the longer of table and column loses characters, the suffix
    stays), so it never becomes PostgreSQL 18's ``<table>_<column>_not_null``."""
    room = 63 - len(_SUFFIX) - 1
    while len(table.encode()) + len(column.encode()) > room:
        if len(table.encode()) >= len(column.encode()):
            table = table[:-1]
        else:
            column = column[:-1]
    return f"{table}_{column}{_SUFFIX}"
