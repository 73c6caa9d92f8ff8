"""I104 tenant-column-not-indexed: Tenant column with no index leading on it."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.indexing import create_index_fix, unindexed_tenant_columns
from pgvet.rules.indexes.common import column_location, fk_fix_leads, index_hit, table_location
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "tenant-column-not-indexed",
    "I104",
    "warn",
    "performance",
    "Tenant column with no index leading on it",
    fixable=True,
)
def tenant_column_not_indexed(ctx: LintContext) -> Iterator[Hit]:
    """On a multi-tenant table every query, and every RLS check, filters by the tenant
    column (``clinic_id``, ``account_id``, ``workspace_id``...; see ``tenant_columns`` in
    the configuration). Without an index that leads with it, each tenant's request reads
    every tenant's rows, and the cost grows with the number of customers, not with the
    tenant's own data. A primary or unique key that starts with the column counts. A tenant
    column that is also an unindexed foreign key is reported by unindexed-foreign-key
    instead (same fix).

    Bad:
    ```sql
    create table public.invoices (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      total numeric not null
    );
    ```
    Good:
    ```sql
    create table public.invoices (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      total numeric not null
    );
    create index idx_invoices_tenant_id on public.invoices (tenant_id);
    ```
    """
    catalog = ctx.catalog
    fk_leads = fk_fix_leads(catalog)
    for table, column in unindexed_tenant_columns(catalog, ctx.config.tenant_columns):
        if (table.schema, table.name, column) in fk_leads:
            continue
        message = (
            f"{table.schema}.{table.name} is multi-tenant ({column}) but no index leads with "
            f"{column}: every tenant-scoped query and RLS check reads all tenants' rows"
        )
        yield index_hit(
            f"{table.schema}.{table.name}",
            message,
            column_location(ctx, table.schema, table.name, column)
            or table_location(ctx, table.schema, table.name),
            create_index_fix(catalog, table.schema, table.name, (column,)),
            detail=column,
            column=column,
        )
