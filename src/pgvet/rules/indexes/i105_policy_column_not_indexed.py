"""I105 policy-column-not-indexed: Column an RLS policy filters on has no index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pgvet.analysis.indexing import (
    create_index_fix,
    policy_columns,
    reviewed_tables,
    serving_index,
    unindexed_tenant_columns,
)
from pgvet.catalog.model import Catalog, Policy, Table
from pgvet.rules.indexes.common import fk_fix_leads, index_hit, origin_location, table_location
from pgvet.rules.registry import Hit, LintContext, rule


def _may_report_policy_column(
    catalog: Catalog, table: Table, skip: set[tuple[str, str, str]]
) -> bool:
    """Whether some column named in the table's policy texts is neither skipped nor
    indexed. A column a policy filters on is spelled in its text, so when none is left the
    policies need no parsing: they cannot produce a finding."""
    texts = [
        e.lower()  # an unquoted name may be spelled in any case
        for p in catalog.policies_of(table.schema, table.name)
        for e in (p.using, p.with_check)
        if e
    ]
    return any(
        any(col.name.lower() in text for text in texts)
        and (table.schema, table.name, col.name) not in skip
        and serving_index(catalog, table.schema, table.name, (col.name,)) is None
        for col in table.columns
    )


def _policy_names(policies: Sequence[Policy]) -> str:
    names = [f'"{p.name}"' for p in policies[:3]]
    more = f" and {len(policies) - 3} more" if len(policies) > 3 else ""
    return ", ".join(names) + more


@rule(
    "policy-column-not-indexed",
    "I105",
    "warn",
    "performance",
    "Column an RLS policy filters on has no index",
    fixable=True,
)
def policy_column_not_indexed(ctx: LintContext) -> Iterator[Hit]:
    """An RLS policy is a WHERE clause added to every query on the table. When it compares
    a column with the caller (``user_id = auth.uid()``, ``clinic_id in (select ...)``,
    ``team_id = any(...)``, or the outer column of an ``exists`` subquery), that column
    needs an index leading on it, or each request scans the table and evaluates the policy
    on every row (Supabase's most common RLS performance problem). Comparisons with
    constants (``is_public = true``) are not counted. Columns that unindexed-foreign-key or
    tenant-column-not-indexed already report are skipped: their fix is the same index.

    Bad:
    ```sql
    create table public.notes (
      id uuid primary key default gen_random_uuid(),
      owner_id uuid not null default auth.uid(),
      body text
    );
    alter table public.notes enable row level security;
    create policy "owners read notes" on public.notes
      for select to authenticated using (owner_id = (select auth.uid()));
    ```
    Good:
    ```sql
    create table public.notes (
      id uuid primary key default gen_random_uuid(),
      owner_id uuid not null default auth.uid(),
      body text
    );
    create index idx_notes_owner_id on public.notes (owner_id);
    alter table public.notes enable row level security;
    create policy "owners read notes" on public.notes
      for select to authenticated using (owner_id = (select auth.uid()));
    ```
    """
    catalog = ctx.catalog
    skip = fk_fix_leads(catalog) | {
        (t.schema, t.name, c)
        for t, c in unindexed_tenant_columns(catalog, ctx.config.tenant_columns)
    }
    for table in reviewed_tables(catalog):
        if not _may_report_policy_column(catalog, table, skip):
            continue
        for column, policies in sorted(policy_columns(catalog, table).items()):
            if (table.schema, table.name, column) in skip:
                continue
            if serving_index(catalog, table.schema, table.name, (column,)) is not None:
                continue
            first = policies[0]
            message = (
                f"RLS policy {_policy_names(policies)} on {table.schema}.{table.name} filters "
                f"on {column}, and no index leads with {column}: every query evaluates the "
                "policy on every row"
            )
            yield index_hit(
                f"{table.schema}.{table.name}",
                message,
                origin_location(catalog.origin_for(first))
                or table_location(ctx, table.schema, table.name),
                create_index_fix(catalog, table.schema, table.name, (column,)),
                detail=column,
                column=column,
                policies=[p.name for p in policies],
            )
