"""Policy rewrites as advise candidates: as ``authenticated``, the policies dominate.

A policy that calls ``auth.uid()`` & co. (``auth-function-per-row``, S205) or a helper
function of the project without column arguments (``public.get_user_clinic_id()``,
``public.is_super_admin()``: STABLE, usually SECURITY DEFINER, each a query of its own)
outside any sub-select runs the call for every row scanned. Wrapped as ``(select …)``, the
planner runs it once per statement (an InitPlan) and can use an index on the compared
column. The rewrite is proposed for every policy on a table the workload reads; it is
then applied for real (``alter policy`` in a transaction), the queries that read the table
timed before and after as their personas, and their rows compared: a rewrite is chosen
only when it saves time *and* every query returns the same rows for the same parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from pgvet.advise.choose import NOISE
from pgvet.analysis.policy_graph import (
    EXPRESSION_PREFIX,
    name_parts,
    parse_expression,
    parse_statements,
    walk,
)
from pgvet.catalog.model import Catalog, Policy
from pgvet.rls.acting import set_persona
from pgvet.rules.security.common import (
    _per_outer_row,
    alter_policy_sql,
    close_paren,
    per_row_calls,
    policy_expressions,
)
from pgvet.rules.security.s205_auth_function_per_row import splice
from pgvet.workload.run import Prepared, WorkloadRun, run_workload

#: parameter sets per query for the equivalence check
CHECK_DRAWS = 3
_PLACEHOLDER = re.compile(r"%\(\w+\)s")
_WRITE = re.compile(r"\s*(?:with\b.*?\)\s*)?(insert|update|delete|merge)\b", re.I | re.S)
_COMMENTS = re.compile(r"--[^\n]*")
_SYSTEM = ("pg_catalog", "auth", "extensions", "information_schema")


@dataclass
class PolicyRewrite:
    """One policy with its per-row calls wrapped: the rewrite and how to undo it."""

    policy: Policy
    calls: list[str]
    sql: str
    undo: str
    sources: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        p = self.policy
        return f'"{p.name}" on {p.schema}.{p.table}'


@dataclass
class PolicyMeasured:
    """A rewrite applied alone: the queries that read its table, before and after, and
    whether each returned the same rows (None: the query failed both times)."""

    rewrite: PolicyRewrite
    baseline: WorkloadRun
    run: WorkloadRun
    same_rows: dict[str, bool | None]
    error: str | None = None

    def saved(self) -> dict[str, float]:
        """Query → P50 ms saved, beyond the noise floor (negative: slower)."""
        base = {q.name: q.percentile(50) for q in self.baseline.queries}
        out = {}
        for query in self.run.queries:
            old, new = base.get(query.name), query.percentile(50)
            if old is None or new is None:
                continue
            if abs(old - new) > NOISE * old:
                out[query.name] = old - new
        return out

    @property
    def equivalent(self) -> bool:
        return self.error is None and all(v is not False for v in self.same_rows.values())

    @property
    def chosen(self) -> bool:
        saved = self.saved()
        return self.equivalent and sum(saved.values()) > 0 and min(saved.values()) >= 0

    @property
    def why(self) -> str:
        if self.error:
            return f"fails: {self.error}"
        differ = [q for q, same in self.same_rows.items() if same is False]
        if differ:
            return f"different rows: {', '.join(differ)}"
        saved = self.saved()
        if not saved or sum(saved.values()) <= 0:
            return "saves nothing"
        if min(saved.values()) < 0:
            slower = [q for q, s in saved.items() if s < 0]
            return f"slower: {', '.join(slower)}"
        return "chosen"


def helper_calls(policy: Policy, catalog: Catalog) -> list[tuple[str, str, int, int]]:
    """``(clause, call text, start, end)`` of the project's own STABLE/IMMUTABLE functions
    called with constant arguments only, per row (outside any once-per-statement
    sub-select): what ``(select …)`` can run once."""
    out = []
    for clause, expr in policy_expressions(policy):
        node = parse_expression(expr)
        if node is None:
            continue
        prefix = len(EXPRESSION_PREFIX.encode())
        data = (EXPRESSION_PREFIX + expr).encode()
        for kind, call, parents in walk(node):
            if kind != "FuncCall" or not _constant_args(call):
                continue
            parts = name_parts(call.get("funcname", []))
            schema = parts[-2] if len(parts) >= 2 else "public"
            if schema in _SYSTEM or not parts:
                continue
            found = catalog.functions_named(schema, parts[-1])
            if not found or any(f.volatility == "volatile" for f in found):
                continue
            if not _per_outer_row(parents, catalog) or any(k == "FuncCall" for k, _ in parents):
                continue
            start = int(call.get("location", -1))
            if start < prefix:
                continue
            end = close_paren(data, data.index(b"(", start))
            out.append((clause, data[start:end].decode(), start - prefix, end - prefix))
    return out


def _constant_args(call: dict[str, Any]) -> bool:
    if call.get("agg_star") or call.get("over"):
        return False
    return all(next(iter(arg)) == "A_Const" for arg in call.get("args", []))


def rewrites(catalog: Catalog, tables: set[tuple[str, str]]) -> list[PolicyRewrite]:
    """A rewrite for each policy on ``tables`` with per-row auth or helper calls."""
    out = []
    for policy in catalog.policies:
        if (policy.schema, policy.table) not in tables:
            continue
        spans: list[tuple[str, str, int, int]] = [
            (c.clause, c.text, c.start, c.end) for c in per_row_calls(policy, catalog)
        ]
        sources = ["auth-function-per-row"] if spans else []
        helpers = helper_calls(policy, catalog)
        if helpers:
            sources.append("helper function per row")
        spans += helpers
        if not spans:
            continue
        clauses = {}
        original = {}
        for clause, expr in policy_expressions(policy):
            mine = [(s, e, f"(select {t})") for c, t, s, e in spans if c == clause]
            if mine:
                clauses[clause] = splice(expr, mine)
                original[clause] = expr
        calls = sorted({t for _c, t, _s, _e in spans})
        out.append(
            PolicyRewrite(
                policy,
                calls,
                alter_policy_sql(policy, clauses),
                alter_policy_sql(policy, original),
                sources,
            )
        )
    return out


def tables_read(catalog: Catalog, run: WorkloadRun, prepared: list[Prepared]) -> dict:
    """Query name → the tables it reads: the plan's relations, and the tables its text
    names (a query that fails has no plan)."""
    out: dict[str, set[tuple[str, str]]] = {}
    for query, item in zip(run.queries, prepared, strict=True):
        found: set[tuple[str, str]] = set()
        names = set(query.plan.relations) if query.plan else set()
        text = _PLACEHOLDER.sub("null", item.text)  # psycopg's %(name)s do not parse
        for kind, node, _ in walk(parse_statements(text) or []):
            if kind == "RangeVar":
                found.add((node.get("schemaname", "public"), node.get("relname", "")))
        for table in catalog.tables:
            if table.name in names and table.schema == "public":
                found.add(table.key)
        out[query.name] = found
    return out


def _rows(conn: psycopg.Connection, item: Prepared, params: dict[str, Any]) -> list | str:
    """The query's rows as its persona (sorted reprs: a multiset), or its error. A write
    (new keys, ``now()`` in what it returns) is compared by how many rows it touched."""
    try:
        with conn.transaction(force_rollback=True):
            set_persona(conn, item.acting.persona)
            cur = conn.execute(item.text, params)  # type: ignore[arg-type]
            if _WRITE.match(_COMMENTS.sub("", item.text)):
                return [f"{cur.rowcount} rows written"]
            rows = cur.fetchall() if cur.description else []
            return sorted(repr(r) for r in rows)
    except psycopg.Error as exc:
        return f"{exc.sqlstate}"


def measure_rewrite(
    admin: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    rewrite: PolicyRewrite,
    prepared: list[Prepared],
    *,
    iterations: int,
    concurrency: int,
    console=None,
) -> PolicyMeasured:
    """Time ``prepared`` and read their rows, apply the rewrite (one transaction), time
    and read again, restore the policy."""
    draws = {p.name: [p.drawer.draw() for _ in range(CHECK_DRAWS)] for p in prepared}
    with connect() as conn:
        before = {p.name: [_rows(conn, p, d) for d in draws[p.name]] for p in prepared}
    baseline = run_workload(
        connect,
        prepared,
        iterations=iterations,
        concurrency=concurrency,
        console=console,
        label=f"policy {rewrite.policy.name[:24]} as is",
    )
    original = _policy_text(admin, rewrite.policy)
    try:
        with admin.transaction():
            admin.execute(rewrite.sql)
    except psycopg.Error as exc:
        return PolicyMeasured(rewrite, baseline, baseline, {}, str(exc).strip().splitlines()[0])
    try:
        run = run_workload(
            connect,
            prepared,
            iterations=iterations,
            concurrency=concurrency,
            console=console,
            label=f"policy {rewrite.policy.name[:24]} rewritten",
        )
        with connect() as conn:
            after = {p.name: [_rows(conn, p, d) for d in draws[p.name]] for p in prepared}
    finally:
        with admin.transaction():
            admin.execute(rewrite.undo)
        restored = _policy_text(admin, rewrite.policy)
        if restored != original:  # the rest of advise would measure another schema
            raise RuntimeError(f"{rewrite.label} not restored: {restored} != {original}")
    same: dict[str, bool | None] = {}
    for name, old in before.items():
        new = after[name]
        failed = all(isinstance(o, str) for o in old) and old == new
        same[name] = None if failed else old == new
    return PolicyMeasured(rewrite, baseline, run, same)


def _policy_text(admin: psycopg.Connection, policy: Policy) -> tuple[str | None, ...] | None:
    """The policy's clauses as the server prints them on this connection."""
    row = admin.execute(
        """select pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
           from pg_policy p where p.polname = %s and p.polrelid = to_regclass(format('%%I.%%I',
           %s::text, %s::text))""",
        (policy.name, policy.schema, policy.table),
    ).fetchone()
    return None if row is None else tuple(row)
