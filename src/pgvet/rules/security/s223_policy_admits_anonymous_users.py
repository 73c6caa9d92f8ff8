"""S223 policy-admits-anonymous-users: Policy for any signed-in user while anonymous
sign-ins are on."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.policy_graph import parse_expression, walk
from pgvet.catalog.model import Policy
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import api_grants, call_name, located_at, policy_object

_NEEDS = {
    "SELECT": ("SELECT",),
    "INSERT": ("INSERT",),
    "UPDATE": ("UPDATE",),
    "DELETE": ("DELETE",),
    "ALL": ("SELECT", "INSERT", "UPDATE", "DELETE"),
}


def _identity_free(expr: str | None) -> bool:
    """Whether a condition admits a user without looking at who they are: no call but
    ``auth.role()`` compared with ``'authenticated'`` (an anonymous user's role too), and
    no ``is_anonymous`` test. A condition calling anything else (``auth.uid()``, a
    membership helper) is assumed to check the user."""
    if expr is None:
        return True
    if "is_anonymous" in expr:
        return False
    if "auth.role()" in expr and "'authenticated'" not in expr:
        return False  # auth.role() = 'service_role': an anonymous user's role is not it
    node = parse_expression(expr)
    if node is None:
        return False
    for kind, body, _ in walk(node):
        if kind == "FuncCall" and call_name(body) != ("auth", "role"):
            return False
    return True


def _condition(policy: Policy) -> str | None:
    return policy.with_check if policy.command == "INSERT" else policy.using


@rule(
    "policy-admits-anonymous-users",
    "S223",
    "info",
    "security",
    "Policy for any signed-in user while anonymous sign-ins are on",
    requires=("migrations",),
)
def policy_admits_anonymous_users(ctx: LintContext) -> Iterator[Hit]:
    """With ``enable_anonymous_sign_ins = true`` in ``config.toml`` anyone can get a
    session with one call (``supabase.auth.signInAnonymously()``), and that session has
    the ``authenticated`` role. A policy written for "signed-in users" that does not look
    at who the user is - ``to authenticated using (true)``, ``auth.role() =
    'authenticated'``, a status filter - then admits every visitor. Policies that check
    the user (``auth.uid()``, a membership helper) are not reported: an anonymous user
    only gets their own rows. Add ``(select (auth.jwt() ->> 'is_anonymous')::boolean) is
    not true`` where only permanent users are meant. Needs the project (the setting is in
    ``config.toml``, not in the database).

    Bad:
    ```sql
    -- file: supabase/config.toml
    [auth]
    enable_anonymous_sign_ins = true
    -- file: 20240101000000_example.sql
    create table public.reports (id bigint primary key, body text);
    alter table public.reports enable row level security;
    create policy "Members read reports" on public.reports
      for select to authenticated using (true);
    ```
    Good:
    ```sql
    -- file: supabase/config.toml
    [auth]
    enable_anonymous_sign_ins = true
    -- file: 20240101000000_example.sql
    create table public.reports (id bigint primary key, body text);
    alter table public.reports enable row level security;
    create policy "Members read reports" on public.reports
      for select to authenticated
      using ((select (auth.jwt() ->> 'is_anonymous')::boolean) is not true);
    ```
    """
    if ctx.project is None or not ctx.project.anonymous_sign_ins:
        return
    catalog = ctx.catalog
    for policy in catalog.policies:
        if not policy.permissive or not policy.applies_to("authenticated"):
            continue
        table = catalog.find_table(policy.schema, policy.table)
        if table is None or not table.rls_enabled:
            continue
        held = api_grants(catalog, policy.schema, policy.table).get("authenticated", frozenset())
        if not set(_NEEDS[policy.command]) & held:
            continue
        condition = _condition(policy)
        if not _identity_free(condition):
            continue
        label = policy_object(policy)
        shown = condition or "no condition"
        yield Hit(
            object=label,
            message=(
                f"anonymous sign-ins are on (config.toml [auth] enable_anonymous_sign_ins), "
                f"and an anonymous session has the authenticated role: {label} "
                f"({policy.command}, {shown}) does not look at who the user is, so any "
                "visitor who signs in anonymously passes it."
            ),
            **located_at(catalog, policy.origin_key),
            fix=(
                "-- if only permanent users are meant, add to its condition:\n"
                "--   and (select (auth.jwt() ->> 'is_anonymous')::boolean) is not true"
            ),
            data={"command": policy.command},
        )
