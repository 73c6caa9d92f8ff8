"""S203 rls-enabled-no-policy: RLS is on but no policy: the API roles see nothing."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_grants,
    exposed_schemas,
    is_rls_candidate,
    privileges_text,
    table_label,
)


@rule(
    "rls-enabled-no-policy",
    "S203",
    "info",
    "security",
    "RLS is on but no policy: the API roles see nothing",
    fixable=True,
)
def rls_enabled_no_policy(ctx: LintContext) -> Iterator[Hit]:
    """With row-level security on and no policy, every query by ``anon`` or
    ``authenticated`` returns no rows and every write is refused (deny-all). That is the
    right state for a table only the server (``service_role``) touches, but then the grants
    to the API roles are misleading; if the app is meant to read it, a policy is missing.
    Reported only when the API roles hold privileges on the table (partitions, which are
    read through their parent, are skipped).

    Bad:
    ```sql
    create table public.invoices (id bigint primary key, total numeric);
    alter table public.invoices enable row level security;
    ```
    Good:
    ```sql
    create table public.invoices (id bigint primary key, total numeric);
    alter table public.invoices enable row level security;
    revoke all on public.invoices from anon, authenticated;
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    for table in catalog.base_tables:
        if table.schema not in schemas or not is_rls_candidate(table):
            continue
        if not table.rls_enabled or table.parent is not None or catalog.policies_of(*table.key):
            continue
        grants = api_grants(catalog, *table.key)
        if not grants:
            continue
        label = table_label(table)
        yield Hit(
            object=label,
            message=(
                f"{label} has row-level security on and no policy, so "
                f"{' and '.join(sorted(grants))} see no rows and cannot write (deny-all), "
                f"although they hold {privileges_text(grants)}. Fine if only the server "
                "(service_role) uses it: then revoke the grants to say so; otherwise add "
                "the policies the app needs."
            ),
            origin=table.origin_key,
            fix=f"revoke all on {label} from anon, authenticated;  -- if server-only",
        )
