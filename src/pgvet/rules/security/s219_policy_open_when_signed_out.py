"""S219 policy-open-when-signed-out: Read policy lets every row through when auth.uid() is
null."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.policy_graph import Node, parse_expression
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    call_name,
    located_at,
    policy_object,
    select_grants,
)

_AUTH_FUNCTIONS = frozenset({"uid", "jwt", "role", "email"})
_JSON_OPERATORS = frozenset({"->", "->>", "#>", "#>>"})


def _auth_value(node: Node) -> str | None:
    """The auth call a value comes from, when it is null for a request without a signed-in
    user: ``auth.uid()``, ``auth.jwt() ->> 'sub'``, ``(select auth.uid())``,
    ``current_setting('request.jwt.claim.sub', true)`` (casts and JSON operators
    unwrapped). ``current_setting(name)`` without ``true`` raises instead, so it is not
    one."""
    kind, body = next(iter(node.items()))
    if kind == "TypeCast":
        return _auth_value(body["arg"])
    if kind == "A_Expr" and body.get("kind") == "AEXPR_OP":
        names = [n.get("String", {}).get("sval") for n in body.get("name", [])]
        if names and names[-1] in _JSON_OPERATORS and "lexpr" in body:
            return _auth_value(body["lexpr"])
        return None
    if kind == "SubLink" and body.get("subLinkType") == "EXPR_SUBLINK":
        select = body.get("subselect", {}).get("SelectStmt", {})
        targets = select.get("targetList", [])
        if len(targets) == 1 and not select.get("fromClause"):
            return _auth_value(targets[0]["ResTarget"]["val"])
        return None
    if kind != "FuncCall":
        return None
    schema, name = call_name(body)
    if schema == "auth" and name in _AUTH_FUNCTIONS:
        return f"auth.{name}()"
    args = body.get("args", [])
    if name == "current_setting" and schema in (None, "pg_catalog") and len(args) == 2:
        missing_ok = args[1].get("A_Const", {}).get("boolval", {}).get("boolval")
        if missing_ok:
            return "current_setting(..., true)"
    return None


def _null_check(node: Node) -> str | None:
    """``<auth value> IS NULL`` or ``NOT (<auth value> IS NOT NULL)``: the auth call."""
    kind, body = next(iter(node.items()))
    if kind == "BoolExpr" and body.get("boolop") == "NOT_EXPR" and len(body["args"]) == 1:
        inner = body["args"][0].get("NullTest")
        if inner and inner.get("nulltesttype") == "IS_NOT_NULL":
            return _auth_value(inner["arg"])
        return None
    if kind == "NullTest" and body.get("nulltesttype") == "IS_NULL":
        return _auth_value(body["arg"])
    return None


def _disjuncts(node: Node) -> list[Node]:
    """The top-level OR operands of an expression (nested ORs flattened); the expression
    itself when it is not an OR."""
    body = node.get("BoolExpr")
    if body is None or body.get("boolop") != "OR_EXPR":
        return [node]
    out: list[Node] = []
    for arg in body["args"]:
        out += _disjuncts(arg)
    return out


def signed_out_disjunct(expr: str) -> str | None:
    """The auth call of a top-level ``<auth value> IS NULL OR ...`` operand, or None."""
    node = parse_expression(expr)
    if node is None:
        return None
    parts = _disjuncts(node)
    if len(parts) < 2:
        return None
    for part in parts:
        call = _null_check(part)
        if call is not None:
            return call
    return None


@rule(
    "policy-open-when-signed-out",
    "S219",
    "error",
    "security",
    "Read policy lets every row through when auth.uid() is null",
)
def policy_open_when_signed_out(ctx: LintContext) -> Iterator[Hit]:
    """``using (auth.uid() is null or owner_id = auth.uid())`` reads like "owners see their
    rows", but for a request made with the anon key ``auth.uid()`` is null, so the first
    operand is true and the policy admits every row. It is almost always inverted logic:
    the author meant ``auth.uid() is not null and ...``. The same holds for ``auth.jwt()``,
    ``auth.role()``, ``(select auth.uid())``, ``auth.jwt() ->> 'sub'`` and
    ``current_setting('request.jwt.claim.sub', true)``, and for ``not (... is not null)``.
    Reported for permissive SELECT and ALL policies that apply to ``anon`` or PUBLIC on a
    table with row-level security on, when ``anon`` may select from it; a policy only for
    ``authenticated`` never sees a null ``auth.uid()`` and is left alone.

    Bad:
    ```sql
    create table public.notes (id bigint primary key, owner_id uuid, body text);
    alter table public.notes enable row level security;
    create policy "Owners read notes" on public.notes for select
      using (auth.uid() is null or owner_id = auth.uid());
    ```
    Good:
    ```sql
    create table public.notes (id bigint primary key, owner_id uuid, body text);
    alter table public.notes enable row level security;
    create policy "Owners read notes" on public.notes for select to authenticated
      using (owner_id = (select auth.uid()));
    ```
    """
    catalog = ctx.catalog
    for policy in catalog.policies:
        if not policy.permissive or policy.command not in ("SELECT", "ALL"):
            continue
        if not policy.using or not policy.applies_to("anon"):
            continue
        table = catalog.find_table(policy.schema, policy.table)
        if table is None or not table.rls_enabled:
            continue
        if "anon" not in select_grants(catalog, policy.schema, policy.table):
            continue
        call = signed_out_disjunct(policy.using)
        if call is None:
            continue
        label = policy_object(policy)
        yield Hit(
            object=label,
            message=(
                f"{label} has `{call} is null` as an OR operand of its USING: for a "
                f"request with the anon key {call} is null, so anyone can read every row "
                f"of {qualified(policy.schema, policy.table)}. Drop that operand (and "
                "restrict the policy to authenticated) unless signed-out visitors are "
                "meant to see every row."
            ),
            **located_at(catalog, policy.origin_key),
            fix=(
                "-- keep the rest of the condition, for signed-in users only:\n"
                f"-- alter policy {ident(policy.name)} on "
                f"{qualified(policy.schema, policy.table)} to authenticated\n"
                f"--   using (<the condition without {call} is null>);"
            ),
            data={"call": call, "command": policy.command},
        )
