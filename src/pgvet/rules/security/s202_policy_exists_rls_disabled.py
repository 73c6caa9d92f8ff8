"""S202 policy-exists-rls-disabled: Policies exist but row-level security is off."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import ident
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
    "policy-exists-rls-disabled",
    "S202",
    "error",
    "security",
    "Policies exist but row-level security is off",
    fixable=True,
)
def policy_exists_rls_disabled(ctx: LintContext) -> Iterator[Hit]:
    """Policies do nothing until ``enable row level security`` is run on the table: the
    author clearly meant rows to be filtered, but every role with a grant sees and changes
    every row. The usual story is an emergency ``disable row level security`` that was
    never undone; the finding points at that statement when a migration did it.

    Bad:
    ```sql
    create table public.notes (id bigint primary key, owner uuid not null, body text);
    create policy "Owners read notes" on public.notes
      for select to authenticated using ((select auth.uid()) = owner);
    ```
    Good:
    ```sql
    create table public.notes (id bigint primary key, owner uuid not null, body text);
    alter table public.notes enable row level security;
    create policy "Owners read notes" on public.notes
      for select to authenticated using ((select auth.uid()) = owner);
    ```
    """
    catalog = ctx.catalog
    for table in catalog.base_tables:
        if table.rls_enabled or not is_rls_candidate(table):
            continue
        policies = catalog.policies_of(*table.key)
        if not policies:
            continue
        label = table_label(table)
        grants = api_grants(catalog, *table.key)
        where = last_rls_disable(ctx, table)
        exposure = (
            f" {' and '.join(sorted(grants))} hold {privileges_text(grants)}, "
            f"so {roles_text(grants)} "
            "can use those on every row."
            if grants and table.schema in exposed_schemas(ctx)
            else ""
        )
        names = ", ".join(ident(p.name) for p in policies[:3])
        more = f" and {len(policies) - 3} more" if len(policies) > 3 else ""
        yield Hit(
            object=label,
            message=(
                f"{label} has {len(policies)} polic{'y' if len(policies) == 1 else 'ies'} "
                f"({names}{more}) but row-level security is "
                f"{'disabled by a later migration' if where else 'off'}: "
                f"none of them is applied.{exposure}"
            ),
            origin=table.origin_key,
            file=where[0] if where else None,
            line=where[1] if where else None,
            fix=f"alter table {label} enable row level security;",
            data={"policies": [p.name for p in policies]},
        )
