"""Automatic tenant isolation: tenant A's people against tenant B's rows.

For every tenant-scoped table filled in both worlds and every persona of tenant A:

* **select**: no row of tenant B is visible;
* **insert**: a copy of one of tenant B's rows is refused (for a membership table also
  "add myself to tenant B", the classic way into another tenant);
* **update / delete**: aimed at tenant B's rows, they touch nothing.

``anon`` gets the same writes and must see no row of either tenant. Every table tested
here has a tenant path, so a policy such as ``using (true)`` that shows tenant B's rows
is a leak; only tables listed in ``[rls] public_tables`` are read across tenants on
purpose. A read passes only with a positive control (the persona sees tenant A's rows).
A leak names the table, the command, the policy that allowed it and the row it exposed
with its tenant path, and is re-run alone in a fresh transaction before it is reported.

The statements do not depend on the persona (the acting user's id is read from the
claims at run time), so they are compiled once per command and PostgreSQL plans each
policy-laden query once per role instead of once per persona.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pgvet.catalog.model import Catalog, QualifiedName, Table
from pgvet.rls.attribution import attribute, candidate_policies, describe_row, describe_rows
from pgvet.rls.checks import (
    Context,
    copy_row,
    insert_copy,
    keys_of,
    read_keys,
    write_keys,
    write_verdict,
)
from pgvet.rls.fixture import Fixture
from pgvet.rls.personas import Persona
from pgvet.rls.results import CheckResult
from pgvet.rls.runner import Compiled, Kind, Outcome

COMMANDS = ("select", "insert", "update", "delete")


@dataclass(frozen=True)
class _Planned:
    table: Table
    command: str
    variant: str  # "" or "self" (membership: add myself to tenant B)
    kind: Kind
    sql: str
    row: dict[str, Any] | None = None
    user_column: str | None = None


def isolation_checks(
    ctx: Context,
    fixture: Fixture,
    personas: list[Persona],
    anon: Persona,
    public_tables: tuple[str, ...] = (),
) -> list[CheckResult]:
    """Run every isolation check for ``personas`` (tenant A) and ``anon``.

    ``public_tables`` (``[rls] public_tables``) are read by everyone on purpose: seeing
    their rows is not a leak (writing them still is)."""
    tables = [ctx.catalog.table(*k) for k in fixture.tested_tables]
    trusting = trusts_jwt(ctx.catalog, tables)
    plans = {c: _plan(ctx, fixture, tables, c) for c in (*COMMANDS, "self")}
    forged_plans = {c: [p for p in plans[c] if p.table.key in trusting] for c in plans}
    compiled: dict[tuple[str, bool], Compiled] = {}
    for name in plans:
        compiled[name, False] = ctx.runner.compile([(p.kind, p.sql) for p in plans[name]])
        compiled[name, True] = ctx.runner.compile([(p.kind, p.sql) for p in forged_plans[name]])
    results: list[CheckResult] = []
    ordered = sorted([*personas, anon], key=lambda p: p.role == "anon")  # one role at a time
    for persona in ordered:
        # the forged persona differs only where a policy reads the JWT beyond ``sub``
        forged = "user_metadata" in persona.claims
        for command in COMMANDS:
            names = [command]
            if command == "insert" and persona.user_id and persona.role != "anon":
                names.append("self")
            for name in names:
                chosen = forged_plans[name] if forged else plans[name]
                outcomes = ctx.runner.run_compiled(compiled[name, forged], persona, command)
                judged = [
                    (plan, _judge(ctx, fixture, persona, plan, outcome, public_tables))
                    for plan, outcome in zip(chosen, outcomes, strict=True)
                ]
                results += _reconfirm(ctx, fixture, persona, command, judged)
    return results


_JWT_WORDS = ("jwt", "user_metadata", "raw_user_meta_data")


def trusts_jwt(catalog: Catalog, tables: list[Table]) -> set[QualifiedName]:
    """Tables with a policy that reads the JWT (``auth.jwt()``, ``request.jwt.claims``,
    user metadata) directly or through the functions it calls (three levels deep)."""
    bodies = {
        f.name: f.body.lower()
        for f in catalog.functions
        if not f.is_internal_schema or f.name == "jwt"
    }

    def reads_jwt(text: str, depth: int = 3) -> bool:
        low = text.lower()
        if any(w in low for w in _JWT_WORDS):
            return True
        if depth == 0:
            return False
        return any(
            f"{name}(" in low and reads_jwt(body, depth - 1) for name, body in bodies.items()
        )

    out: set[QualifiedName] = set()
    for table in tables:
        for policy in catalog.policies_of(table.schema, table.name):
            if reads_jwt(f"{policy.using or ''} {policy.with_check or ''}"):
                out.add(table.key)
                break
    return out


def _plan(ctx: Context, fixture: Fixture, tables: list[Table], command: str) -> list[_Planned]:
    a, b = fixture.world_of("A"), fixture.world_of("B")
    memberships = {m.table: m for m in fixture.tenancy.memberships if not m.profile}
    out: list[_Planned] = []
    for table in tables:
        keys_b = b[table.key]
        if command == "select":
            keys = keys_b + a[table.key]
            out.append(_Planned(table, command, "", "q", read_keys(ctx, table, keys)))
        elif command in ("update", "delete"):
            out.append(_Planned(table, command, "", "q", write_keys(ctx, table, command, keys_b)))
        else:
            sample = fixture.samples.get("B", {}).get(table.key)
            if sample is None:
                continue
            if command == "insert":
                if table.key in fixture.tenancy.roots or table.key in fixture.pinned:
                    # a new organisation is a new tenant, nobody else's: creating one is what
                    # sign-up and "new workspace" do, so it is no cross-tenant write; and
                    # where a trigger decides the tenant value, a copy of tenant B's row
                    # does not land in tenant B
                    continue
                row = copy_row(ctx, table, sample)
                out.append(_Planned(table, "insert", "", "w", insert_copy(ctx, table, row), row))
                continue
            membership = memberships.get(table.key)
            if membership is None:
                continue
            col = membership.user_column
            row = copy_row(ctx, table, sample)
            row.pop(col, None)
            text = insert_copy(ctx, table, row, (col,))
            out.append(_Planned(table, "insert", "self", "w", text, row, col))
    return out


def _judge(
    ctx: Context,
    fixture: Fixture,
    persona: Persona,
    plan: _Planned,
    outcome: Outcome,
    public_tables: tuple[str, ...],
) -> CheckResult:
    table, command = plan.table, plan.command
    kind = "anon" if persona.role == "anon" else "isolation"
    base: dict[str, Any] = {
        "persona": persona.name,
        "table": f"{table.schema}.{table.name}",
        "command": command,
        "kind": kind,
        "query": plan.sql.replace("/*INTO*/ ", ""),
    }
    state = outcome.sqlstate or ""
    if not outcome.ok and state != "42501" and not (command != "select" and state[:2] == "23"):
        return _error(ctx, table, base, outcome)
    if command == "select":
        return _judge_select(ctx, fixture, persona, table, base, outcome, public_tables)
    verdict, touched = write_verdict(outcome, command)
    if command == "insert":
        target = (
            "insert itself as a member of tenant B"
            if plan.variant == "self"
            else "insert a row for tenant B"
        )
    else:
        target = f"{command} tenant B's rows"
    if verdict == "refused":
        return CheckResult(**base, status="pass", summary=f"cannot {target}")
    note = ""
    if not outcome.ok:
        note = f" (RLS let it through; only {outcome.sqlstate} {outcome.message} stopped it)"
    if command == "insert":
        row = dict(plan.row or {})
        if plan.user_column:
            row[plan.user_column] = persona.user_id
        rows: tuple[str, ...] = (describe_row(table, row),)
        policies = attribute(ctx, persona, table, command, row=row)
    else:
        hit = touched or fixture.world_of("B")[table.key]
        rows = with_path(fixture, table, describe_rows(ctx, table, hit), "B")
        policies = attribute(ctx, persona, table, command, hit)
    return CheckResult(
        **base,
        status="fail",
        summary=f"LEAK: can {target}{note}",
        policies=policies,
        rows=rows,
        sqlstate=outcome.sqlstate,
    )


def _judge_select(
    ctx: Context,
    fixture: Fixture,
    persona: Persona,
    table: Table,
    base: dict[str, Any],
    outcome: Outcome,
    public_tables: tuple[str, ...],
) -> CheckResult:
    """A read passes only with a positive control: the persona sees its own tenant's
    rows and none of the other's. Seeing nothing at all proves nothing (a persona that
    belongs to no tenant sees nothing either), unless no policy could ever show a row."""
    kind = base["kind"]
    if outcome.sqlstate == "42501":
        return CheckResult(
            **base, status="denied", summary="no privilege to read the table", error=outcome.message
        )
    visible = set(keys_of(outcome))
    b_keys = fixture.world_of("B")[table.key]
    watched = b_keys + fixture.world_of("A")[table.key] if kind == "anon" else b_keys
    seen = [k for k in watched if k in visible]
    who = "either tenant" if kind == "anon" else "tenant B"
    own = len([k for k in fixture.world_of("A")[table.key] if k in visible])
    if not seen:
        if kind == "anon" or own:
            mine = "" if kind == "anon" else f" and {own} of tenant A's (positive control)"
            return CheckResult(**base, status="pass", summary=f"sees no row of {who}{mine}")
        if closed(ctx, table, persona.role):
            return CheckResult(
                **base,
                status="denied",
                summary=f"closed to {persona.role}: no SELECT policy applies, no row is visible",
            )
        return CheckResult(
            **base,
            status="skip",
            summary="no positive control: sees no row of tenant A either, so seeing none of "
            "tenant B's proves nothing",
        )
    if f"{table.schema}.{table.name}" in public_tables or table.name in public_tables:
        return CheckResult(
            **base,
            status="pass",
            summary=f"sees {len(seen)} row(s) of {who}: public read "
            "(declared in [rls] public_tables)",
        )
    return CheckResult(
        **base,
        status="fail",
        summary=f"LEAK: sees {len(seen)} row(s) of {who}",
        policies=attribute(ctx, persona, table, "select", seen),
        rows=with_path(fixture, table, describe_rows(ctx, table, seen), "B"),
    )


def _reconfirm(
    ctx: Context,
    fixture: Fixture,
    persona: Persona,
    command: str,
    judged: list[tuple[_Planned, CheckResult]],
) -> list[CheckResult]:
    """Run every leaking statement again in a fresh transaction (the persona set anew,
    each statement in its own subtransaction): a leak is reported only if it repeats."""
    leaks = [(p, r) for p, r in judged if r.status == "fail"]
    if not leaks:
        return [r for _, r in judged]
    again = ctx.runner.run(persona, [(p.kind, p.sql) for p, _ in leaks], command)
    confirmed: dict[int, CheckResult] = {}
    for (plan, result), outcome in zip(leaks, again, strict=True):
        if plan.command == "select":
            b_keys = set(fixture.world_of("B")[plan.table.key])
            if persona.role == "anon":
                b_keys |= set(fixture.world_of("A")[plan.table.key])
            repeated = bool(b_keys & set(keys_of(outcome)))
        else:
            repeated = write_verdict(outcome, plan.command)[0] == "allowed"
        confirmed[id(result)] = (
            replace(result, summary=result.summary + " (confirmed in a fresh transaction)")
            if repeated
            else replace(
                result,
                status="error",
                summary=f"not reproducible: {result.summary} once, not in a fresh transaction",
            )
        )
    return [confirmed.get(id(r), r) for _, r in judged]


def closed(ctx: Context, table: Table, role: str) -> bool:
    """RLS is on and no permissive SELECT policy applies to ``role``: nothing can show."""
    return table.rls_enabled and not candidate_policies(ctx.catalog, table, role, "select")


def with_path(fixture: Fixture, table: Table, rows: tuple[str, ...], world: str) -> tuple[str, ...]:
    """Each exposed row with the tenant path that makes it tenant ``world``'s."""
    path = fixture.tenancy.paths.get(table.key)
    if path is None:
        return rows
    return tuple(f"{r} (tenant {world} by {path.label()})" for r in rows)


def _error(ctx: Context, table: Table, base: dict[str, Any], outcome: Outcome) -> CheckResult:
    if outcome.sqlstate == "42P17":
        path = ctx.recursion_path(table, outcome.message)
        return CheckResult(
            **base,
            status="error",
            summary="policy recursion (42P17)" + (f": {path}" if path else ""),
            sqlstate=outcome.sqlstate,
            error=outcome.message,
            cycle=path,
        )
    return CheckResult(
        **base,
        status="error",
        summary=f"query failed: {outcome.sqlstate} {outcome.message}",
        sqlstate=outcome.sqlstate,
        error=outcome.message,
    )
