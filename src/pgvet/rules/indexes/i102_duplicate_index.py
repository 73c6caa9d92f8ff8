"""I102 duplicate-index: Index identical to another index on the same table."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.indexing import duplicate_indexes
from pgvet.rules.indexes.common import column_list, drop_fix, index_hit, index_location
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "duplicate-index",
    "I102",
    "warn",
    "performance",
    "Index identical to another index on the same table",
    fixable=True,
)
def duplicate_index(ctx: LintContext) -> Iterator[Hit]:
    """Two identical indexes (same method, columns or expressions, INCLUDE list, predicate,
    operator classes, collations and order) give the planner nothing new: every insert and
    update maintains both, they double the disk and cache they take, and vacuum works on
    both. A common source is ``unique`` on a column that is also the primary key. The
    primary key's or a constraint's index is kept, a unique one is kept over a plain one,
    otherwise the older one; the finding names the index it duplicates. When the duplicate
    backs a unique constraint that foreign keys use, drop it after pointing those keys at
    the primary key.

    Bad:
    ```sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null,
      phone text
    );
    create index customers_clinic_idx on public.customers (clinic_id);
    create index idx_customers_clinic_id on public.customers (clinic_id);
    ```
    Good:
    ```sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null,
      phone text
    );
    create index idx_customers_clinic_id on public.customers (clinic_id);
    create index idx_customers_clinic_id_phone on public.customers (clinic_id, phone);
    ```
    """
    for dup, kept in duplicate_indexes(ctx.catalog):
        what = "constraint " + dup.constraint_name if dup.constraint_name else "index"
        message = (
            f"index {dup.name} on {dup.schema}.{dup.table} ({column_list(dup.expressions)}) is "
            f"identical to {kept.name}: every write maintains both; drop the {what}"
        )
        yield index_hit(
            f"index {dup.schema}.{dup.name}",
            message,
            index_location(ctx, dup),
            drop_fix(dup),
            duplicate_of=kept.name,
            table=f"{dup.schema}.{dup.table}",
        )
