"""plpgsql_check's errors for a function, where the real extension is on the server.

Running a function reaches the branches its generated arguments take; a pinned
``search_path`` that breaks a branch never taken (``if flag then insert into profiles``)
only shows statically. plpgsql_check prepares every statement of a PL/pgSQL body with the
function's own settings (its ``search_path`` included), so its errors before and after a
fix say whether the fix broke a name anywhere in the body.

The extension is created for the check only, inside a transaction that is rolled back (in
a schema of its own, as the project role: it is on the platform's allow-list), so neither
the proof's later lint nor the files written ever see it; a project that installed the
real one already is checked with its own. pgvet's SQL stand-in (servers without Debian's
``postgresql-15-plpgsql-check``) checks nothing and counts as absent. Only ``error`` level
is read: warnings and performance hints are not a change of behaviour.
"""

from __future__ import annotations

import psycopg

from pgvet.analysis.sql.quote import ident

_SCHEMA = "pgvet_plpgsql_check"
_INSTALLED = """
select n.nspname from pg_catalog.pg_extension e
  join pg_catalog.pg_namespace n on n.oid = e.extnamespace
 where e.extname = 'plpgsql_check'
"""
#: the real extension is C; pgvet's stand-in is PL/pgSQL
_REAL = """
select exists (select from pg_catalog.pg_proc p
                 join pg_catalog.pg_language l on l.oid = p.prolang
                where p.proname = 'plpgsql_check_function_tb' and l.lanname = 'c'
                  and p.pronamespace = %s::regnamespace)
"""
_LANGUAGE = """
select l.lanname from pg_catalog.pg_proc p join pg_catalog.pg_language l on l.oid = p.prolang
 where p.oid = %s
"""


def check_schema(conn: psycopg.Connection) -> tuple[str | None, str]:
    """The schema of a real plpgsql_check on this database, creating it when the server
    offers it (call inside a transaction that will be rolled back); ``(None, why)`` when
    there is none."""
    row = conn.execute(_INSTALLED).fetchone()
    if row is None:
        available = conn.execute(
            "select exists (select from pg_catalog.pg_available_extensions"
            " where name = 'plpgsql_check')"
        ).fetchone()
        if not (available and available[0]):
            return None, "not installed on this server"
        try:
            with conn.transaction():
                conn.execute(f"create schema {ident(_SCHEMA)}")
                conn.execute(f"create extension plpgsql_check schema {ident(_SCHEMA)}")
        except psycopg.Error as exc:
            first = (exc.diag.message_primary or str(exc)).splitlines()[0]
            return None, f"could not be created: {exc.diag.sqlstate} {first}"
        schema = _SCHEMA
    else:
        schema = row[0]
    real = conn.execute(_REAL, (ident(schema),)).fetchone()
    if not (real and real[0]):
        return None, "only pgvet's stand-in here, which checks nothing"
    return schema, ""


def is_plpgsql(conn: psycopg.Connection, function_oid: int) -> bool:
    row = conn.execute(_LANGUAGE, (function_oid,)).fetchone()
    return bool(row) and row[0] == "plpgsql"


def errors(
    conn: psycopg.Connection, schema: str, function_oid: int, table_oid: int = 0
) -> list[str]:
    """plpgsql_check's errors for the function (a trigger function checked against the
    table ``table_oid``), each ``line N: SQLSTATE message``, in a savepoint; a check that
    itself fails is reported as one error."""
    sql = (
        f"select lineno, sqlstate, message from {ident(schema)}.plpgsql_check_function_tb("
        "%s::oid::regprocedure, %s::oid::regclass, fatal_errors => false,"
        " other_warnings => false, performance_warnings => false, extra_warnings => false,"
        " security_warnings => false) where level = 'error'"
    )
    try:
        with conn.transaction(force_rollback=True):
            rows = conn.execute(sql, (function_oid, table_oid)).fetchall()
    except psycopg.Error as exc:
        first = (exc.diag.message_primary or str(exc)).splitlines()[0]
        return [f"the check failed: {exc.diag.sqlstate} {first}"]
    return [
        f"line {n}: {state} {message}" if n else f"{state} {message}" for n, state, message in rows
    ]
