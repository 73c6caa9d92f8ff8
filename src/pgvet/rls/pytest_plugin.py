"""pytest fixtures for writing your own RLS tests in Python, against a real server.

Enable it (pgvet registers it as a ``pytest11`` entry point, so installing pgvet is
enough; otherwise ``-p pgvet.rls.pytest_plugin``) and point it at your project::

    # pytest.ini / pyproject [tool.pytest.ini_options]
    pgvet_project = "."          # repository root, supabase/ or the migrations folder
    # or: pytest --pgvet-project path/to/project [--pgvet-no-seed] [--pgvet-pg-version 15]

Then, in a test::

    def test_customers_see_only_their_bookings(rls_persona, pgvet_personas):
        me = pgvet_personas["customer_a"].user_id   # a persona from pgvet.toml [rls]
        with rls_persona("customer_a") as db:
            owners = {str(r[0]) for r in db.execute("select user_id from public.bookings")}
        assert owners == {me}

    def test_anon_reads_the_catalogue(rls_persona):
        with rls_persona("anon") as db:
            assert db.execute("select count(*) from public.services").fetchone()[0] > 0

    def test_a_stranger_sees_no_customer(rls_persona, pgvet_db):
        from pgvet.rls import Persona
        uid = "99999999-9999-9999-9999-999999999999"
        pgvet_db.execute("insert into auth.users (id, email) values (%s, 'x@example.test')", [uid])
        with rls_persona(Persona("stranger", user_id=uid)) as db:
            assert db.execute("select count(*) from public.customers").fetchone()[0] == 0

Fixtures:

* ``pgvet_sandbox`` (session): the project replayed into a throwaway PostgreSQL, seed
  loaded; ``.conn`` is a superuser autocommit connection, ``.catalog`` the catalog.
* ``pgvet_personas`` (session): the personas of ``[rls.personas]`` (plus ``anon`` and
  ``service_role``), resolved against the seed.
* ``pgvet_db`` (function): the sandbox connection inside a transaction that is rolled
  back after the test, for setting up rows as the superuser.
* ``rls_persona`` (function): ``rls_persona(name_or_persona)`` is a context manager that
  acts as the persona exactly as PostgREST does (role + ``request.jwt.claims``) and rolls
  back everything done inside it.

The replay happens once per test session; every test is isolated by rollbacks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgvet.rls.acting import acting_as
from pgvet.rls.personas import ANON, SERVICE_ROLE, Persona

PersonaFactory = Callable[[Persona | str], contextlib.AbstractContextManager[psycopg.Connection]]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pgvet", "pgvet RLS testing")
    group.addoption("--pgvet-project", help="project to replay for pgvet_sandbox")
    group.addoption("--pgvet-no-seed", action="store_true", help="do not load the seed")
    group.addoption("--pgvet-pg-version", type=int, help="PostgreSQL major for the sandbox")
    parser.addini("pgvet_project", "project to replay for pgvet_sandbox", default="")


def _project(config: pytest.Config) -> Path:
    value = config.getoption("--pgvet-project") or config.getini("pgvet_project")
    if value:
        path = Path(value)
        return path if path.is_absolute() else Path(config.rootpath) / path
    return Path(config.rootpath)


@pytest.fixture(scope="session")
def pgvet_sandbox(pytestconfig: pytest.Config) -> Iterator[Any]:
    """The project replayed once for the session, with its seed loaded."""
    from pgvet.config import load_config
    from pgvet.errors import PgvetError
    from pgvet.replay.limits import resolve_limits
    from pgvet.replay.project import load_project
    from pgvet.replay.session import replayed_project

    path = _project(pytestconfig)
    try:
        project = load_project(path)  # replayed as every command does: its [replay] too
        limits = resolve_limits(load_config(project.root), None, None)
        with replayed_project(
            path,
            project=project,
            pg_version=pytestconfig.getoption("--pgvet-pg-version"),
            limits=limits,
        ) as s:
            if not s.result.ok:
                failed = ", ".join(f.filename for f in s.result.failed)
                pytest.fail(f"pgvet: {path} does not replay ({failed})", pytrace=False)
            if not pytestconfig.getoption("--pgvet-no-seed"):
                for seed in s.project.seed_paths:
                    s.conn.execute(seed.read_bytes())
            yield s
    except PgvetError as exc:
        pytest.fail(f"pgvet: {exc.message}", pytrace=False)


@pytest.fixture(scope="session")
def pgvet_personas(pgvet_sandbox: Any) -> dict[str, Persona]:
    """``[rls.personas]`` from the project's pgvet settings, resolved against the seed."""
    from pgvet.config import load_config
    from pgvet.rls.settings import rls_settings

    settings = rls_settings(load_config(pgvet_sandbox.project.root))
    found = {p.name: p.resolve(pgvet_sandbox.conn) for p in settings.personas}
    found.setdefault("anon", ANON)
    found.setdefault("service_role", SERVICE_ROLE)
    return found


@pytest.fixture
def pgvet_db(pgvet_sandbox: Any) -> Iterator[psycopg.Connection]:
    """The superuser connection inside a transaction rolled back after the test."""
    conn = pgvet_sandbox.conn
    with conn.transaction(force_rollback=True):
        yield conn


@pytest.fixture
def rls_persona(pgvet_sandbox: Any, pgvet_personas: dict[str, Persona]) -> PersonaFactory:
    """``with rls_persona("sales_a") as db: ...``: act as a persona, roll back at exit."""

    def act(persona: Persona | str) -> contextlib.AbstractContextManager[psycopg.Connection]:
        if isinstance(persona, str):
            if persona not in pgvet_personas:
                known = ", ".join(sorted(pgvet_personas))
                raise KeyError(f"no persona {persona!r} in pgvet settings (known: {known})")
            persona = pgvet_personas[persona]
        return acting_as(pgvet_sandbox.conn, persona)

    return act
