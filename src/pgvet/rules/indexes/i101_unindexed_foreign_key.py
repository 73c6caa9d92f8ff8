"""I101 unindexed-foreign-key: Foreign key without an index that leads with its columns."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.indexing import create_index_fix, unindexed_foreign_keys
from pgvet.catalog.model import Constraint
from pgvet.rules.indexes.common import (
    column_list,
    column_location,
    index_hit,
    origin_location,
    table_location,
)
from pgvet.rules.registry import Hit, LintContext, rule


def fk_location(ctx: LintContext, fk: Constraint) -> tuple[str, int] | None:
    """Where a foreign key is declared: its table-level clause or its column's line, else
    its named constraint's statement, else the table."""
    for name in ("fk:" + ",".join(fk.columns), *fk.columns[:1]):
        found = column_location(ctx, fk.schema, fk.table, name)
        if found is not None:
            return found
    return origin_location(ctx.catalog.origin_for(fk)) or table_location(ctx, fk.schema, fk.table)


@rule(
    "unindexed-foreign-key",
    "I101",
    "warn",
    "performance",
    "Foreign key without an index that leads with its columns",
    fixable=True,
)
def unindexed_foreign_key(ctx: LintContext) -> Iterator[Hit]:
    """PostgreSQL indexes the referenced side of a foreign key (its primary or unique key)
    but never the referencing columns. Without an index leading with them, every delete or
    key update on the parent table scans the whole child table to check or cascade the
    reference (under a lock), and joins from parent to children read every child row. An
    index serves the key when its first columns are exactly the key's columns, in any
    order; a partial index does not (it misses rows).

    Bad:
    ```sql
    create table public.clinics (id uuid primary key default gen_random_uuid());
    create table public.appointments (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null references public.clinics (id) on delete cascade,
      starts_at timestamptz not null
    );
    ```
    Good:
    ```sql
    create table public.clinics (id uuid primary key default gen_random_uuid());
    create table public.appointments (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null references public.clinics (id) on delete cascade,
      starts_at timestamptz not null
    );
    create index idx_appointments_clinic_id_starts_at
      on public.appointments (clinic_id, starts_at);
    ```
    """
    catalog = ctx.catalog
    for fk in unindexed_foreign_keys(catalog):
        cols = column_list(fk.columns)
        parent = f"{fk.ref_schema}.{fk.ref_table}"
        message = (
            f"foreign key {fk.name} ({cols}) references {parent} but no index on "
            f"{fk.schema}.{fk.table} leads with ({cols}): each delete or key update on "
            f"{parent} scans {fk.table} to check the reference, and joins on it cannot "
            "use an index"
        )
        yield index_hit(
            f"{fk.schema}.{fk.table}",
            message,
            fk_location(ctx, fk),
            create_index_fix(catalog, fk.schema, fk.table, fk.columns),
            detail=",".join(fk.columns),
            constraint=fk.name,
            columns=list(fk.columns),
            references=parent,
        )
