"""Read-only connections to a user's live database, and DSN redaction.

pgvet never writes to a live database: the session is read-only by default
(``default_transaction_read_only``), every statement has a timeout and every lock wait a
short limit, so a review can never block production traffic for long. Passwords never
appear in any output: a DSN is shown as libpq reads it with its passwords replaced
(:func:`redact`), and any text that may quote it (libpq's errors) is scrubbed of its
passwords in every spelling (:func:`scrubber`); text that is no DSN at all is masked by
pattern (:func:`mask_secrets`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgvet.errors import ConnectionFailed

STATEMENT_TIMEOUT = "30s"
LOCK_TIMEOUT = "2s"
MASK = "***"
SECRET_KEYS = ("password", "sslpassword")
# a URL's password runs to the last "@" before the query: an unencoded "/" or "@" in it is
# still the password the user meant, even though libpq splits the URL elsewhere
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][\w+.-]*://[^\s:@/?#]*:)(?P<secret>[^\s?#]*)(?=@)", re.I)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&](?:ssl)?password=)(?P<secret>[^&\s#]*)", re.I)
_KV_PASSWORD = re.compile(
    r"(?P<head>\b(?:ssl)?password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*(?:'|$)|[^\s']\S*)", re.I
)
_PATTERNS = (_URL_PASSWORD, _QUERY_PASSWORD, _KV_PASSWORD)


def mask_secrets(text: str) -> str:
    """Hide anything that looks like a password in free text (URL user info, ``?password=``,
    ``password=...`` pairs): the fallback for text that is not a DSN pgvet was given."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m["head"] + MASK, text)
    return text


def _spellings(secret: str) -> set[str]:
    """A password as it may appear in text: raw, percent-decoded and percent-encoded."""
    return {secret, unquote(secret), quote(secret, safe=""), quote(unquote(secret), safe="")}


def secrets_of(dsn: str) -> list[str]:
    """Every password of ``dsn`` in every spelling, longest first: what libpq reads and what
    the text says (they differ when a URL's password holds an unencoded "/" or "@"), so
    that no spelling of it survives in a message."""
    found: set[str] = set()
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        params = {}
    if not _misread_password(dsn, params):  # else libpq's reading is a piece of the password
        found |= {str(params[key]) for key in SECRET_KEYS if params.get(key)}
    for pattern in _PATTERNS:
        for match in pattern.finditer(dsn):
            secret = match["secret"]
            if secret.startswith("'"):
                secret = re.sub(r"\\(.)", r"\1", secret.strip("'"))
            found |= _spellings(secret)
    return sorted((s for s in found if s), key=len, reverse=True)


def scrubber(dsn: str) -> Callable[[str], str]:
    """A function that removes ``dsn``'s passwords from any text, such as an error message
    that quotes part of the connection string, then masks whatever else looks like one."""
    secrets = secrets_of(dsn)
    exact = re.compile("|".join(map(re.escape, secrets)), re.I) if secrets else None

    def scrub(text: str) -> str:
        return mask_secrets(exact.sub(MASK, text) if exact else text)

    return scrub


def _misread_password(dsn: str, params: dict[str, str]) -> bool:
    """True when a URL's password, as written, is not the one libpq reads: an unencoded
    "/" or "@" makes libpq take part of it for the host, port or database name."""
    match = _URL_PASSWORD.match(dsn.strip())
    return match is not None and unquote(match["secret"]) != (params.get("password") or "")


def redact(dsn: str) -> str:
    """A DSN as it may be shown: libpq's reading of it, rebuilt with ``make_conninfo`` with
    every password replaced by ``***``; text libpq cannot read (or misreads) is masked by
    pattern and scrubbed of the passwords it holds."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return scrubber(dsn)(dsn)
    if not params or _misread_password(dsn, params):
        return scrubber(dsn)(dsn)
    shown = {key: MASK if key in SECRET_KEYS else value for key, value in params.items()}
    return scrubber(dsn)(make_conninfo("", **shown))


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
    if _misread_password(dsn, params):
        raise ConnectionFailed(
            f"the password in the connection URL {redact(dsn)} holds a character libpq reads "
            "as part of the address",
            hint="percent-encode it (/ as %2F, @ as %40, : as %3A), or leave it out of the "
            "URL and set PGPASSWORD or ~/.pgpass",
        )
    options = " ".join(
        [params.get("options") or "", *(f"-c {k}={v}" for k, v in settings.items())]
    ).strip()
    conninfo = make_conninfo(dsn, options=options, application_name=application)
    try:
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise ConnectionFailed(
            f"could not connect to {redact(dsn)}: {scrubber(dsn)(str(exc).strip())}",
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
