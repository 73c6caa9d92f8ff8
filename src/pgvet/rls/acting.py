"""Act as a persona the way PostgREST does, and always undo it.

For each request PostgREST opens a transaction and sets, with ``set_config(..., true)``
(transaction-local), the role and ``request.jwt.claims`` (plus ``request.method``,
``request.path`` and ``request.headers``), then runs the query. :func:`acting_as` does the
same inside a transaction (or a savepoint when one is already open) that is **rolled back
at exit**, whatever happened inside: the role, the claims and every row written are gone
afterwards, so a test can never leave data behind or leak its identity into the next one.

    >>> with acting_as(conn, persona) as c:
    ...     c.execute("select count(*) from bookings").fetchone()
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping

import psycopg

from pgvet.rls.personas import Persona, builtin

_SET = """
select set_config('role', %s, true),
       set_config('request.jwt.claims', %s, true),
       set_config('request.method', %s, true),
       set_config('request.path', %s, true),
       set_config('request.headers', %s, true)
"""


def set_persona(
    conn: psycopg.Connection,
    persona: Persona,
    *,
    method: str = "GET",
    path: str = "/",
    headers: Mapping[str, str] | None = None,
) -> None:
    """Switch the current transaction to ``persona`` (transaction-local settings only).

    The caller must be inside a transaction it will roll back; :func:`acting_as` is the
    safe wrapper. Kept separate so the test engine can switch in the same round trip as
    its checks.
    """
    conn.execute(
        _SET,
        (
            persona.role,
            persona.claims_json(),
            method,
            path,
            json.dumps(dict(headers or {}), separators=(",", ":")),
        ),
    )


@contextlib.contextmanager
def acting_as(
    conn: psycopg.Connection,
    persona: Persona | str,
    *,
    method: str = "GET",
    path: str = "/",
    headers: Mapping[str, str] | None = None,
) -> Iterator[psycopg.Connection]:
    """Run the block as ``persona``; everything it did is rolled back at exit.

    ``persona`` may be a :class:`Persona` or the name ``"anon"`` / ``"service_role"``. A
    persona whose user is picked by SQL is resolved first, as the connection's own role.
    Works on autocommit and non-autocommit connections: a transaction is opened, or a
    savepoint when the connection is already in one.
    """
    if isinstance(persona, str):
        found = builtin(persona)
        if found is None:
            raise ValueError(f"unknown persona {persona!r}: pass a Persona for anything else")
        persona = found
    if not persona.resolved or (persona.user_id and persona._user_row is None):
        persona = persona.resolve(conn)
    with conn.transaction(force_rollback=True):
        set_persona(conn, persona, method=method, path=path, headers=headers)
        yield conn
