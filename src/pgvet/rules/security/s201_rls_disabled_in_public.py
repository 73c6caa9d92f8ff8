"""S201 rls-disabled-in-public: Table exposed to the API with row-level security off."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import qualified
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_grants,
    exposed_schemas,
    is_rls_candidate,
    last_rls_disable,
    privileges_text,
    roles_text,
    table_label,
)


@rule(
    "rls-disabled-in-public",
    "S201",
    "error",
    "security",
    "Table exposed to the API with row-level security off",
    fixable=True,
)
def rls_disabled_in_public(ctx: LintContext) -> Iterator[Hit]:
    """A table in an exposed schema that ``anon`` or ``authenticated`` may read or write,
    with row-level security off, is open to everyone through the Data API: the anon key is
    public (it ships in the web app), so every row can be read and changed with ``curl``.
    Supabase grants all privileges on new ``public`` tables to both API roles by default.
    Tables whose grants were revoked are not reported (they are not reachable), and tables
    that have policies are reported by ``policy-exists-rls-disabled`` instead.

    Bad:
    ```sql
    create table public.patients (id bigint primary key, name text, diagnosis text);
    ```
    Good:
    ```sql
    create table public.patients (id bigint primary key, name text, diagnosis text);
    alter table public.patients enable row level security;
    create policy "Staff read patients" on public.patients
      for select to authenticated using (true);
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    for table in catalog.base_tables:
        if table.schema not in schemas or not is_rls_candidate(table) or table.rls_enabled:
            continue
        if catalog.policies_of(*table.key):
            continue
        grants = api_grants(catalog, *table.key)
        if not grants:
            continue
        label = table_label(table)
        where = last_rls_disable(ctx, table)
        disabled = " (disabled by a later migration)" if where else ""
        partition = ""
        if table.parent is not None:
            parent = qualified(*table.parent)
            partition = (
                f" It is a partition of {parent}: querying it directly skips the parent's policies."
            )
        yield Hit(
            object=label,
            message=(
                f"{label} has row-level security off{disabled} and "
                f"{' and '.join(sorted(grants))} hold {privileges_text(grants)} on it: "
                f"{roles_text(grants)} can use those on every row through the Data API.{partition}"
            ),
            origin=table.origin_key,
            file=where[0] if where else None,
            line=where[1] if where else None,
            fix=(
                f"alter table {label} enable row level security;\n"
                f"-- then add policies for what the API roles may do, or, if the API should "
                f"not see the table at all:\n"
                f"-- revoke all on {label} from anon, authenticated;"
            ),
            data={"roles": sorted(grants), "privileges": privileges_text(grants).split(", ")},
        )
