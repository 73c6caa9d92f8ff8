"""Functions a fix touches run the same before and after it (issue #12: a pinned
``search_path`` that stops ``insert into members`` or ``sign()`` from resolving).

Each function an ``alter function … set search_path`` fix names is run as its callers
would (``rules/sandbox.exercise``: a trigger fired by a generated row, a call with
generated arguments) in a rolled-back transaction, before the fixes and after them; a
function that ran before and fails after drops the fix, with PostgreSQL's message.
"""

from __future__ import annotations

import pglast
import psycopg
from pglast.stream import RawStream

from pgvet.analysis.sql.quote import qualified
from pgvet.fixing.plan import Unit
from pgvet.rules.sandbox import CHECK_TIMEOUT_MS, Outcome, Sandbox, exercise

_NAMES = """
select n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
 where p.oid = pg_catalog.to_regprocedure(%s)
"""


def touched_functions(unit: Unit) -> list[str]:
    """``schema.name(types)`` of every function the unit alters."""
    out = []
    for stmt in unit.statements:
        try:
            parsed = pglast.parse_sql(stmt)
        except pglast.parser.ParseError:
            continue
        for raw in parsed:
            node = raw.stmt
            if type(node).__name__ != "AlterFunctionStmt":
                continue
            names = [n.sval for n in node.func.objname]
            schema, name = (["public", *names])[-2:]
            types = ", ".join(RawStream()(a) for a in node.func.objargs or ())
            out.append(f"{qualified(schema, name)}({types})")
    return out


def behaviour(conn: psycopg.Connection, signature: str) -> Outcome | None:
    """The function run once as its callers would, rolled back; None when pgvet cannot
    run it (no generated arguments for a type, no trigger fires it…)."""
    row = conn.execute(_NAMES, (signature,)).fetchone()
    if row is None:
        return None
    with conn.transaction(force_rollback=True):
        conn.execute(f"set local statement_timeout = {CHECK_TIMEOUT_MS}")
        conn.execute(f"set local lock_timeout = {CHECK_TIMEOUT_MS}")
        path = conn.execute("select pg_catalog.current_setting('search_path')").fetchone()
        conn.execute("select pg_catalog.set_config('search_path', 'pg_catalog', true)")
        run = exercise(conn, *row)
        if run.sql is None:
            return None
        conn.execute("select pg_catalog.set_config('search_path', %s, true)", (path[0],))
        return Sandbox.attempt(conn, run.sql)
