"""Test row-level security on a real server, as the people who use the database.

Public API::

    from pgvet.rls import Persona, acting_as

    admin = Persona("clinic admin", user="select id from auth.users where email = 'a@x'")
    with acting_as(conn, admin) as c:      # role + request.jwt.claims, like PostgREST
        c.execute("select count(*) from public.customers").fetchone()
    # everything done inside the block is rolled back

``pgvet rls test`` (see :mod:`pgvet.rls.command`) runs the automatic tenant isolation
checks and the expectations declared in ``pgvet.toml``; :func:`run_rls_tests` is the
same run as a function returning a report; :mod:`pgvet.rls.pytest_plugin` offers the
helpers as pytest fixtures.
"""

from pgvet.rls.acting import acting_as, set_persona
from pgvet.rls.personas import ANON, SERVICE_ROLE, Persona

__all__ = ["ANON", "SERVICE_ROLE", "Persona", "acting_as", "run_rls_tests", "set_persona"]


def __getattr__(name: str) -> object:
    # the engine pulls in the fixture, checks and policy graph: load it only when asked
    if name == "run_rls_tests":
        from pgvet.rls.engine import run_rls_tests

        return run_rls_tests
    raise AttributeError(name)
