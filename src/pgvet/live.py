"""Read-only connections to a user's live database, and DSN redaction.

pgvet never writes to a live database: the session is read-only by default
(``default_transaction_read_only``), every statement has a timeout and every lock wait a
short limit, so a review can never block production traffic for long. Passwords never
appear in any output: every DSN shown is redacted first.
"""

from __future__ import annotations

import re

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgvet.errors import ConnectionFailed

STATEMENT_TIMEOUT = "30s"
LOCK_TIMEOUT = "2s"
_URL_PASSWORD = re.compile(
    r"(?P<scheme>[a-z][\w+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]*)@", re.I
)
_KV_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&\s]*", re.I)


def redact(text: str) -> str:
    """Hide passwords in URLs (``postgres://u:secret@h``) and ``password=...`` pairs."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    return _KV_PASSWORD.sub(r"\1***", text)


def connect_with_settings(
    dsn: str, settings: dict[str, str], application: str = "pgvet"
) -> psycopg.Connection:
    """An autocommit connection whose session carries ``settings`` (timeouts, read-only),
    or a clear error with the DSN redacted."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConnectionFailed(
            f"not a valid connection string: {redact(dsn)}",
            hint="use postgresql://user@host:5432/dbname or 'host=... dbname=...'",
        ) from exc
    options = " ".join(
        [params.get("options") or "", *(f"-c {k}={v}" for k, v in settings.items())]
    ).strip()
    conninfo = make_conninfo(dsn, options=options, application_name=application)
    try:
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise ConnectionFailed(
            f"could not connect to {redact(dsn)}: {redact(str(exc).strip())}",
            hint="check host, port, database name and credentials (PGPASSWORD or ~/.pgpass "
            "keep the password out of the command line)",
        ) from exc


def connect_read_only(dsn: str, application: str = "pgvet") -> psycopg.Connection:
    """A read-only, time-limited autocommit connection, or a clear error (DSN redacted)."""
    conn = connect_with_settings(
        dsn,
        {
            "default_transaction_read_only": "on",
            "statement_timeout": STATEMENT_TIMEOUT,
            "lock_timeout": LOCK_TIMEOUT,
            "idle_in_transaction_session_timeout": "60s",
        },
        application,
    )
    conn.execute("set default_transaction_read_only = on")
    return conn
