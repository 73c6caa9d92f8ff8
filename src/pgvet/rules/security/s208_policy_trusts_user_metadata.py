"""S208 policy-trusts-user-metadata: Policy trusts user_metadata, which users can edit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pgvet.analysis.policy_graph import (
    parse_expression,
    walk,
)
from pgvet.catalog.model import (
    Function,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import graph_of, located_at, policy_expressions, policy_object


def _reads_user_metadata(tree: Any) -> bool:
    for kind, node, _ in walk(tree):
        if kind == "A_Const" and node.get("sval", {}).get("sval") == "user_metadata":
            return True
        if kind == "ColumnRef":
            fields = [f.get("String", {}).get("sval") for f in node.get("fields", [])]
            if "raw_user_meta_data" in fields:
                return True
    return False


def _expression_reads_user_metadata(expr: str) -> bool:
    # both spellings appear verbatim in pg_get_expr text: most expressions need no walk
    if "user_metadata" not in expr and "raw_user_meta_data" not in expr:
        return False
    node = parse_expression(expr)
    return node is not None and _reads_user_metadata(node)


def _function_reads_user_metadata(fn: Function) -> bool:
    body = fn.body
    if "user_metadata" not in body and "raw_user_meta_data" not in body:
        return False
    return bool(re.search(r"'user_metadata'|\braw_user_meta_data\b", body))


@rule(
    "policy-trusts-user-metadata",
    "S208",
    "error",
    "security",
    "Policy trusts user_metadata, which users can edit",
    fixable=False,
)
def policy_trusts_user_metadata(ctx: LintContext) -> Iterator[Hit]:
    """``user_metadata`` in the JWT (``raw_user_meta_data`` in ``auth.users``) is written
    by the user: ``supabase.auth.updateUser({ data: { role: 'admin' } })`` works from the
    browser. A policy that decides access from it lets any user grant themselves that
    access. ``app_metadata`` (``raw_app_meta_data``) is only writable with the service key
    and is the place for roles and tenant ids. Also found through the functions a policy
    calls.

    Bad:
    ```sql
    create table public.reports (id bigint primary key, clinic_id uuid not null);
    alter table public.reports enable row level security;
    create policy "Clinic reads reports" on public.reports
      for select to authenticated
      using (clinic_id = ((select auth.jwt()) -> 'user_metadata' ->> 'clinic_id')::uuid);
    ```
    Good:
    ```sql
    create table public.reports (id bigint primary key, clinic_id uuid not null);
    alter table public.reports enable row level security;
    create policy "Clinic reads reports" on public.reports
      for select to authenticated
      using (clinic_id = ((select auth.jwt()) -> 'app_metadata' ->> 'clinic_id')::uuid);
    ```
    """
    catalog = ctx.catalog
    graph = graph_of(catalog)
    for policy in catalog.policies:
        direct = any(_expression_reads_user_metadata(e) for _, e in policy_expressions(policy))
        via = (
            []
            if direct
            else [f for f in graph.functions_called(policy) if _function_reads_user_metadata(f)]
        )
        if not direct and not via:
            continue
        where = "" if direct else f" (through {', '.join(f.signature for f in via)})"
        yield Hit(
            object=policy_object(policy),
            message=(
                f"{policy_object(policy)} decides access from user_metadata{where}, which "
                "every user can change for themselves with supabase.auth.updateUser(): "
                "anyone can grant themselves this access. Keep roles and tenant ids in "
                "app_metadata (raw_app_meta_data) or in a table the user cannot write."
            ),
            **located_at(ctx.catalog, policy.origin_key),
            data={"functions": [f.signature for f in via]},
        )
