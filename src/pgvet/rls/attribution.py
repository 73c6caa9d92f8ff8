"""Who let it happen: the policy behind a leak, and the rows it exposed.

When a check finds a leak, each candidate policy's expression is evaluated *as the
persona* against the exposed rows (or, for an insert, against the row it tried to write,
rebuilt with ``jsonb_populate_record``), so the report names the policy that was true
rather than every policy on the table. Nested policies and functions run as they do in
production because the evaluation itself runs under RLS as that persona.

A SELECT policy that explicitly makes rows public (``to anon``, or ``using (true)``) is
told apart here too: rows it shows are a public catalogue, not a tenant leak.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog.model import Catalog, Policy, Table
from pgvet.rls.acting import set_persona
from pgvet.rls.checks import ROW_SAMPLE, Context
from pgvet.rls.personas import Persona


def candidate_policies(catalog: Catalog, table: Table, role: str, command: str) -> list[Policy]:
    """Permissive policies that could let ``role`` run ``command`` on ``table``."""
    cmd = command.upper()
    return [
        p
        for p in catalog.policies_of(table.schema, table.name)
        if p.permissive and p.applies_to(role) and p.command in ("ALL", cmd)
    ]


def _policy_expr(policy: Policy, command: str) -> str | None:
    if command == "insert":
        return policy.with_check or (policy.using if policy.command == "ALL" else None)
    return policy.using


@dataclass(frozen=True)
class Allowed:
    """A policy whose expression is true for the exposed row(s)."""

    name: str
    command: str
    expr: str

    def label(self) -> str:
        return f'"{self.name}" ({self.command.lower()}: {_short(self.expr)})'


def _eval_policy(
    ctx: Context,
    persona: Persona,
    table: Table,
    expr: str,
    keys: list[str] | None,
    row: dict[str, Any] | None,
    agg: str = "bool_or",
) -> bool:
    ident = sql.Identifier(table.schema, table.name)
    alias = sql.Identifier(table.name)
    if row is not None:
        source = sql.SQL("jsonb_populate_record(null::{}, {}::jsonb) as {}").format(
            ident, sql.Literal(json.dumps(row, default=str)), alias
        )
        where: sql.Composable = sql.SQL("true")
    else:
        source = sql.SQL("{} as {}").format(ident, alias)
        where = ctx.spec(table).matches((keys or [])[:ROW_SAMPLE])
    query = sql.SQL("select {}(coalesce(({}), false)) from {} where {}").format(
        sql.SQL(agg),
        sql.SQL(expr),
        source,
        where,  # type: ignore[arg-type]
    )
    try:
        with ctx.conn.transaction(force_rollback=True):
            set_persona(ctx.conn, persona)
            hit = ctx.conn.execute(query).fetchone()
    except psycopg.Error:
        return False
    return bool(hit and hit[0])


def allowed_by(
    ctx: Context,
    persona: Persona,
    table: Table,
    command: str,
    keys: list[str] | None = None,
    row: dict[str, Any] | None = None,
) -> list[Allowed]:
    """The policies that let ``persona`` see / write the rows, evaluated as the persona."""
    out: list[Allowed] = []
    for policy in candidate_policies(ctx.catalog, table, persona.role, command):
        expr = _policy_expr(policy, command)
        if expr is None:
            out.append(Allowed(policy.name, policy.command, "true"))
            continue
        if _eval_policy(ctx, persona, table, expr, keys, row):
            out.append(Allowed(policy.name, policy.command, expr))
    return out


def attribute(
    ctx: Context,
    persona: Persona,
    table: Table,
    command: str,
    keys: list[str] | None = None,
    row: dict[str, Any] | None = None,
) -> tuple[str, ...]:
    """Name what let ``persona`` see / write the rows: RLS off, or the policies whose
    expression is true for the exposed row, evaluated as the persona."""
    if table.is_view:
        view = ctx.catalog.view(table.schema, table.name)
        if view is not None and not view.security_invoker:
            owner = f" ({view.owner})" if view.owner else ""
            return (
                f"the view runs with its owner's rights{owner}: no security_invoker, so the "
                "RLS of the tables it reads is bypassed",
            )
        return ("the policies of the tables the view reads (security_invoker view)",)
    if not table.rls_enabled:
        return ("RLS is disabled on this table",)
    candidates = candidate_policies(ctx.catalog, table, persona.role, command)
    if not candidates:
        return ("no policy (the role bypasses RLS or owns the table)",)
    found = allowed_by(ctx, persona, table, command, keys, row)
    if found:
        return tuple(a.label() for a in found)
    return tuple(f'one of "{p.name}"' for p in candidates)


def describe_rows(ctx: Context, table: Table, keys: list[str]) -> tuple[str, ...]:
    """A few exposed rows, read as the superuser, in one line each."""
    if not keys:
        return ()
    cache_key = (table.key, tuple(keys[:ROW_SAMPLE]))
    if cache_key in ctx.rows_cache:
        return ctx.rows_cache[cache_key]
    spec = ctx.spec(table)
    alias = sql.Identifier(table.name)
    query = sql.SQL("select {}, to_jsonb({}) from {} as {} where {} limit {}").format(
        spec.expr(),
        alias,
        spec.ident,
        alias,
        spec.matches(keys[:ROW_SAMPLE]),
        sql.Literal(ROW_SAMPLE),
    )
    out = []
    for key, data in ctx.conn.execute(query).fetchall():
        out.append(f"{spec.describe(key)}: {_row_line(dict(data), spec.columns)}")
    ctx.rows_cache[cache_key] = tuple(out)
    return tuple(out)


def describe_row(table: Table, row: dict[str, Any]) -> str:
    """The row an insert tried to write, in one line."""
    return _row_line(row, ())


def _row_line(data: dict[str, Any], skip: tuple[str, ...]) -> str:
    parts = []
    for name, value in data.items():
        if name in skip or value in (None, "", {}, []):
            continue
        text = json.dumps(value, default=str) if not isinstance(value, str) else value
        parts.append(f"{name}={text[:40]}")
        if len(parts) == 5:
            break
    return ", ".join(parts)


def _short(expr: str, limit: int = 90) -> str:
    flat = " ".join(expr.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
