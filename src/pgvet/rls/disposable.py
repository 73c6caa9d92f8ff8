"""A writable connection to a server the user says is disposable.

``pgvet rls test --db`` inserts rows (two generated tenants, copies of rows for insert
checks). Everything happens inside one transaction that is rolled back, but a test server
can still be blocked or slowed, so the connection carries a statement timeout and a short
lock timeout, and refuses read-only replicas up front. Passwords never appear in messages.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgvet.errors import ConnectionFailed, InputError
from pgvet.live import redact

STATEMENT_TIMEOUT = "60s"
LOCK_TIMEOUT = "5s"
API_ROLES = ("anon", "authenticated")


def connect_disposable(dsn: str, application: str = "pgvet rls") -> psycopg.Connection:
    """An autocommit connection with timeouts, or a clear error (DSN redacted)."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConnectionFailed(
            f"not a valid connection string: {redact(dsn)}",
            hint="use postgresql://user@host:5432/dbname or 'host=... dbname=...'",
        ) from exc
    options = " ".join(
        filter(
            None,
            [
                params.get("options", ""),
                f"-c statement_timeout={STATEMENT_TIMEOUT}",
                f"-c lock_timeout={LOCK_TIMEOUT}",
                "-c idle_in_transaction_session_timeout=120s",
            ],
        )
    )
    conninfo = make_conninfo(dsn, options=options, application_name=application)
    try:
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise ConnectionFailed(
            f"could not connect to {redact(dsn)}: {redact(str(exc).strip())}",
            hint="check host, port, database name and credentials (PGPASSWORD or ~/.pgpass "
            "keep the password out of the command line)",
        ) from exc
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
