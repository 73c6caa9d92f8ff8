"""What a tenant-A user tries beyond reading and writing tenant B's rows directly.

* **Join tenant B through a function**: every function the persona may EXECUTE whose
  body inserts into a membership table is called with tenant B's id (and the persona's
  own user id); if the persona is then a member of tenant B, that is a leak.
* **Switch the tenant context**: every function it may EXECUTE that writes a setting
  (``set_config('app.current_tenant_id', …)``) or the claims is called with tenant B's
  id or value, then every tested table is read again: any row of tenant B is a leak.
  With value tenancy this is also tried without the tenant claim, as the stock Supabase
  token has none (vcon-mcp: ``set_tenant_context()`` then picks any tenant).

Each attack runs in a transaction rolled back at the end, and a leak is repeated in a
fresh transaction before it is reported.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog.model import Function
from pgvet.rls.acting import set_persona
from pgvet.rls.attribution import describe_rows
from pgvet.rls.checks import Context, keys_of, read_keys
from pgvet.rls.fixture import Fixture
from pgvet.rls.isolation import with_path
from pgvet.rls.personas import Persona
from pgvet.rls.results import CheckResult
from pgvet.rls.tenancy import Membership

_SETS = re.compile(r"set_config\s*\(|\bset\s+(?:local|session)\s+[\w.]+|raw_app_meta_data", re.I)


def _callable(f: Function) -> bool:
    return (
        not f.is_internal_schema
        and f.kind == "function"
        and (f.result or "").lower() not in ("trigger", "event_trigger")
        and bool(f.executable_by & {"authenticated", "public"})
    )


def _args(f: Function, uuid_b: str | None, text_b: str, me: str) -> list[Any] | None:
    """Arguments aimed at tenant B: its id where an id goes, its value where text goes."""
    out: list[Any] = []
    used_b = False
    for part in filter(None, (p.strip() for p in f.identity_args.split(","))):
        words = part.lower().split()
        kind = words[-1] if words else ""
        name = words[0] if len(words) > 1 else ""
        if kind == "uuid":
            if "user" in name or (used_b and uuid_b):
                out.append(me)
            else:
                out.append(uuid_b)
                used_b = True
        elif kind in ("text", "varchar", "character varying", "citext"):
            out.append(text_b)
        else:
            return None
    return out


def _call(f: Function, args: list[Any]) -> sql.Composable:
    return sql.SQL("select {}({})").format(
        sql.Identifier(f.schema, f.name), sql.SQL(", ").join(sql.SQL("%s") for _ in args)
    )


def attack_checks(
    ctx: Context,
    fixture: Fixture,
    personas: list[Persona],
    public_tables: tuple[str, ...] = (),
    leaking: frozenset[str] = frozenset(),
) -> list[CheckResult]:
    """Join-through-function and context-switch attacks for every tenant-A persona.
    Tables read across tenants on purpose (``public_tables``) or already ``leaking`` to
    tenant A without any call are not read again after a context switch."""
    tenancy = fixture.tenancy
    b_ids = [i for r in tenancy.roots for i in fixture.world_of("B").get(r, [])]
    b_value = next(iter(fixture.tenant_values.get("B", {}).values()), "")
    uuid_b = b_ids[0] if b_ids else (b_value if _is_uuid(b_value) else None)
    text_b = b_value or (b_ids[0] if b_ids else "")
    functions = [f for f in ctx.catalog.functions if _callable(f)]
    members = [m for m in tenancy.memberships if not m.profile]
    attackers = [p for p in personas if "+forged" not in p.name]
    if tenancy.claim and attackers:
        stock = {k: v for k, v in attackers[0].claims.items() if k != tenancy.claim}
        attackers.append(
            replace(
                attackers[0],
                name=f"{attackers[0].name}+stock-token",
                claims=stock,
                description=f"{attackers[0].description}, with the stock token (no "
                f"{tenancy.claim} claim)",
            )
        )
    skip = set(leaking) | {
        k for k in fixture.tested_tables if ".".join(k) in public_tables or k[1] in public_tables
    }
    out: list[CheckResult] = []
    for f in functions:
        args = _args(f, uuid_b, text_b, "")
        if args is None:
            continue
        joins = [m for m in members if re.search(rf"\b{re.escape(m.table[1])}\b", f.body, re.I)]
        inserts = bool(re.search(r"insert\s+into", f.body, re.I))
        if joins and inserts:
            for persona in attackers:
                for m in joins:
                    out.append(_join(ctx, persona, f, m, uuid_b, text_b, b_ids))
        elif _SETS.search(f.body):
            for persona in attackers:
                out += _switch(ctx, fixture, persona, f, uuid_b, text_b, skip)
    return out


def _is_uuid(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text))


def _label(f: Function) -> str:
    definer = "SECURITY DEFINER, " if f.security_definer else ""
    return f"function {f.signature} ({definer}EXECUTE granted to authenticated)"


def _join(
    ctx: Context,
    persona: Persona,
    f: Function,
    m: Membership,
    uuid_b: str | None,
    text_b: str,
    b_ids: list[str],
) -> CheckResult:
    args = _args(f, uuid_b, text_b, persona.user_id or "") or []
    base: dict[str, Any] = {
        "persona": persona.name,
        "table": ".".join(m.table),
        "command": "insert",
        "kind": "isolation",
        "query": _call(f, args).as_string(ctx.conn),
    }
    check = sql.SQL("select count(*) from {} where {}::text = %s and {}::text = any(%s)").format(
        sql.Identifier(*m.table), sql.Identifier(m.user_column), sql.Identifier(m.tenant_column)
    )

    def attempt() -> tuple[bool, str]:
        with ctx.conn.transaction(force_rollback=True):
            set_persona(ctx.conn, persona, method="POST")
            try:
                with ctx.conn.transaction():
                    ctx.conn.execute(_call(f, args), args)
            except psycopg.Error as exc:
                return False, (exc.sqlstate or "") + " " + str(exc).strip().splitlines()[0]
            ctx.conn.execute("reset role")
            row = ctx.conn.execute(check, (persona.user_id, b_ids)).fetchone()
            return bool(row and row[0]), ""

    joined, error = attempt()
    if not joined:
        why = f" ({error})" if error else ""
        return CheckResult(
            **base, status="pass", summary=f"cannot join tenant B by calling {f.name}(){why}"
        )
    if not attempt()[0]:
        return CheckResult(
            **base,
            status="error",
            summary=f"not reproducible: joined tenant B through {f.name}() once",
        )
    return CheckResult(
        **base,
        status="fail",
        summary=f"LEAK: joins tenant B by calling {f.name}() (confirmed in a fresh transaction)",
        policies=(_label(f),),
    )


def _switch(
    ctx: Context,
    fixture: Fixture,
    persona: Persona,
    f: Function,
    uuid_b: str | None,
    text_b: str,
    skip: set,
) -> list[CheckResult]:
    args = _args(f, uuid_b, text_b, persona.user_id or "") or []
    tables = [
        ctx.catalog.table(*k)
        for k in fixture.tested_tables
        if k not in skip and ".".join(k) not in skip
    ]
    statements = [read_keys(ctx, t, fixture.world_of("B")[t.key]) for t in tables]

    def attempt() -> dict[str, list[str]] | None:
        with ctx.conn.transaction(force_rollback=True):
            set_persona(ctx.conn, persona, method="POST")
            try:
                with ctx.conn.transaction():
                    ctx.conn.execute(_call(f, args), args)
            except psycopg.Error:
                return None
            outcomes = ctx.runner.run(persona, [("q", s) for s in statements], "select")
        return {
            ".".join(t.key): keys_of(o) for t, o in zip(tables, outcomes, strict=True) if keys_of(o)
        }

    seen = attempt()
    if not seen:
        return []
    confirmed = attempt() or {}
    out = []
    call = _call(f, args).as_string(ctx.conn)
    for table in tables:
        name = ".".join(table.key)
        keys = seen.get(name)
        if not keys:
            continue
        ok = name in confirmed
        out.append(
            CheckResult(
                persona=persona.name,
                table=name,
                command="select",
                kind="isolation",
                status="fail" if ok else "error",
                summary=(
                    f"LEAK: after calling {f.name}({text_b!r}) sees {len(keys)} row(s) of "
                    "tenant B (confirmed in a fresh transaction)"
                    if ok
                    else f"not reproducible: saw tenant B's rows after {f.name}() once"
                ),
                query=call,
                policies=(_label(f),),
                rows=with_path(fixture, table, describe_rows(ctx, table, keys), "B"),
            )
        )
    return out
