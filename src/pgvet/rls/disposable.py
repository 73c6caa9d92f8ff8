"""A writable connection to a server the user says is disposable.

``pgvet rls test --db`` inserts rows (two generated tenants, copies of rows for insert
checks). Everything happens inside one transaction that is rolled back, but a test server
can still be blocked or slowed, so the connection carries a statement timeout and a short
lock timeout, and refuses read-only replicas up front. Passwords never appear in messages.
"""

from __future__ import annotations

import psycopg

from pgvet.errors import InputError
from pgvet.live.connect import connect_with_settings, redact

STATEMENT_TIMEOUT = "60s"
LOCK_TIMEOUT = "5s"
API_ROLES = ("anon", "authenticated")


def connect_disposable(dsn: str, application: str = "pgvet rls") -> psycopg.Connection:
    """An autocommit connection with timeouts, or a clear error (DSN redacted)."""
    conn = connect_with_settings(
        dsn,
        {
            "statement_timeout": STATEMENT_TIMEOUT,
            "lock_timeout": LOCK_TIMEOUT,
            "idle_in_transaction_session_timeout": "120s",
        },
        application,
    )
    try:
        _preflight(conn, dsn)
    except BaseException:
        conn.close()
        raise
    return conn


def _preflight(conn: psycopg.Connection, dsn: str) -> None:
    row = conn.execute(
        "select pg_is_in_recovery(), current_setting('default_transaction_read_only'),"
        " (select array_agg(r) from unnest(%s::text[]) r"
        "   where not exists (select from pg_roles where rolname = r)),"
        " (select array_agg(r) from unnest(%s::text[]) r"
        "   where exists (select from pg_roles where rolname = r)"
        "     and not pg_has_role(current_user, r, 'MEMBER'))",
        (list(API_ROLES), list(API_ROLES)),
    ).fetchone()
    assert row is not None
    in_recovery, read_only, missing, not_member = row
    where = redact(dsn)
    if in_recovery or read_only == "on":
        raise InputError(
            f"{where} is read-only (a replica or default_transaction_read_only=on)",
            hint="rls test writes rows (rolled back); point it at a writable disposable copy",
        )
    if missing:
        raise InputError(
            f"{where} has no role(s) {', '.join(missing)}: not a Supabase-style database",
            hint="the checks act as anon and authenticated, the roles PostgREST switches to",
        )
    if not_member:
        raise InputError(
            f"the user of {where} cannot SET ROLE to {', '.join(not_member)}",
            hint="connect as the project owner (postgres on Supabase) or grant those roles",
        )
