"""S207 permissive-true-policy:
Policy lets every row through for writes, or for anon on sensitive data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pgvet.analysis.memo import memo
from pgvet.analysis.policy_graph import parse_expression
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import (
    Catalog,
    ColumnPrivilege,
    Policy,
    Table,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    API_ROLES,
    located_at,
    policy_expressions,
    policy_object,
    roles_text,
    table_label,
)

_SENSITIVE = re.compile(
    r"(^|_)(e?mail|phone|mobile|password|passwd|secret|token|api_?key|ssn|national_id|"
    r"id_card|passport|birth|dob|address|salary|iban|card|diagnosis|medical)(_|$)",
    re.I,
)


def _is_true(expr: str | None) -> bool:
    if expr is None or "true" not in expr.lower():  # either way the text says true
        return False
    node = parse_expression(expr)
    if node is None:
        return expr.strip().strip("()").strip().lower() == "true"
    const = node.get("A_Const", {})
    return bool(const.get("boolval", {}).get("boolval"))


def _non_bypass(catalog: Catalog, roles: Iterable[str]) -> list[str]:
    out = []
    for name in roles:
        role = catalog.role(name)
        if role is not None and (role.superuser or role.bypass_rls):
            continue
        out.append(name)
    return out


_OWNER_COLUMNS = frozenset(
    {
        "user_id",
        "owner_id",
        "owner",
        "created_by",
        "creator_id",
        "author_id",
        "profile_id",
        "sender_id",
        "uploaded_by",
    }
)

_PRIVILEGE = {
    "INSERT": ("INSERT",),
    "UPDATE": ("UPDATE",),
    "DELETE": ("DELETE",),
    "ALL": ("INSERT", "UPDATE", "DELETE"),
}


def _holds(
    catalog: Catalog, table: Table, roles: Iterable[str], privilege: str, column: str | None = None
) -> bool:
    """Whether one of ``roles`` may use ``privilege`` on the table (or, with ``column``,
    on that column). Only anon / authenticated / PUBLIC grants are read; other roles are
    assumed to hold it."""
    for role in roles:
        for r in API_ROLES if role == "public" else (role,):
            if r not in API_ROLES:
                return True
            if privilege in catalog.table_privileges(table.schema, table.name, r):
                return True
            for cp in _column_privileges(catalog).get(table.key, ()):
                if cp.role not in (r, "public"):
                    continue
                if privilege in cp.privileges and column in (None, cp.column):
                    return True
    return False


def _column_privileges(catalog: Catalog) -> dict[tuple[str, str], list[ColumnPrivilege]]:
    """Column grants by table, in catalog order (read for every role and privilege)."""

    def group() -> dict[tuple[str, str], list[ColumnPrivilege]]:
        out: dict[tuple[str, str], list[ColumnPrivilege]] = {}
        for cp in catalog.column_privileges:
            out.setdefault((cp.schema, cp.table), []).append(cp)
        return out

    return memo(catalog, "column privileges", group)


def owner_columns(ctx: LintContext, table: Table) -> list[str]:
    """Columns that say whose a row is: foreign keys to ``auth.users``, the usual owner
    names and the configured tenant columns."""
    names = set(_OWNER_COLUMNS) | set(ctx.config.tenant_columns)
    out = {c.name for c in table.columns if c.name in names}
    for fk in ctx.catalog.foreign_keys_of(*table.key):
        if (fk.ref_schema, fk.ref_table) == ("auth", "users"):
            out |= set(fk.columns)
    return sorted(out)


def _true_write_hit(
    ctx: LintContext, policy: Policy, table: Table, roles: list[str], clauses: list[str]
) -> Hit | None:
    """A write policy that is ``true``: USING (true) lets the role touch every row;
    WITH CHECK (true) alone matters when the role can write an owner / tenant column."""
    catalog = ctx.catalog
    label = table_label(table)
    privileges = [p for p in _PRIVILEGE[policy.command] if _holds(catalog, table, roles, p)]
    if not privileges:
        return None  # the roles cannot write the table at all
    if "using" in clauses and policy.command != "INSERT":
        verbs = {
            "UPDATE": "change every row",
            "DELETE": "delete every row",
            "ALL": "read, change and delete every row",
        }[policy.command]
        problem = f"{roles_text(roles)} can {verbs} of {label}"
    else:
        writable = [
            c
            for c in owner_columns(ctx, table)
            if any(_holds(catalog, table, roles, p, c) for p in ("INSERT", "UPDATE"))
        ]
        if not writable:
            return None  # any row, but no row can claim to be someone else's
        problem = (
            f"{roles_text(roles)} can write rows of {label} with any {', '.join(writable)} "
            "(on behalf of another user or tenant)"
        )
    shown = " and ".join(f"{c.upper()} (true)" for c in clauses)
    return Hit(
        object=policy_object(policy),
        message=(
            f"{policy_object(policy)} is {policy.command} {shown} for {', '.join(roles)}: "
            f"{problem}. Restrict it to the rows the user owns, e.g. "
            "(select auth.uid()) = user_id, unless every signed-in user is trusted staff "
            "(sign-ups closed)."
        ),
        **located_at(catalog, policy.origin_key),
        data={"command": policy.command, "clauses": clauses},
    )


@rule(
    "permissive-true-policy",
    "S207",
    "error",
    "security",
    "Policy lets every row through for writes, or for anon on sensitive data",
    fixable=False,
)
def permissive_true_policy(ctx: LintContext) -> Iterator[Hit]:
    """``using (true)`` / ``with check (true)`` on a permissive policy means "any row":
    for INSERT, UPDATE, DELETE or ALL that is every API user writing, changing or deleting
    everyone's rows (and, for INSERT, choosing any owner column value). Reported:

    * UPDATE / DELETE / ALL policies with ``using (true)`` for a role that holds the
      privilege (and does not bypass RLS anyway): every row can be changed or deleted;
    * INSERT / UPDATE / ALL policies with ``with check (true)`` when the role can write a
      column that says whose the row is (a foreign key to ``auth.users``, ``user_id``,
      ``owner_id``, ``created_by``..., the configured tenant columns): rows can be created
      on behalf of someone else. Without such a column (dbdev's "anyone may create an
      organization") a true check is a deliberate choice and is not reported;
    * SELECT ``using (true)`` applying to ``anon`` (or PUBLIC) when the table has columns
      that look personal (email, phone, birth date, address, token...).

    A read-only ``using (true)`` for a catalog-like table (services, price lists) is a
    normal choice and is not reported; neither are restrictive policies.

    Bad:
    ```sql
    create table public.orders (id bigint primary key, user_id uuid not null, total numeric);
    alter table public.orders enable row level security;
    create policy "Anyone can update orders" on public.orders
      for update to authenticated using (true);
    ```
    Good:
    ```sql
    create table public.orders (id bigint primary key, user_id uuid not null, total numeric);
    alter table public.orders enable row level security;
    create policy "Owners update orders" on public.orders
      for update to authenticated
      using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
    ```
    """
    catalog = ctx.catalog
    for policy in catalog.policies:
        if not policy.permissive:
            continue
        table = catalog.find_table(policy.schema, policy.table)
        if table is None or not table.rls_enabled:
            continue
        roles = _non_bypass(catalog, policy.roles)
        if not roles:
            continue
        true_clauses = [c for c, e in policy_expressions(policy) if _is_true(e)]
        if not true_clauses:
            continue
        label = qualified(policy.schema, policy.table)
        if policy.command != "SELECT":
            hit = _true_write_hit(ctx, policy, table, roles, true_clauses)
            if hit is not None:
                yield hit
            continue
        if not {"anon", "public"} & set(roles):
            continue
        sensitive = [c.name for c in table.columns if _SENSITIVE.search(c.name)]
        if sensitive:
            yield Hit(
                object=policy_object(policy),
                message=(
                    f"{policy_object(policy)} lets anon read every row of {label}, "
                    f"including {', '.join(sensitive[:5])}: anyone with the anon key can "
                    "download them. Limit it to authenticated users or to the rows that "
                    "are meant to be public, or expose a view without those columns."
                ),
                **located_at(ctx.catalog, policy.origin_key),
                detail="select",
                data={"columns": sensitive},
            )
