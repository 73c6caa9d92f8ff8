"""Shared fixtures: real PostgreSQL servers (Debian's 15 and the embedded 18), never mocks.

A server is prepared (relocated, template built) once per session per major; each test
that needs a clean database gets its own sandbox copied from the template (~0.15 s). The
clinic example and the corpora are replayed once per session and major and shared by the
tests that only read them (``SharedReplays``); the command line runs in-process
(``run_cli``) unless the process itself is what a test is about.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from pgvet.replay.project import Project, load_project
from pgvet.replay.session import Replayed, replayed_project
from pgvet.sandbox import binaries, cluster

# The suite runs on the servers that are installed: a project that declares a major this
# machine lacks falls back (with pgvet's warning) instead of downloading a server build in
# the middle of a test run. `pgvet server install N` (as .ci/run does for 17) adds one.
os.environ.setdefault(binaries.OFFLINE_ENV, "1")

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


def prepared_with_tools(major: int, *tools: str) -> cluster.Prepared:
    """:func:`prepared_for`, skipping when the installation lacks client tools a test runs
    (pg_dump, pg_basebackup, psql…): the npm registry's server builds ship only initdb,
    pg_ctl and postgres."""
    absent = [t for t in tools if not (installation_for(major).bindir / t).exists()]
    if absent:
        pytest.skip(
            f"PostgreSQL {major} here is a server-only build (no {', '.join(absent)}): "
            "these tests need its client tools"
        )
    return prepared_for(major)


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


# --- projects replayed once per session ------------------------------------------------------


class SharedReplays:
    """Each project replayed once per session and major, its sandbox kept running until the
    session ends, for every test that only reads it (catalog facts, inventory, lint findings,
    types). Before, each test file replayed them itself: 22 replays of the clinic and 55 of
    the corpora per run (#9).

    The connection of a shared replay is read-only (``default_transaction_read_only``), so a
    test that writes fails loudly instead of changing what later tests read. A test that
    modifies the database takes ``copy()``: a database of its own, copied from a snapshot
    taken right after the replay (``CREATE DATABASE … TEMPLATE``), dropped afterwards. A
    replay that raised is remembered and raised again to every test that asks for it,
    rather than retried for each.
    """

    SNAPSHOT = "pgvet_replayed"

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._done: dict[tuple[Path, int | None, bool], Replayed | BaseException] = {}
        self._copies = 0
        #: how many replays this session ran
        self.started = 0

    def get(self, path: Path, major: int | None = None, *, keep_going: bool = False) -> Replayed:
        """``path`` replayed on ``major`` (default: the project's declared major, as
        ``replayed_project`` picks it); a major not installed here is skipped."""
        if major is not None and not have_major(major):
            pytest.skip(missing_major(major))
        project = load_project(path)
        if major is None and project.major_version and have_major(project.major_version):
            major = project.major_version  # the server replayed_project would pick
        if keep_going:
            strict = self.get(path, major)
            if strict.result.ok:  # --keep-going replays such a project exactly the same
                return strict
        key = (project.root.resolve(), major, keep_going)
        if key not in self._done:
            self.started += 1
            try:
                self._done[key] = self._replay(path, major, keep_going, project)
            except Exception as error:  # every test that asks for it sees it
                self._done[key] = error
        done = self._done[key]
        if isinstance(done, BaseException):
            raise done
        return done

    def _replay(
        self, path: Path, major: int | None, keep_going: bool, project: Project
    ) -> Replayed:
        session = self._stack.enter_context(
            replayed_project(path, pg_version=major, keep_going=keep_going, project=project)
        )
        session.catalog  # noqa: B018 - read now, before any test touches the database
        # the snapshot copies need the replayed database without connections
        session.conn.close()
        with session.server.admin("template1") as admin:
            admin.execute(f"create database {self.SNAPSHOT} template postgres")
        session.conn = self._stack.enter_context(session.connect())
        session.conn.execute("set default_transaction_read_only = on")
        return session

    @contextlib.contextmanager
    def copy(
        self, path: Path, major: int | None = None, *, keep_going: bool = False
    ) -> Iterator[Replayed]:
        """A writable copy of the shared replay (same project, result and catalog), in a
        database of its own on the same server (the project role gets the privileges the
        platform gives it on ``postgres``), dropped when the block ends."""
        shared = self.get(path, major, keep_going=keep_going)
        self._copies += 1
        name = f"pgvet_copy_{self._copies}"
        with shared.server.admin("template1") as admin:
            admin.execute(f"create database {name} template {self.SNAPSHOT}")
            admin.execute(f"grant all on database {name} to postgres")
        try:
            with shared.watchdog.watch(shared.server.connect(name)) as conn:
                yield dataclasses.replace(shared, conn=conn, warnings=list(shared.warnings))
        finally:
            with shared.server.admin("template1") as admin:
                admin.execute(f"drop database if exists {name} with (force)")


_SHARED: list[SharedReplays] = []


@pytest.fixture(scope="session", autouse=True)
def shared_replays() -> Iterator[SharedReplays]:
    """Replays shared by the whole session (none starts until a test asks); stopped and
    removed when it ends. Autouse, so that helpers outside fixtures reach it too
    (``shared_replay``)."""
    with contextlib.ExitStack() as stack:
        _SHARED.append(SharedReplays(stack))
        try:
            yield _SHARED[-1]
        finally:
            _SHARED.pop()


def shared_replay(path: Path, major: int | None = None, *, keep_going: bool = False) -> Replayed:
    """``SharedReplays.get`` of the running session, for helpers called from tests."""
    assert _SHARED, "no test session is running"
    return _SHARED[-1].get(path, major, keep_going=keep_going)


def shared_copy(
    path: Path, major: int | None = None, *, keep_going: bool = False
) -> contextlib.AbstractContextManager[Replayed]:
    """``SharedReplays.copy`` of the running session, for helpers called from tests."""
    assert _SHARED, "no test session is running"
    return _SHARED[-1].copy(path, major, keep_going=keep_going)


@pytest.fixture(params=REPLAY_MAJORS, ids=lambda m: f"pg{m}")
def shared_clinic(request: pytest.FixtureRequest, shared_replays: SharedReplays) -> Replayed:
    """The clinic example replayed (once per session) on each of REPLAY_MAJORS; read-only."""
    return shared_replays.get(EXAMPLE, request.param)


# --- the command line, in-process ------------------------------------------------------------


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``pgvet ARGS`` run in this process (typer's CliRunner), as a finished process: exit
    code, stdout, stderr. For tests whose point is what a command says and its exit code,
    not the process around it (a new Python costs ~1.5 s of CPU); signals, hostile
    environments and the installed entry point keep real processes. An exception that
    escaped the command (a traceback for the user) is raised here, so it fails the test."""
    from typer.testing import CliRunner

    from pgvet.cli.main import app

    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "1000", **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(
        ["pgvet", *args], result.exit_code, result.stdout, result.stderr
    )
