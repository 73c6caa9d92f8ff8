"""M403 constraint-without-not-valid:
Foreign key or CHECK added to an existing table without NOT VALID.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pgvet.analysis.history import (
    History,
    Node,
    Step,
    TableKey,
    Visitor,
    alter_commands,
    key_sql,
    rel_key,
    strip_locations,
)
from pgvet.analysis.sql.quote import ident
from pgvet.rules.migrations.common import MIGRATIONS, is_partitioned
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "constraint-without-not-valid",
    "M403",
    "warn",
    "safety",
    "Foreign key or CHECK added to an existing table without NOT VALID",
    requires=MIGRATIONS,
    history=True,
)
def constraint_without_not_valid(ctx: LintContext) -> Visitor:
    """Adding a foreign key or a CHECK constraint to a table that has rows makes PostgreSQL
    read every row to prove the constraint, while it holds a lock: a CHECK holds ACCESS
    EXCLUSIVE on the table (nothing can read or write it), a foreign key holds SHARE ROW
    EXCLUSIVE on the table *and* on the referenced table (no writes to either). Add the
    constraint ``not valid`` instead (instant; new and updated rows are checked from then
    on) and run ``validate constraint`` in a later migration: validation scans under a
    SHARE UPDATE EXCLUSIVE lock that lets reads and writes go on. Validating in the same
    file gains nothing, because the file's transaction keeps the first lock until the end.
    Not flagged: constraints on a table created in the same file, and ``add column ...
    references`` (the new column is all null, so the check costs nothing).

    Bad:
    ```sql
    -- file: 20240101000000_create_tables.sql
    create table public.customers (id uuid primary key default gen_random_uuid());
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_customer_fk.sql
    alter table public.bookings
      add constraint bookings_customer_id_fkey
      foreign key (customer_id) references public.customers (id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_tables.sql
    create table public.customers (id uuid primary key default gen_random_uuid());
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_customer_fk.sql
    alter table public.bookings
      add constraint bookings_customer_id_fkey
      foreign key (customer_id) references public.customers (id) not valid;
    -- file: 20240301000001_validate_bookings_customer_fk.sql
    alter table public.bookings validate constraint bookings_customer_id_fkey;
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        for table, sub in alter_commands(step):
            con = sub.get("def", {}).get("Constraint", {})
            kind = con.get("contype")
            if sub.get("subtype") != "AT_AddConstraint" or kind not in (
                "CONSTR_FOREIGN",
                "CONSTR_CHECK",
            ):
                continue
            if con.get("skip_validation") or not history.existed(table):
                continue
            if kind == "CONSTR_FOREIGN" and is_partitioned(ctx.catalog, table):
                continue  # NOT VALID foreign keys are not supported on partitioned tables
            yield _constraint_hit(step, table, con)

    return Visitor(ctx.project, visit, frozenset({"AlterTableStmt"}))


def _constraint_hit(step: Step, table: TableKey, con: Node) -> Hit:
    target = key_sql(table)
    name = con.get("conname")
    label = f"`{name}`" if name else "(unnamed)"
    if con.get("contype") == "CONSTR_FOREIGN":
        ref = key_sql(rel_key(con.get("pktable", {})))
        what = f"foreign key {label}"
        lock = (
            f"while holding a SHARE ROW EXCLUSIVE lock on {target} and on {ref}: writes to "
            "both tables wait for the scan"
        )
    else:
        what = f"check constraint {label}"
        lock = f"while holding an ACCESS EXCLUSIVE lock on {target}: reads and writes wait"
    fix = None
    if name:
        added = step.stmt.text.rstrip().rstrip(";")
        fix = (
            f"{added} not valid;\n-- in a later migration:\n"
            f"alter table {target} validate constraint {ident(name)};"
        )
    return Hit(
        object=target,
        message=(
            f"adding {what} to {target}, which existed before this migration, checks every "
            f"existing row {lock}. Add it `not valid` and `validate constraint` it in a later "
            "migration (validation does not block reads or writes)."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=fix if fix and len(step.node.get("cmds", [])) == 1 else None,
        detail=name or json.dumps(strip_locations(con), sort_keys=True)[:200],
    )
