"""S204 policy-recursion: Policy reads its own table back: queries fail (42P17 / 54001)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvet.analysis.policy_graph import EXPRESSION_PREFIX, Cycle, Node, parse_expression, walk
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import (
    Catalog,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    alter_policy_sql,
    close_paren,
    correlation,
    located_at,
    policy_expressions,
    policy_graph,
)


def _cycle_message(cycle: Cycle) -> str:
    table = qualified(*cycle.table)
    roles = ", ".join(cycle.roles) or "the API roles"
    commands = "/".join(cycle.commands) or "queries"
    if cycle.sqlstate == "42P17":
        why = f"{commands} on {table} as {roles} fail with 42P17 ({cycle.error}): {cycle.path}."
        if cycle.reentry_policies:
            names = ", ".join(ident(n) for n in cycle.reentry_policies)
            why += (
                f" The policy reads {qualified(*cycle.table)} in a sub-select and the "
                f"SELECT polic{'y' if len(cycle.reentry_policies) == 1 else 'ies'} {names} "
                "there contain a sub-select too, so PostgreSQL stops."
            )
        else:
            why += " The policy re-applies itself inside its own sub-select."
    else:
        funcs = ", ".join(s.label.removeprefix("function ") for s in cycle.functions)
        why = (
            f"{commands} on {table} as {roles} recurse until 54001 ({cycle.error}) as soon "
            f"as a row is checked: {cycle.path}. {funcs} reads the table with RLS applied, "
            "which calls the policy, which calls the function again."
        )
    return (
        why + " Read the table in a SECURITY DEFINER function owned by a role that bypasses "
        "RLS (e.g. postgres) and call that from the policy."
    )


def _recursion_fix(cycle: Cycle, catalog: Catalog) -> str | None:
    """For a policy whose EXISTS / IN / scalar sub-select reads the next table of the cycle
    and refers only to its own FROM items: move that sub-select into a SECURITY DEFINER
    function and call it wrapped in ``(select ...)``."""
    first = cycle.policy
    policy = next(
        (p for p in catalog.policies_of(first.schema, first.table or "") if p.name == first.name),
        None,
    )
    if policy is None:
        return None
    index = cycle.steps.index(first)
    if index + 1 >= len(cycle.steps) or cycle.steps[index + 1].kind != "table":
        return None  # through a view or function: no mechanical rewrite
    target = (cycle.steps[index + 1].schema, cycle.steps[index + 1].name)
    fname = re.sub(r"[^a-z0-9]+", "_", f"{policy.table}_{policy.name}".lower()).strip("_")
    fname = (fname[:50] + "_check").strip("_")
    while catalog.functions_named(policy.schema, fname):  # never replace an existing one
        fname = fname[:60] + "_"
    fsig = f"{qualified(policy.schema, fname)}()"
    clauses = {}
    function_sql = None
    for clause, expr in policy_expressions(policy):
        node = parse_expression(expr)
        if node is None:
            return None
        for kind, sub, _parents in walk(node):
            if kind != "SubLink" or "subselect" not in sub:
                continue
            select = sub["subselect"].get("SelectStmt", {})
            reads = {
                (n.get("schemaname", "public"), n.get("relname"))
                for k, n, _ in walk(select)
                if k == "RangeVar"
            }
            if target not in reads or correlation(select, catalog) is not False:
                continue
            link = sub.get("subLinkType")
            call = f"(select {fsig})"
            inner, rewritten = _replace_sublink(expr, sub, call)
            if link == "EXISTS_SUBLINK":
                returns, body = "boolean", f"select exists ({inner})"
            elif link in ("ANY_SUBLINK", "EXPR_SUBLINK"):
                coltype = _output_type(select, catalog)
                if coltype is None:
                    return None
                returns = f"setof {coltype}" if link == "ANY_SUBLINK" else coltype
                body = inner
            else:
                return None
            function_sql = (
                f"create or replace function {fsig}\n"
                f"returns {returns} language sql stable security definer set search_path = ''\n"
                f"as $$ {body} $$;"
            )
            clauses[clause] = rewritten
            break
    if function_sql is None or not clauses:
        return None
    grantees = [r for r in policy.roles if r != "public"]
    grant = f"grant execute on function {fsig} to {', '.join(grantees)};\n" if grantees else ""
    return f"{function_sql}\n{grant}{alter_policy_sql(policy, clauses)}"


def _sublink_bounds(expr: str, sublink: Node) -> tuple[bytes, int, int, int]:
    """``(data, start, open, close)`` in ``SELECT <expr>`` bytes: where the sub-link starts
    (``EXISTS`` / ``IN`` / ``(``), its sub-select's opening parenthesis, and just past the
    closing one."""
    data = (EXPRESSION_PREFIX + expr).encode()
    start = int(sublink.get("location", 0))
    open_at = data.index(b"(", start)
    return data, start, open_at, close_paren(data, open_at)


def _replace_sublink(expr: str, sublink: Node, call: str) -> tuple[str, str]:
    """``(sub-select text, expr with the sub-link replaced by call)``."""
    data, start, open_at, close = _sublink_bounds(expr, sublink)
    inner = data[open_at + 1 : close - 1].decode().strip()
    cut = start if sublink.get("subLinkType") == "EXISTS_SUBLINK" else open_at
    new = data[:cut] + call.encode() + data[close:]
    return inner, new.decode()[len(EXPRESSION_PREFIX) :]


def _output_type(select: Node, catalog: Catalog) -> str | None:
    targets = select.get("targetList", [])
    if len(targets) != 1:
        return None
    val = targets[0].get("ResTarget", {}).get("val", {})
    ref = val.get("ColumnRef")
    if ref is None:
        return None
    fields = [f["String"]["sval"] for f in ref.get("fields", []) if "String" in f]
    for _, node, _ in walk(select.get("fromClause", [])):
        table = catalog.find_table(node.get("schemaname", "public"), node.get("relname", ""))
        if table is None:
            continue
        alias = node.get("alias", {}).get("aliasname") or node.get("relname")
        if len(fields) == 2 and fields[0] != alias:
            continue
        column = table.column(fields[-1])
        if column is not None:
            return column.type
    return None


@rule(
    "policy-recursion",
    "S204",
    "error",
    "correctness",
    "Policy reads its own table back: queries fail (42P17 / 54001)",
    fixable=True,
)
def policy_recursion(ctx: LintContext) -> Iterator[Hit]:
    """A policy that reads the table it protects - directly in a sub-select, through
    another table whose policy reads back, through a ``security_invoker`` view, or through
    a function that is not SECURITY DEFINER - makes PostgreSQL apply the policy inside
    itself. The rewriter stops with 42P17 "infinite recursion detected in policy"; through a
    function it recurses at run time until "stack depth limit exceeded". Either way every
    query on the table fails for the affected roles, usually discovered in production. The
    analysis follows what PostgreSQL does: the roles each policy applies to, the commands
    (``ALL`` counts for each, sub-selects read with SELECT policies), SECURITY DEFINER
    functions and views owned by a role that bypasses RLS end the path (the standard fix).

    Bad:
    ```sql
    create table public.profiles (id uuid primary key, is_admin boolean not null default false);
    alter table public.profiles enable row level security;
    create policy "Admins read all profiles" on public.profiles
      for select to authenticated using (
        exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_admin)
      );
    ```
    Good:
    ```sql
    create table public.profiles (id uuid primary key, is_admin boolean not null default false);
    alter table public.profiles enable row level security;
    create function public.is_admin() returns boolean
      language sql stable security definer set search_path = ''
      as $$ select exists (select 1 from public.profiles p
                           where p.id = (select auth.uid()) and p.is_admin) $$;
    create policy "Admins read all profiles" on public.profiles
      for select to authenticated using ((select public.is_admin()));
    ```
    """
    _graph, cycles = policy_graph(ctx.catalog)
    for cycle in cycles:
        first = cycle.policy
        table = qualified(first.schema, first.table or "")
        yield Hit(
            object=f"policy {ident(first.name)} on {table}",
            message=_cycle_message(cycle),
            **located_at(ctx.catalog, first.origin_key),
            fix=_recursion_fix(cycle, ctx.catalog),
            detail=cycle.path,
            data=cycle.to_dict(),
        )
