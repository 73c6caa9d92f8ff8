"""Functions a fix touches behave the same before and after it (issue #12: a pinned
``search_path`` that stops ``insert into members`` or ``sign()`` from resolving).

Each function an ``alter function … set search_path`` fix names is checked before the
fixes and after them, on the same copy of the project:

* **run as its callers would**, each run in a transaction of its own that is rolled back:
  a trigger function fired by every trigger that uses it, on each of its events
  (:mod:`pgvet.fixing.triggers`); any other function called with generated arguments
  (``rules/sandbox.exercise``) as each of ``postgres``, ``anon``, ``authenticated`` and
  ``service_role`` that may execute it, acting as that role the way PostgREST does
  (``rls.acting.set_persona``: the role and ``request.jwt.claims``; authenticated with a
  generated user's claims). Grants decide who calls a function on Supabase, so a fix that
  breaks it only for ``authenticated`` breaks the app;
* **plpgsql_check**, where the real extension is on the server
  (:mod:`pgvet.fixing.static_check`): its errors for the whole body, branches the
  generated arguments never take included.

A run that succeeded before and fails after, or an error plpgsql_check reports after and
not before, drops the fix, with the role or trigger and PostgreSQL's (or the check's)
message. A run that already failed before says nothing either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pglast
import psycopg
from pglast.stream import RawStream

from pgvet.analysis.sql.quote import qualified
from pgvet.fixing import static_check
from pgvet.fixing.plan import Unit
from pgvet.fixing.triggers import firings
from pgvet.rls.acting import set_persona
from pgvet.rls.personas import ANON, SERVICE_ROLE, Persona
from pgvet.rules.sandbox import CHECK_TIMEOUT_MS, GENERATED_UUID, Outcome, Sandbox, exercise
from pgvet.sandbox.platform import PROJECT_ROLE

#: who calls a function on Supabase: the project role (migrations, the dashboard, server
#: code) and the API roles PostgREST switches to
CALLERS: dict[str, Persona | None] = {
    PROJECT_ROLE: None,
    "anon": ANON,
    "authenticated": Persona(
        "authenticated", role="authenticated", user_id=GENERATED_UUID, _user_row={}
    ),
    "service_role": SERVICE_ROLE,
}

_FUNCTION = """
select p.oid from pg_catalog.pg_proc p where p.oid = pg_catalog.to_regprocedure(%s)
"""
_FUNCTION_BY_OID = """
select n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
       p.prorettype = 'pg_catalog.trigger'::regtype
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
 where p.oid = %s::oid
"""
_MAY_EXECUTE = """
select r.rolname from pg_catalog.pg_roles r
 where r.rolname = any (%s) and pg_catalog.has_function_privilege(r.oid, %s::oid, 'EXECUTE')
"""


@dataclass
class Behaviour:
    """What one function did on the sandbox: each run's outcome by its label (``select
    public.f(generated arguments) as authenticated``, ``trigger "t" on public.a
    (insert)``), plpgsql_check's errors (None when it did not run: ``notes`` say why), and
    the roles it was called as (the runs after a fix use the same roles)."""

    runs: dict[str, Outcome] = field(default_factory=dict)
    static: list[str] | None = None
    #: why plpgsql_check did not run (not PL/pgSQL, not installed, pgvet's stand-in)
    static_why: str = ""
    roles: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What was checked, in a few words, for the report."""
        parts = [
            "plpgsql_check" if self.static is not None else f"no plpgsql_check ({self.static_why})"
        ]
        compared = [label for label, outcome in self.runs.items() if outcome.ok]
        failing = len(self.runs) - len(compared)
        if compared and self.roles:
            parts.append("called as " + ", ".join(c.rsplit(" as ", 1)[1] for c in compared))
        elif compared:
            parts.append("fired " + ", ".join(c.removeprefix("trigger ") for c in compared))
        if failing:
            parts.append(f"{failing} run(s) failing before the fixes too (not compared)")
        if not self.runs and not any(n.startswith("not run") for n in self.notes):
            parts.append("not run")
        return "; ".join(parts + self.notes)


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


@contextlib.contextmanager
def _rolled_back(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    with conn.transaction(force_rollback=True):
        conn.execute(f"set local statement_timeout = {CHECK_TIMEOUT_MS}")
        conn.execute(f"set local lock_timeout = {CHECK_TIMEOUT_MS}")
        conn.execute("set local idle_in_transaction_session_timeout = 0")
        yield conn


def behaviour(
    conn: psycopg.Connection, signature: str, roles: tuple[str, ...] | None = None
) -> Behaviour | None:
    """The function ``signature`` run as its callers would and checked by plpgsql_check,
    everything rolled back; ``roles``: call it as these (default: every caller that may
    execute it now). None when the function is not there."""
    found = Behaviour()
    planned: list[tuple[str, str, Persona | None]] = []
    with _rolled_back(conn):
        row = conn.execute(_FUNCTION, (signature,)).fetchone()
        if row is None:
            return None
        path = conn.execute("select pg_catalog.current_setting('search_path')").fetchone()
        conn.execute("select pg_catalog.set_config('search_path', 'pg_catalog', true)")
        # the identity arguments as exercise() reads them: types qualified (public.user_role)
        oid = row[0]
        schema, name, args, is_trigger = conn.execute(_FUNCTION_BY_OID, (oid,)).fetchone()
        tables = {0: ""}
        if is_trigger:
            fired = firings(conn, oid)
            tables = {f.table_oid: f.relation for f in fired} or tables
            planned = [(f.label, f.sql, None) for f in fired if f.sql is not None]
            found.notes += [f"{f.label} not fired: {f.why}" for f in fired if f.sql is None]
            if not fired:
                found.notes.append("no enabled trigger uses it")
        else:
            run = exercise(conn, schema, name, args)
            if run.sql is None:
                found.notes.append(f"not run: {run.how}")
            else:
                if roles is None:
                    allowed = conn.execute(_MAY_EXECUTE, (list(CALLERS), oid)).fetchall()
                    roles = tuple(r for r in CALLERS if (r,) in allowed)
                found.roles = roles
                planned = [(f"{run.how} as {r}", run.sql, CALLERS[r]) for r in roles]
        conn.execute("select pg_catalog.set_config('search_path', %s, true)", (path[0],))
        found.static, found.static_why = _static(conn, oid, tables)
    for label, sql, persona in planned:
        with _rolled_back(conn):
            if persona is not None:
                set_persona(conn, persona)
            found.runs[label] = Sandbox.attempt(conn, sql)
    return found


def _static(
    conn: psycopg.Connection, oid: int, tables: dict[int, str]
) -> tuple[list[str] | None, str]:
    """plpgsql_check's errors (per table for a trigger function), or None and why not."""
    if not static_check.is_plpgsql(conn, oid):
        return None, "not PL/pgSQL"
    schema, why = static_check.check_schema(conn)
    if schema is None:
        return None, why
    out = []
    for table, relation in tables.items():
        on = f"on {relation}: " if relation else ""
        out += [on + e for e in static_check.errors(conn, schema, oid, table)]
    return out, ""


def regressions(before: Behaviour, after: Behaviour) -> list[str]:
    """What worked before and not after: runs from success to error, new plpgsql_check
    errors; each in words with PostgreSQL's (or the check's) message."""
    out = []
    for label, was in before.runs.items():
        now = after.runs.get(label)
        if was.ok and now is not None and not now.ok:
            out.append(f"{label} ran before the fixes and fails after with {now.error}")
    if before.static is not None and after.static is not None:
        out += [
            f"plpgsql_check reports after the fixes: {e}"
            for e in after.static
            if e not in before.static
        ]
    return out
