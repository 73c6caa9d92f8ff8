"""The session's shared replays (conftest.SharedReplays): one replay per project and major,
read-only for the tests that share it, writable copies that leave it untouched."""

from __future__ import annotations

import psycopg
import pytest

from conftest import EXAMPLE, SharedReplays


def test_one_replay_per_project_and_major(shared_replays: SharedReplays) -> None:
    first = shared_replays.get(EXAMPLE)
    started = shared_replays.started
    assert shared_replays.get(EXAMPLE) is first
    assert shared_replays.get(EXAMPLE / "supabase") is first  # the same project
    # a project that replays strictly is what --keep-going replays too
    assert shared_replays.get(EXAMPLE, keep_going=True) is first
    assert shared_replays.started == started
    assert first.result.ok, [f.failure for f in first.result.failed]


def test_shared_replay_refuses_writes(shared_replays: SharedReplays) -> None:
    shared = shared_replays.get(EXAMPLE)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        shared.conn.execute("create table public.written_by_a_test (id int)")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), shared.conn.transaction():
        shared.conn.execute("delete from public.clinics")


def test_copy_is_writable_and_leaves_the_shared_replay_alone(
    shared_replays: SharedReplays,
) -> None:
    shared = shared_replays.get(EXAMPLE)
    with shared_replays.copy(EXAMPLE) as copy:
        assert copy.catalog is shared.catalog and copy.result is shared.result
        name = copy.conn.execute("select current_database()").fetchone()
        assert name is not None and name[0] != "postgres"
        # the copy holds the replayed schema, and the project role may write to it
        copy.conn.execute("insert into public.clinics (name, slug) values ('copy', 'copy')")
        copy.conn.execute("create table public.written_by_a_test (id int)")
        assert copy.conn.execute("select count(*) from public.clinics").fetchone() == (1,)
        assert shared.conn.execute("select count(*) from public.clinics").fetchone() == (0,)
        assert shared.conn.execute("select to_regclass('public.written_by_a_test')").fetchone() == (
            None,
        )
    with shared.server.admin("template1") as admin:
        left = admin.execute(
            "select count(*) from pg_database where datname = %s", (name[0],)
        ).fetchone()
    assert left == (0,), "the copy was not dropped"


def test_a_major_not_installed_is_skipped_with_one_reason(shared_replays: SharedReplays) -> None:
    started = shared_replays.started
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL 13 is not installed here"):
        shared_replays.get(EXAMPLE, 13)
    assert shared_replays.started == started  # nothing was tried
