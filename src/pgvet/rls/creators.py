"""Create a tenant root the way the application does, when a plain INSERT cannot.

Many projects create an organisation only through a function (``create_organization
(name)``: it computes a slug, inserts the organisation and makes the caller its owner).
When pgvet's generated row is refused, the functions that insert into the root table
and that a signed-in user may execute are called *as that user* (role
``authenticated``, their claims), with plain arguments; the root row they made is the
tenant's.
"""

from __future__ import annotations

import json
import re
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog.model import Function, Table
from pgvet.rls.rows import FixtureUser, RowMaker

_ARG = re.compile(r"^(?:(?:in|inout|variadic)\s+)?(?:(\w+)\s+)?(.+?)(?:\s+default\s+.*)?$", re.I)


def creators(b: RowMaker, table: Table) -> list[Function]:
    """Functions a signed-in user may execute whose body inserts into ``table``."""
    pattern = re.compile(
        rf"insert\s+into\s+(?:\"?{re.escape(table.schema)}\"?\s*\.\s*)?\"?{re.escape(table.name)}\"?\b",
        re.I,
    )
    return [
        f
        for f in b.catalog.functions
        if not f.is_internal_schema
        and f.kind == "function"
        and (f.result or "").lower() != "trigger"
        and f.executable_by & {"authenticated", "public"}
        and pattern.search(f.body)
    ]


def _arguments(f: Function, world: str, user: FixtureUser) -> list[str | None]:
    out: list[str | None] = []
    for part in filter(None, (p.strip() for p in f.identity_args.split(","))):
        match = _ARG.match(part)
        kind = (match.group(2) if match else part).lower()
        if "uuid" in kind:
            out.append(user.id)
        elif "text" in kind or "char" in kind:
            out.append(f"pgvet {world} {user.role}")
        elif "json" in kind:
            out.append("{}")
        else:
            out.append(None)
    return out


def create_through_function(
    b: RowMaker, table: Table, world: str, user: FixtureUser
) -> dict[str, Any] | None:
    """The root row a creator function made for ``user``, or None; the row carries the
    function's signature under ``__pgvet_function`` for the report."""
    ident = sql.Identifier(table.schema, table.name)
    for f in creators(b, table):
        args = _arguments(f, world, user)
        call = sql.SQL("select {}({})").format(
            sql.Identifier(f.schema, f.name),
            sql.SQL(", ").join(sql.SQL("%s") for _ in args),
        )
        claims = json.dumps({"sub": user.id, "role": "authenticated", "email": user.email})
        before = {r[0] for r in b.conn.execute(sql.SQL("select ctid::text from {}").format(ident))}
        try:
            with b.conn.transaction():
                b.conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
                b.conn.execute("set local role authenticated")
                b.conn.execute(call, args)
                b.conn.execute("reset role")
        except psycopg.Error:
            continue
        finally:
            b.reset_actor()
        query = sql.SQL("select ctid::text, to_jsonb(t) from {} t").format(ident)
        for ctid, row in b.conn.execute(query).fetchall():
            if ctid not in before:
                return {**dict(row), "__pgvet_function": f"{f.signature}"}
    return None
