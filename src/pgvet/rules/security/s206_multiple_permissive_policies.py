"""S206 multiple-permissive-policies: Several permissive policies for one role and command."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.policy_graph import COMMANDS, Node, name_parts, parse_expression, walk
from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import (
    Catalog,
    Policy,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    API_ROLES,
    call_name,
    located_at,
    policy_expressions,
    table_label,
)


def _is_role_check(node: Node) -> bool:
    """``auth.role()``, ``auth.jwt() ->> 'role'``, ``current_setting('role')``, ``current_user``."""
    for kind, sub, _ in walk({"root": node}):
        if kind == "FuncCall" and call_name(sub) in (("auth", "role"), ("auth", "jwt")):
            return True
        if kind == "FuncCall" and call_name(sub)[1] == "current_setting":
            return True
        if kind == "SQLValueFunction" and "USER" in str(sub.get("op", "")):
            return True
    return False


def _uncast(node: Node) -> Node:
    """The expression under any ``::type`` casts."""
    while "TypeCast" in node:
        node = node["TypeCast"].get("arg", {})
    return node


def service_role_only(policy: Policy) -> bool:
    """A policy whose every clause is ``<role check> = 'service_role'``: a no-op, since
    service_role bypasses RLS, and never true for anon / authenticated."""
    clauses = policy_expressions(policy)
    if not clauses:
        return False
    for _, expr in clauses:
        if "service_role" not in expr:  # the constant is spelled out in the text
            return False
        node = parse_expression(expr)
        body = node.get("A_Expr") if node else None
        if not body or name_parts(body.get("name", [])) != ("=",):
            return False
        sides = [_uncast(body.get("lexpr", {})), _uncast(body.get("rexpr", {}))]
        consts = [s.get("A_Const", {}).get("sval", {}).get("sval") for s in sides]
        if "service_role" not in consts:
            return False
        other = sides[1 - consts.index("service_role")]
        if not _is_role_check(other):
            return False
    return True


def _policy_roles(catalog: Catalog) -> tuple[str, ...]:
    named = {r for p in catalog.policies for r in p.roles if r != "public"}
    out = []
    for name in sorted(set(API_ROLES) | named):
        role = catalog.role(name)
        if role is not None and (role.superuser or role.bypass_rls):
            continue
        out.append(name)
    return tuple(out)


@rule(
    "multiple-permissive-policies",
    "S206",
    "warn",
    "performance",
    "Several permissive policies for one role and command",
    fixable=False,
)
def multiple_permissive_policies(ctx: LintContext) -> Iterator[Hit]:
    """Permissive policies are OR-ed: for every row PostgreSQL evaluates each policy that
    applies to the querying role and command (a ``FOR ALL`` policy counts for each command,
    a policy ``TO public`` for every role), so two policies with sub-selects cost two
    sub-selects per row and the planner cannot use one index for both. One policy with the
    conditions OR-ed together is as strict and cheaper. Reported once per table and set of
    policies, with the roles and commands concerned (splinter reports each role and command
    separately). Policies that only test ``auth.role() = 'service_role'`` are left out: they
    are no-ops (service_role bypasses RLS) rather than alternatives to merge.

    Bad:
    ```sql
    create table public.docs (id bigint primary key, owner uuid not null, published boolean);
    alter table public.docs enable row level security;
    create policy "Owners read" on public.docs
      for select to authenticated using ((select auth.uid()) = owner);
    create policy "Published readable" on public.docs
      for select to authenticated using (published);
    ```
    Good:
    ```sql
    create table public.docs (id bigint primary key, owner uuid not null, published boolean);
    alter table public.docs enable row level security;
    create policy "Owners or published" on public.docs
      for select to authenticated using (published or (select auth.uid()) = owner);
    ```
    """
    catalog = ctx.catalog
    roles = _policy_roles(catalog)
    for table in catalog.base_tables:
        if not table.rls_enabled:
            continue
        permissive = [
            p for p in catalog.policies_of(*table.key) if p.permissive and not service_role_only(p)
        ]
        if len(permissive) < 2:
            continue
        groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for role in roles:
            for command in COMMANDS:
                names = tuple(
                    p.name
                    for p in permissive
                    if p.command in (command, "ALL") and p.applies_to(role)
                )
                if len(names) > 1:
                    groups.setdefault(names, []).append((role, command))
        for names, combos in groups.items():
            if any(set(names) < set(other) for other in groups):
                continue  # a larger set on the same table says it already
            group_roles = sorted({r for r, _ in combos})
            commands = [c for c in COMMANDS if any(cmd == c for _, cmd in combos)]
            first = next(p for p in permissive if p.name == names[0])
            label = table_label(table)
            yield Hit(
                object=label,
                message=(
                    f"{label} has {len(names)} permissive policies "
                    f"({', '.join(ident(n) for n in names)}) that all apply to "
                    f"{', '.join(group_roles)} for {', '.join(commands)}: each is evaluated "
                    "for every row. Merge them into one policy with the conditions OR-ed."
                ),
                **located_at(ctx.catalog, first.origin_key),
                detail=",".join(names),
                data={"policies": list(names), "roles": group_roles, "commands": commands},
            )
