"""Shared fixtures: real PostgreSQL servers (Debian's 15 and the embedded 18), never mocks.

A server is prepared (relocated, template built) once per session per major; each test
that needs a clean database gets its own sandbox copied from the template (~0.15 s).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from pgvet.sandbox import binaries, cluster

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PGVET_SHARED", REPO.parent / "shared"))


class CorpusFolder:
    """The shared corpora (``$PGVET_CORPORA``, else ``../shared/corpora``).

    Real projects are the judge, but they live outside the repository: a test that reaches
    for one (``CORPORA / "suna"``) where they are absent is skipped with one reason.
    """

    REASON = "shared corpora not found: set PGVET_CORPORA or put ../shared beside the repository"

    def __init__(self, path: Path) -> None:
        self.path = path

    def __truediv__(self, name: str) -> Path:
        if not self.path.is_dir():
            pytest.skip(self.REASON)
        return self.path / name

    def __fspath__(self) -> str:
        return str(self.path)

    def is_dir(self) -> bool:
        return self.path.is_dir()


CORPORA = CorpusFolder(Path(os.environ.get("PGVET_CORPORA", SHARED / "corpora")))
CORPUS_NAMES = ("basejump", "chatbot-ui", "dbdev", "atomic-crm", "suna", "makerkit-lite")
EXAMPLE = REPO / "examples" / "clinic"
MAJORS = (15, 18)
#: majors the corpora and the example are replayed on: Supabase's 15 and 17 (fetched by
#: `pgvet server install 17` in .ci/run) and the embedded 18
REPLAY_MAJORS = (15, 17, 18)


def have_major(major: int) -> bool:
    return any(i.major == major for i in binaries.discover())


def missing_major(major: int) -> str:
    return (
        f"PostgreSQL {major} is not installed here (pgvet server install {major}, or "
        f"apt-get install postgresql-{major}); these tests run on the servers that are"
    )


def default_major() -> int:
    """The major of tests that need one server: Supabase's 15 where installed, else the
    embedded 18 (which every install has), so the suite runs anywhere."""
    return 15 if have_major(15) else 18


def installation_for(major: int) -> binaries.Installation:
    found = [i for i in binaries.discover() if i.major == major]
    if not found:
        pytest.skip(missing_major(major))
    return found[0]


_PREPARED: dict[int, cluster.Prepared] = {}


def prepared_for(major: int) -> cluster.Prepared:
    if major not in _PREPARED:
        _PREPARED[major] = cluster.prepare(installation_for(major))
    return _PREPARED[major]


@pytest.fixture(params=MAJORS, ids=lambda m: f"pg{m}")
def major(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[[int], cluster.Server]]:
    """Start fresh sandboxes on demand; all are stopped and removed after the test."""
    with contextlib.ExitStack() as stack:

        def start(major: int | None = None) -> cluster.Server:
            major = major or default_major()
            return stack.enter_context(cluster.sandbox(prepared_for(major)))

        yield start


@pytest.fixture
def server15(sandbox_factory: Callable[[int], cluster.Server]) -> cluster.Server:
    """A fresh sandbox of the default major (15 where installed)."""
    return sandbox_factory(default_major())


@pytest.fixture
def conn15(server15: cluster.Server) -> Iterator[psycopg.Connection]:
    with server15.connect() as conn:
        yield conn


def write_migrations(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create supabase/migrations/ with the given files under ``root``; return ``root``."""
    migrations = root / "supabase" / "migrations"
    migrations.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = migrations / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


class ExampleDatabases:
    """Fresh databases on one server, each a copy of the Supabase stand-ins (~30 ms each).

    ``postgres`` holds the stand-ins; a pristine copy of it is taken once, and every
    example gets its own database copied from that.
    """

    def __init__(self, server: cluster.Server) -> None:
        self.server = server
        self.count = 0
        with server.admin("template1") as admin:
            admin.execute("create database pgvet_pristine template postgres")

    def new(self) -> psycopg.Connection:
        """A connection as the project role (``postgres``, not a superuser), as migrations
        run on Supabase; with the database privileges the platform gives it."""
        self.count += 1
        name = f"example_{self.count}"
        with self.server.admin("template1") as admin:
            admin.execute(f"create database {name} template pgvet_pristine")
            admin.execute(f"grant all on database {name} to postgres")
        return self.server.connect(name)


@pytest.fixture(scope="session")
def database_servers() -> Iterator[Callable[[int], ExampleDatabases]]:
    """One long-lived server per major, started on first use, handing out fresh databases."""
    with contextlib.ExitStack() as stack:
        started: dict[int, ExampleDatabases] = {}

        def get(major: int) -> ExampleDatabases:
            if major not in started:
                server = stack.enter_context(cluster.sandbox(prepared_for(major)))
                started[major] = ExampleDatabases(server)
            return started[major]

        yield get


@pytest.fixture
def example_dbs(database_servers: Callable[[int], ExampleDatabases]) -> ExampleDatabases:
    return database_servers(default_major())


@pytest.fixture(params=MAJORS, ids=lambda m: f"pg{m}")
def scratch_db(
    request: pytest.FixtureRequest, database_servers: Callable[[int], ExampleDatabases]
) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a fresh database holding the Supabase stand-ins."""
    with database_servers(request.param).new() as conn:
        yield conn
