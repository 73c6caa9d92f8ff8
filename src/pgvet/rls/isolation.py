"""Automatic tenant isolation: tenant A's people against tenant B's rows.

For every tenant-scoped table filled in both worlds and every persona of tenant A:

* **select**: no row of tenant B is visible;
* **insert**: a copy of one of tenant B's rows is refused (for a membership table also
  "add myself to tenant B", the classic way into another tenant);
* **update / delete**: aimed at tenant B's rows, they touch nothing.

``anon`` gets the same writes and must see no row of either tenant unless a SELECT policy
that applies to ``anon`` says public reads are intended (then the result passes and says
which policy). A leak names the table, the command, the policy that allowed it and the
row it exposed.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgvet.catalog.model import Table
from pgvet.rls.checks import (
    Context,
    allowed_by,
    attribute,
    copy_row,
    describe_row,
    describe_rows,
    insert_copy,
    keys_of,
    read_keys,
    write_keys,
    write_verdict,
)
from pgvet.rls.fixture import Fixture
from pgvet.rls.personas import Persona
from pgvet.rls.results import CheckResult
from pgvet.rls.runner import Kind, Outcome
from pgvet.rls.tenancy import AUTH_USERS


@dataclass(frozen=True)
class _Planned:
    table: Table
    command: str
    variant: str  # "" or "self" (membership: add myself to tenant B)
    kind: Kind
    sql: str
    row: dict | None = None


def isolation_checks(
    ctx: Context, fixture: Fixture, personas: list[Persona], anon: Persona
) -> list[CheckResult]:
    """Run every isolation check for ``personas`` (tenant A) and ``anon``."""
    tables = [ctx.catalog.table(*k) for k in fixture.tested_tables]
    results: list[CheckResult] = []
    for persona in [*personas, anon]:
        for command in ("select", "insert", "update", "delete"):
            planned = _plan(ctx, fixture, persona, tables, command)
            outcomes = ctx.runner.run(persona, [(p.kind, p.sql) for p in planned], command)
            for plan, outcome in zip(planned, outcomes, strict=True):
                results.append(_judge(ctx, fixture, persona, plan, outcome))
    return results


def _plan(
    ctx: Context, fixture: Fixture, persona: Persona, tables: list[Table], command: str
) -> list[_Planned]:
    a, b = fixture.world_of("A"), fixture.world_of("B")
    is_anon = persona.role == "anon"
    memberships = {m.table: m for m in fixture.tenancy.memberships if not m.profile}
    out: list[_Planned] = []
    for table in tables:
        keys_b = b[table.key]
        if command == "select":
            keys = keys_b + a[table.key] if is_anon else keys_b
            out.append(_Planned(table, command, "", "q", read_keys(ctx, table, keys)))
        elif command in ("update", "delete"):
            out.append(_Planned(table, command, "", "q", write_keys(ctx, table, command, keys_b)))
        else:
            sample = fixture.samples.get("B", {}).get(table.key)
            if sample is None:
                continue
            row = copy_row(ctx, table, sample)
            out.append(_Planned(table, command, "", "w", insert_copy(ctx, table, row), row))
            membership = memberships.get(table.key)
            if membership is not None and persona.user_id and not is_anon:
                mine = copy_row(ctx, table, sample, {membership.user_column: persona.user_id})
                sql_text = insert_copy(ctx, table, mine)
                out.append(_Planned(table, command, "self", "w", sql_text, mine))
    return out


def _judge(
    ctx: Context, fixture: Fixture, persona: Persona, plan: _Planned, outcome: Outcome
) -> CheckResult:
    table, command = plan.table, plan.command
    name = f"{table.schema}.{table.name}"
    kind = "anon" if persona.role == "anon" else "isolation"
    base = {
        "persona": persona.name,
        "table": name,
        "command": command,
        "kind": kind,
        "query": plan.sql,
    }
    if (
        not outcome.ok
        and outcome.sqlstate not in ("42501",)
        and not (command != "select" and (outcome.sqlstate or "").startswith("23"))
    ):
        return _error(ctx, table, base, outcome)
    if command == "select":
        if outcome.sqlstate == "42501":
            return CheckResult(
                **base,
                status="pass",
                summary="no privilege to read the table",
                error=outcome.message,
            )
        seen = keys_of(outcome)
        if not seen:
            who = "either tenant" if kind == "anon" else "tenant B"
            return CheckResult(**base, status="pass", summary=f"sees no row of {who}")
        if table.rls_enabled:
            found = allowed_by(ctx, persona, table, "select", seen)
            public = [a for a in found if a.public]
            if public:
                who = "everyone" if persona.role == "anon" else f"every {persona.role} user"
                return CheckResult(
                    **base,
                    status="pass",
                    summary=f"sees {len(seen)} row(s) of {'A/B' if kind == 'anon' else 'B'}: "
                    f"public read on purpose (a SELECT policy lets {who} read them)",
                    policies=tuple(a.label() for a in public),
                )
        what = "rows of tenants A/B" if kind == "anon" else "row(s) of tenant B"
        return CheckResult(
            **base,
            status="fail",
            summary=f"LEAK: sees {len(seen)} {what}",
            policies=attribute(ctx, persona, table, "select", seen),
            rows=describe_rows(ctx, table, seen),
        )
    verdict, touched = write_verdict(outcome, command)
    target = "add itself to tenant B" if plan.variant == "self" else f"{command} tenant B's rows"
    if command == "insert":
        target = (
            "insert itself as a member of tenant B"
            if plan.variant == "self"
            else "insert a row for tenant B"
        )
    if verdict == "refused":
        return CheckResult(**base, status="pass", summary=f"cannot {target}")
    note = ""
    if not outcome.ok:
        note = f" (RLS let it through; only {outcome.sqlstate} {outcome.message} stopped it)"
    if command == "insert":
        rows = (describe_row(table, plan.row or {}),)
        policies = attribute(ctx, persona, table, command, row=plan.row)
    else:
        rows = describe_rows(ctx, table, touched or fixture.world_of("B")[table.key])
        policies = attribute(ctx, persona, table, command, touched or None)
    return CheckResult(
        **base,
        status="fail",
        summary=f"LEAK: can {target}{note}",
        policies=policies,
        rows=rows,
        sqlstate=outcome.sqlstate,
    )


def _error(ctx: Context, table: Table, base: dict, outcome: Outcome) -> CheckResult:
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


def auth_users_note(fixture: Fixture) -> str:
    """Generated users live in auth.users, which the API roles never read directly."""
    return f"generated users per tenant: {len(fixture.users.get('A', []))} ({'.'.join(AUTH_USERS)})"
