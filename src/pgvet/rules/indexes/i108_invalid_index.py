"""I108 invalid-index: Invalid index left by a failed CREATE INDEX CONCURRENTLY."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import Index
from pgvet.rules.indexes.common import index_hit, index_location
from pgvet.rules.registry import Hit, LintContext, rule


def _concurrent_definition(index: Index) -> str:
    sql = re.sub(r"^CREATE (UNIQUE )?INDEX ", r"create \1index concurrently ", index.definition)
    return sql + ";"


@rule(
    "invalid-index",
    "I108",
    "warn",
    "correctness",
    "Invalid index left by a failed CREATE INDEX CONCURRENTLY",
    fixable=True,
)
def invalid_index(ctx: LintContext) -> Iterator[Hit]:
    """A ``create index concurrently`` that fails (a duplicate key for a unique index, a
    deadlock, a cancelled statement) leaves the index behind marked invalid: the planner
    never uses it, yet every write still maintains it, and a unique one still rejects
    rows. ``if not exists`` will then skip re-creating it, so the index the migration meant
    to add silently never exists. Drop it and build it again.

    Bad:
    ```sql
    -- file: 20240101000000_bookings.sql
    create table public.bookings (
      id uuid primary key default gen_random_uuid(),
      customer_id uuid not null
    );
    insert into public.bookings (customer_id)
    values ('6f1c9d4e-0000-4000-8000-000000000001'), ('6f1c9d4e-0000-4000-8000-000000000001');
    -- file: 20240102000000_one_booking_per_customer.sql
    -- expect: this file fails (the customer is booked twice), leaving the index invalid
    create unique index concurrently bookings_customer_id_key on public.bookings (customer_id);
    ```
    Good:
    ```sql
    create table public.bookings (
      id uuid primary key default gen_random_uuid(),
      customer_id uuid not null
    );
    create index idx_bookings_customer_id on public.bookings (customer_id);
    ```
    """
    for index in ctx.catalog.indexes:
        if index.valid:
            continue
        fix = None
        if not index.partitioned and not index.constraint_name:
            fix = (
                f"drop index concurrently if exists {qualified(index.schema, index.name)};\n"
                f"{_concurrent_definition(index)}"
            )
        message = (
            f"index {index.name} on {index.schema}.{index.table} is invalid (a failed "
            "concurrent build): queries never use it but writes still maintain it; drop "
            "and rebuild it"
        )
        yield index_hit(
            f"index {index.schema}.{index.name}",
            message,
            index_location(ctx, index),
            fix,
            table=f"{index.schema}.{index.table}",
        )
