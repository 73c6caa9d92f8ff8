"""Every extension Supabase lets a project enable: real, a stand-in, or said to be absent.

One table in the code (``pgvet.sandbox.platform.EXTENSIONS``) says how the sandbox provides
each; these tests hold every server pgvet runs to it, as the project role ``postgres``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from conftest import REPLAY_MAJORS, have_major, missing_major, write_migrations
from pgvet.cli.main import app
from pgvet.sandbox.platform import EXTENSIONS

STAND_INS = sorted(name for name, _, kind, _ in EXTENSIONS if kind == "stand-in")
CONTRIB = sorted(name for name, _, kind, _ in EXTENSIONS if kind == "postgres")


def test_every_stand_in_ships_its_files() -> None:
    folder = resources.files("pgvet.sandbox").joinpath("extensions")
    names = {entry.name for entry in folder.iterdir()}
    for name, version, kind, _ in EXTENSIONS:
        if kind == "stand-in":
            assert f"{name}.control" in names and f"{name}--{version}.sql" in names, name


def test_postgresql_own_extensions_exist_on_every_server(scratch_db: psycopg.Connection) -> None:
    available = {r[0] for r in scratch_db.execute("select name from pg_available_extensions")}
    # sslinfo needs a server built with SSL; the embedded 18 wheel is built without
    assert set(CONTRIB) - {"sslinfo"} <= available, set(CONTRIB) - available


@pytest.mark.parametrize("name", STAND_INS)
def test_stand_in_or_real_one_installs_as_the_project_role(
    scratch_db: psycopg.Connection, name: str
) -> None:
    if name == "pg_cron":
        pytest.skip("pg_cron is created only in the database named by cron.database_name")
    with scratch_db.transaction(force_rollback=True):
        scratch_db.execute(f'create extension if not exists "{name}" cascade')
        row = scratch_db.execute(
            "select extowner::regrole::text from pg_extension where extname = %s", [name]
        ).fetchone()
        assert row == ("postgres",)


def _real_hypopg(conn: psycopg.Connection) -> bool:
    row = conn.execute(
        "select comment not like '%%pgvet sandbox stand-in%%' from pg_available_extensions "
        "where name = 'hypopg'"
    ).fetchone()
    return bool(row and row[0])


def test_index_advisor_proposes_the_index_a_query_needs(scratch_db: psycopg.Connection) -> None:
    scratch_db.execute(
        "create table public.book (id int primary key, author_id int, title text);"
        "create extension if not exists index_advisor cascade"
    )
    row = scratch_db.execute(
        "select index_statements, errors, total_cost_before, total_cost_after "
        "from index_advisor('select title from public.book where author_id = $1')"
    ).fetchone()
    assert row is not None
    statements, errors, before, after = row
    if _real_hypopg(scratch_db):
        assert statements == ["CREATE INDEX ON public.book USING btree (author_id)"]
        assert errors == [] and float(after) < float(before)
    else:  # the planner cannot see a stand-in's hypothetical index: said, not faked
        assert statements == [] and "stand-in" in errors[0]
    many = scratch_db.execute("select errors from index_advisor('select 1; select 2')").fetchone()
    assert many == (["Query must not contain a semicolon"],)


def test_pgmq_queues_work(scratch_db: psycopg.Connection) -> None:
    scratch_db.execute("create extension if not exists pgmq")
    scratch_db.execute("select pgmq.create('jobs')")
    sent = scratch_db.execute("""select pgmq.send('jobs', '{"n": 1}')""").fetchone()
    scratch_db.execute("""select pgmq.send('jobs', '{"n": 2}')""")
    read = scratch_db.execute("select msg_id, message from pgmq.read('jobs', 30, 1)").fetchall()
    assert read == [(sent[0], {"n": 1})]
    assert scratch_db.execute("select count(*) from pgmq.read('jobs', 30, 5)").fetchone() == (1,)
    assert scratch_db.execute("select pgmq.archive('jobs', %s)", [sent[0]]).fetchone() == (True,)
    assert scratch_db.execute("select count(*) from pgmq.a_jobs").fetchone() == (1,)
    assert scratch_db.execute("select pgmq.drop_queue('jobs')").fetchone() == (True,)


VECTOR_INDEX = """create extension if not exists vector with schema extensions;
create table public.docs (id int primary key, embedding extensions.vector(3));
create index on public.docs using hnsw (embedding extensions.vector_cosine_ops)
  with (m = 16, ef_construction = 64);
"""


@pytest.mark.parametrize("major", REPLAY_MAJORS, ids=lambda m: f"pg{m}")
def test_vector_index_options_apply_on_every_major(tmp_path: Path, major: int) -> None:
    """ivfflat/hnsw options apply everywhere: the embedded 18 has pgvector; on 15 and 17
    the replay checks them as pgvector does for pgvet's SQL stand-in (see
    tests/test_vector_standin.py for what is refused, and where)."""
    if not have_major(major):
        pytest.skip(missing_major(major))
    project = write_migrations(tmp_path, {"20240101000000_vectors.sql": VECTOR_INDEX})
    result = CliRunner().invoke(app, ["replay", str(project), "--pg-version", str(major)])
    assert result.exit_code == 0, result.stdout
