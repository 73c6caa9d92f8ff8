"""The large-table plan's online partitioning steps, run on a real server.

The clinic example is replayed and loaded; the steps are generated from the catalog, run
as a deployment would run them (prepare and swap in a transaction each, the backfill
outside one) while another session writes, and the result compared row for row. The
guards are tested too: a swap pushed before its backfill, a table others reference.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from conftest import EXAMPLE, default_major, prepared_for
from pgvet.inspect.partition_shape import read_shape
from pgvet.inspect.partition_sql import Blocked, generate
from pgvet.inspect.partition_verify import verify
from pgvet.replay.apply import replay
from pgvet.replay.project import load_project
from pgvet.sandbox import cluster


@pytest.fixture(scope="module")
def server() -> Iterator[cluster.Server]:
    with cluster.sandbox(prepared_for(default_major())) as server:
        with server.connect() as conn:
            assert replay(conn, load_project(EXAMPLE)).ok
            conn.execute((EXAMPLE / "seed.sql").read_text(encoding="utf-8").encode())
            conn.execute(
                "insert into public.analytics_events (event_name, page_path, created_at) "
                "select 'view', '/p/' || (g % 500), now() - g * interval '17 minute' "
                "from generate_series(1, 40000) g"
            )
            conn.execute(
                "insert into public.customer_notes (clinic_id, customer_id, content) "
                "select clinic_id, id, 'note ' || g from public.customers, "
                "generate_series(1, 300) g"
            )
        yield server


def _steps(server: cluster.Server, table: str, key: str, kind: str):
    with server.connect() as conn:
        shape = read_shape(conn, "public", table, key if kind == "time" else None)
    return generate(shape, key, kind)


def test_time_key_moves_every_row_with_writes_going_on(server: cluster.Server) -> None:
    v = verify(server, _steps(server, "analytics_events", "created_at", "time"))
    assert v.error is None, v.error
    assert v.writes.inserted and v.writes.updated and v.writes.deleted, v.writes
    assert v.same_content and v.rows_after == v.rows_old, v
    by_label = {q.label.split(" (")[0]: q for q in v.queries}
    assert all(q.same_rows for q in v.queries)
    assert by_label["one month"].partitions_read == 1  # pruned to its month
    key_lookup = by_label["by primary key"]
    assert key_lookup.partitions_read == key_lookup.partitions  # no key: every partition
    with server.connect() as conn:
        kind = conn.execute(
            "select relkind from pg_class where oid = 'public.analytics_events'::regclass"
        ).fetchone()
        policies = conn.execute(
            "select count(*) from pg_policies where tablename = 'analytics_events'"
        ).fetchone()
        left = conn.execute(
            "select count(*) from pg_proc where proname like 'analytics_events_partition_%'"
        ).fetchone()
    assert kind == ("p",) and policies == (2,) and left == (0,)


def test_tenant_key_hash_partitions(server: cluster.Server) -> None:
    p = _steps(server, "customer_notes", "clinic_id", "tenant")
    assert p.partitions == 16
    v = verify(server, p)
    assert v.ok, v
    assert {q.label for q in v.queries} >= {"busiest tenant"}


def test_swap_refuses_to_run_before_the_backfill(server: cluster.Server) -> None:
    """Both migrations pushed together on a database with rows: the swap stops, loudly,
    instead of swapping in an empty table."""
    p = _steps(server, "error_logs", "created_at", "time")
    with server.connect() as conn:
        assert conn.execute("select count(*) > 0 from public.error_logs").fetchone() == (True,)
        conn.execute(p.prepare.encode())
        conn.commit()
        with pytest.raises(psycopg.errors.RaiseException, match="run step 2 first"):
            conn.execute(p.swap.encode())
        conn.rollback()


def test_empty_table_swaps_without_a_backfill(server: cluster.Server) -> None:
    """A fresh database (supabase db reset, a branch): both migrations apply back to back."""
    with server.connect() as conn:
        conn.execute(
            "create table public.pgvet_events (id bigint generated always as identity "
            "primary key, at timestamptz not null default now(), note text)"
        )
        conn.commit()
    p = _steps(server, "pgvet_events", "at", "time")
    with server.connect() as conn:
        conn.execute(p.prepare.encode())
        conn.execute(p.swap.encode())
        conn.execute("insert into public.pgvet_events (note) values ('after')")
        conn.commit()
        assert conn.execute(
            "select c.relkind, (select id from public.pgvet_events) from pg_class c "
            "where c.oid = 'public.pgvet_events'::regclass"
        ).fetchone() == ("p", 1)


def test_referenced_table_is_blocked(server: cluster.Server) -> None:
    with server.connect() as conn:
        shape = read_shape(conn, "public", "customers", None)
    with pytest.raises(Blocked, match=r"referenced by foreign keys \(.*customer_notes"):
        generate(shape, "clinic_id", "tenant")


def test_table_without_primary_key_is_blocked(server: cluster.Server) -> None:
    with server.connect() as conn:
        shape = read_shape(conn, "public", "user_activity_log", "created_at")
    with pytest.raises(Blocked, match="no primary key"):
        generate(shape, "created_at", "time")


def test_pg_partman_creates_the_partitions(server: cluster.Server) -> None:
    """Where the database has pg_partman, the twin's partitions are partman's, and its
    configuration follows the swap."""
    with server.admin() as admin:
        try:
            admin.execute("create schema if not exists partman")
            admin.execute("create extension if not exists pg_partman schema partman")
        except psycopg.errors.FeatureNotSupported as exc:  # not installed on this server
            pytest.skip(f"pg_partman is not installed for this server: {exc}")
        except psycopg.errors.UndefinedFile as exc:
            pytest.skip(f"pg_partman is not installed for this server: {exc}")
        version = admin.execute(
            "select extversion from pg_extension where extname = 'pg_partman'"
        ).fetchone()[0]
        admin.execute("grant all on schema partman to postgres")
        admin.execute("grant all on all tables in schema partman to postgres")
        admin.execute("grant execute on all functions in schema partman to postgres")
        admin.execute("grant execute on all procedures in schema partman to postgres")
    with server.connect() as conn:
        conn.execute(
            "create table public.pgvet_readings (id uuid primary key default gen_random_uuid(), "
            "at timestamptz not null, value int)"
        )
        conn.execute(
            "insert into public.pgvet_readings (at, value) "
            "select now() - g * interval '1 hour', g from generate_series(1, 5000) g"
        )
        conn.commit()
        shape = read_shape(conn, "public", "pgvet_readings", "at")
    p = generate(shape, "at", "time", partman=("partman", version))
    assert "partman.create_parent(" in p.prepare
    v = verify(server, p)
    assert v.error is None, v.error
    assert v.same_content and v.rows_after == v.rows_old
    with server.connect() as conn:
        parent = conn.execute(
            "select parent_table from partman.part_config where parent_table like '%readings%'"
        ).fetchone()
        children = conn.execute(
            "select count(*) from pg_inherits where inhparent = 'public.pgvet_readings'::regclass"
        ).fetchone()
    assert parent == ("public.pgvet_readings",)
    assert children is not None and children[0] > 1
