"""S205 auth-function-per-row:
auth.uid() / auth.jwt() / current_setting() evaluated for every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pgvet.analysis.policy_graph import (
    Cycle,
    find_cycles,
)
from pgvet.catalog.model import (
    Catalog,
    ObjectKey,
    Policy,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    PerRowCall,
    alter_policy_sql,
    located_at,
    per_row_calls,
    policy_expressions,
    policy_graph,
    policy_object,
)


def splice(expr: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Replace byte spans ``(start, end, new_text)`` of ``expr`` (pglast locations are
    byte offsets into the UTF-8 text)."""
    data = expr.encode()
    for start, end, new in sorted(spans, reverse=True):
        data = data[:start] + new.encode() + data[end:]
    return data.decode()


def wrap_per_row_calls(policy: Policy, calls: list[PerRowCall]) -> dict[str, str]:
    """The policy's clauses with each per-row call wrapped as ``(select call)``."""
    out = {}
    for clause, expr in policy_expressions(policy):
        spans = [(c.start, c.end, f"(select {c.text})") for c in calls if c.clause == clause]
        if spans:
            out[clause] = splice(expr, spans)
    return out


def _recursion_after_wrapping(catalog: Catalog, policies: list[Policy]) -> dict[ObjectKey, Cycle]:
    """Cycles that would appear if these policies gained a sub-select: wrapping a call in
    ``(select ...)`` adds one, and PostgreSQL's recursion check looks for any sub-select."""
    graph, cycles = policy_graph(catalog)
    wrapped = [p for p in policies if not graph.policy_has_sublink(p)]
    if not wrapped:
        return {}
    before = {(c.sqlstate, c.path) for c in cycles}
    what_if = graph.assuming_sublink(p.origin_key for p in wrapped)
    out: dict[ObjectKey, Cycle] = {}
    for cycle in find_cycles(what_if):
        if (cycle.sqlstate, cycle.path) in before:
            continue
        for p in wrapped:
            if p.name in cycle.reentry_policies and (p.schema, p.table) == cycle.table:
                out.setdefault(p.origin_key, cycle)
    return out


@rule(
    "auth-function-per-row",
    "S205",
    "warn",
    "performance",
    "auth.uid() / auth.jwt() / current_setting() evaluated for every row",
    fixable=True,
)
def auth_function_per_row(ctx: LintContext) -> Iterator[Hit]:
    """``auth.uid()``, ``auth.jwt()``, ``auth.role()``, ``auth.email()`` and
    ``current_setting()`` are STABLE functions: called directly in a policy, PostgreSQL runs
    them once per row scanned (each parses the JWT claims from a setting). Wrapped in a
    scalar sub-select, ``(select auth.uid())``, the planner runs them once per statement
    (an InitPlan) and can use an index on the compared column; Supabase measured 100x+ on
    large tables. Calls inside an EXISTS sub-select's WHERE are per row of that sub-select.
    The fix rewrites the policy with the calls wrapped and warns when the new sub-select
    would make PostgreSQL's recursion check fire (it triggers on any sub-select).

    Bad:
    ```sql
    create table public.todos (id bigint primary key, user_id uuid not null, task text);
    alter table public.todos enable row level security;
    create policy "Own todos" on public.todos
      for select to authenticated using (auth.uid() = user_id);
    ```
    Good:
    ```sql
    create table public.todos (id bigint primary key, user_id uuid not null, task text);
    alter table public.todos enable row level security;
    create policy "Own todos" on public.todos
      for select to authenticated using ((select auth.uid()) = user_id);
    ```
    """
    catalog = ctx.catalog
    by_text: dict[str, list[tuple[str, int, int]]] = {}  # many tables share a policy text
    found = [(p, per_row_calls(p, catalog, by_text)) for p in catalog.policies]
    found = [(p, calls) for p, calls in found if calls]
    risky = _recursion_after_wrapping(catalog, [p for p, _ in found])
    for policy, calls in found:
        names = sorted({c.text for c in calls})
        rewritten = wrap_per_row_calls(policy, calls)
        fix = alter_policy_sql(policy, rewritten)
        message = (
            f"{policy_object(policy)} calls {', '.join(names)} for every row "
            f"({len(calls)} call{'s' if len(calls) > 1 else ''}); wrap "
            f"{'them' if len(calls) > 1 else 'it'} as (select ...) so PostgreSQL evaluates "
            "it once per statement."
        )
        cycle = risky.get(policy.origin_key)
        if cycle is not None:
            message += (
                f" Careful: with a sub-select in this policy, {cycle.path} would fail with "
                "42P17; move that read into a SECURITY DEFINER function first."
            )
            fix = f"-- first break: {cycle.path}\n{fix}"
        yield Hit(
            object=policy_object(policy),
            message=message,
            **located_at(ctx.catalog, policy.origin_key),
            fix=fix,
            data={"calls": [c.text for c in calls]},
        )
