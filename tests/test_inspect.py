"""``pgvet inspect`` on a real server of every installed major (15 and 18): the clinic
example replayed, loaded at a modest volume, its workload run (pg_stat_statements
preloaded), thresholds breached on purpose, and every figure cross-checked against the
Supabase CLI's own ``inspect db`` query on the same database (the referee SQL below is the
CLI's, verbatim, with its file named).

The breaches are what a production database accumulates; they are made here as the
sandbox's superuser, before pgvet connects as the project's login role ``postgres``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from test_example_clinic import workload_queries

from conftest import EXAMPLE, MAJORS, prepared_for, run_cli
from pgvet.inspect.checks import check
from pgvet.inspect.model import Inspection
from pgvet.inspect.plan import autovacuum_settings, filtered_columns, plan
from pgvet.inspect.read import read_inspection
from pgvet.inspect.settings import PLATFORM_SCHEMAS, InspectSettings, like_patterns
from pgvet.replay.apply import replay
from pgvet.replay.project import load_project
from pgvet.sandbox import cluster

SERVER_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "wal_level": "replica",  # the sandbox's "minimal" allows no replication slot
    "max_wal_senders": "2",
}
CONFIG = """
[inspect]
seq_scan_rows = 5000
unused_index_min_days = 0
bloat_min_mb = 0.5
idle_in_transaction = "1s"
wraparound_percent = 0.000001
connections_percent = 1
"""
# The Supabase CLI passes its InternalSchemas, LIKE-escaped, as $1 (reset.LikeEscapeSchema).
CLI_EXCLUDED = like_patterns(PLATFORM_SCHEMAS)
#: how often the probe statement of the calls cross-check runs
CALLS_PROBE = 40
TEST_SETTINGS = InspectSettings(
    seq_scan_rows=5000,
    unused_index_min_days=0,
    bloat_min_mb=0.5,
    idle_in_transaction=1.0,
    wraparound_percent=0.000001,
    connections_percent=1,
)


@dataclass
class Live:
    server: cluster.Server
    holder: psycopg.Connection  # idle in transaction, holding a row lock
    waiter: threading.Thread  # blocked on that row


def _load(conn: psycopg.Connection, admin: psycopg.Connection) -> None:
    """The clinic at a modest volume, its workload, and the breaches, as on production."""
    conn.execute((EXAMPLE / "seed.sql").read_text(encoding="utf-8").encode())
    conn.execute(
        "insert into public.analytics_events (event_name, page_path, device_type, created_at) "
        "select 'view', '/p/' || (g % 500), 'mobile', now() - g * interval '1 minute' "
        "from generate_series(1, 30000) g"
    )
    conn.execute(
        "insert into public.customers (clinic_id, full_name, customer_code) "
        "select c.clinic_id, 'Customer ' || g, 'GEN' || g "
        "from generate_series(1, 8000) g, (select clinic_id from public.customers limit 1) c"
    )
    # an index nothing uses, an invalid one (a CREATE INDEX CONCURRENTLY that failed),
    # a serial near the integer maximum, dead tuples autovacuum (off here) never removes
    conn.execute(
        "create index analytics_events_device_idx on public.analytics_events (device_type)"
    )
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "create unique index concurrently analytics_events_name_key "
            "on public.analytics_events (event_name)"
        )
    conn.execute("create table public.tickets (id serial primary key, note text)")
    conn.execute("insert into public.tickets (note) select 'n' from generate_series(1, 10)")
    conn.execute("select setval('public.tickets_id_seq', 2000000000)")
    conn.execute("update public.analytics_events set referrer = 'x'")
    conn.execute("create extension if not exists pgstattuple")
    conn.execute("analyze")
    admin.execute("select pg_create_physical_replication_slot('pgvet_test_slot', true)")
    params, queries = workload_queries()
    for _ in range(3):
        for _name, sql in queries:
            used = {k: v for k, v in params.items() if f"%({k})s" in sql}
            conn.execute(sql.encode(), used)  # type: ignore[arg-type]
    # the most called statement, and among the costliest: in the CLI's calls.sql (top 10 by
    # calls, pgvet's own queries included) and in pgvet's top 10 by total time alike
    for _ in range(CALLS_PROBE):
        conn.execute("select count(*) from public.analytics_events where page_path = '/p/1'")
    # the hot statement that makes created_at the partition key: among the costliest
    for _ in range(20):
        conn.execute(
            "select e.event_name, count(*) from public.analytics_events e "
            "where e.created_at >= now() - interval '1 day' group by 1"
        )
    for _ in range(3):
        conn.execute("select pg_sleep(0.21)")
    conn.execute("select pg_stat_force_next_flush()")


@pytest.fixture(scope="module", params=MAJORS, ids=lambda m: f"pg{m}")
def live(request: pytest.FixtureRequest) -> Iterator[Live]:
    """The loaded clinic on each installed major (Supabase's 15, the embedded 18)."""
    with cluster.sandbox(prepared_for(request.param), SERVER_SETTINGS) as server:
        with server.connect() as conn, server.admin() as admin:
            assert replay(conn, load_project(EXAMPLE)).ok
            _load(conn, admin)
        holder = server.connect()
        holder.autocommit = False
        holder.execute("update public.tickets set note = 'held' where id = 1")
        waiting = server.connect()

        def wait() -> None:
            with contextlib.suppress(psycopg.Error):  # cancelled when the holder rolls back
                waiting.execute("update public.tickets set note = 'waits' where id = 1")

        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        time.sleep(1.5)  # idle in transaction past the test's 1 s; the waiter is blocked
        try:
            yield Live(server, holder, waiter)
        finally:
            holder.rollback()
            holder.close()
            waiter.join(timeout=10)
            waiting.close()


@pytest.fixture(scope="module")
def inspection(live: Live) -> Inspection:
    with live.server.connect() as conn:
        return read_inspection(conn, TEST_SETTINGS)


def _referee(live: Live, sql: str, *params: object) -> list[tuple]:
    """Run a CLI query as the CLI does: ``$n`` placeholders bound in order."""
    text = re.sub(r"\$(\d)", r"%(p\1)s", sql.replace("%", "%%"))
    named = {f"p{n}": value for n, value in enumerate(params, 1)}
    with live.server.admin() as admin:
        admin.execute("set search_path = public, extensions")
        return admin.execute(text.encode(), named).fetchall()


def _table(ins: Inspection, name: str):
    return next(t for t in ins.tables if t.qualified == name)


# --- the breaches, as findings -----------------------------------------------------------------


def test_breaches_are_findings(inspection: Inspection) -> None:
    found = {(f.rule, f.object) for f in check(inspection, TEST_SETTINGS)}
    assert ("seq-scan-large-table", "public.analytics_events") in found
    assert ("unused-index", "index public.analytics_events_device_idx") in found
    assert ("invalid-index", "index public.analytics_events_name_key") in found
    assert ("sequence-exhaustion", "sequence public.tickets_id_seq") in found
    assert ("autovacuum-behind", "public.analytics_events") in found
    assert ("autovacuum-off", "database postgres") in found
    assert ("replication-slot", "replication slot pgvet_test_slot") in found
    assert ("wraparound", "database postgres") in found
    assert ("connections", "database postgres") in found
    assert any(rule == "idle-in-transaction" for rule, _ in found)
    assert any(rule == "blocking-lock" for rule, _ in found)
    assert any(rule == "latency-p95" for rule, _ in found)
    # nothing about a unique or primary-key index: they enforce, even when never scanned
    assert ("unused-index", "index public.tickets_pkey") not in found


def test_defaults_are_quieter(inspection: Inspection) -> None:
    found = {f.rule for f in check(inspection, InspectSettings())}
    assert "wraparound" not in found and "connections" not in found
    assert "unused-index" not in found  # counters younger than unused_index_min_days


def test_hit_rate_targets_judge_the_figure(inspection: Inspection) -> None:
    rate = inspection.index_hit_rate
    assert rate is not None and 0 < rate <= 1
    below = replace(TEST_SETTINGS, index_hit_rate=min(100.0, rate * 100 + 0.01))
    above = replace(TEST_SETTINGS, index_hit_rate=rate * 100 - 0.01)
    assert "index-hit-rate" in {f.rule for f in check(inspection, below)}
    assert "index-hit-rate" not in {f.rule for f in check(inspection, above)}


def test_latency_bounds_hold(inspection: Inspection) -> None:
    assert inspection.statements is not None
    probe = next(s for s in inspection.statements if "pg_sleep" in s.query)
    assert probe.calls == 3 and probe.min_ms >= 210
    assert probe.p95.low >= 210 and probe.p95.low <= probe.p95.high <= probe.max_ms
    assert not any("pgvet inspect" in s.query for s in inspection.statements)


def test_exact_bloat_with_pgstattuple(inspection: Inspection) -> None:
    table = next(b for b in inspection.bloat if b.qualified == "public.analytics_events")
    assert table.method == "pgstattuple_approx"
    assert 35 <= table.percent <= 65  # every row updated once, nothing vacuumed: half dead


def test_session_text_is_masked(inspection: Inspection) -> None:
    held = next(s for s in inspection.sessions if s.blocked_by)
    assert "'…'" in held.query and "waits" not in held.query


# --- cross-checks against the Supabase CLI's inspect queries ---------------------------------

# supabase/cli internal/inspect/cache/cache.sql
CLI_CACHE = """SELECT
  'index hit rate' AS name,
  (sum(idx_blks_hit)) / nullif(sum(idx_blks_hit + idx_blks_read),0) AS ratio
FROM pg_statio_user_indexes
UNION ALL
SELECT
  'table hit rate' AS name,
  sum(heap_blks_hit) / nullif(sum(heap_blks_hit) + sum(heap_blks_read),0) AS ratio
FROM pg_statio_user_tables
"""

# supabase/cli internal/inspect/table_stats/table_stats.sql
CLI_TABLE_STATS = """SELECT
  ts.name,
  pg_size_pretty(ts.table_size_bytes) AS table_size,
  pg_size_pretty(ts.index_size_bytes) AS index_size,
  pg_size_pretty(ts.total_size_bytes) AS total_size,
  COALESCE(rc.estimated_row_count, 0) AS estimated_row_count,
  COALESCE(rc.seq_scans, 0) AS seq_scans
FROM (
  SELECT
    FORMAT('%I.%I', n.nspname, c.relname) AS name,
    pg_table_size(c.oid) AS table_size_bytes,
    pg_indexes_size(c.oid) AS index_size_bytes,
    pg_total_relation_size(c.oid) AS total_size_bytes
  FROM pg_class c
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE NOT n.nspname LIKE ANY($1)
    AND c.relkind = 'r'
) ts
LEFT JOIN (
  SELECT
    FORMAT('%I.%I', schemaname, relname) AS name,
    n_live_tup AS estimated_row_count,
    seq_scan AS seq_scans
  FROM pg_stat_user_tables
  WHERE NOT schemaname LIKE ANY($1)
) rc ON rc.name = ts.name
ORDER BY ts.total_size_bytes DESC
"""

# supabase/cli internal/inspect/seq_scans/seq_scans.sql
CLI_SEQ_SCANS = """SELECT
  schemaname || '.' || relname AS name,
  seq_scan as count
FROM pg_stat_user_tables
WHERE NOT schemaname LIKE ANY($1)
ORDER BY seq_scan DESC
"""

# supabase/cli internal/inspect/unused_indexes/unused_indexes.sql
CLI_UNUSED_INDEXES = """SELECT
  schemaname || '.' || relname AS name,
  indexrelname AS index,
  pg_size_pretty(pg_relation_size(i.indexrelid)) AS index_size,
  idx_scan as index_scans
FROM pg_stat_user_indexes ui
JOIN pg_index i ON ui.indexrelid = i.indexrelid
WHERE
  NOT indisunique AND idx_scan < 50 AND pg_relation_size(relid) > 5 * 8192
  AND NOT schemaname LIKE ANY($1)
ORDER BY
  pg_relation_size(i.indexrelid) / nullif(idx_scan, 0) DESC NULLS FIRST,
  pg_relation_size(i.indexrelid) DESC
"""

# supabase/cli internal/inspect/vacuum_stats/vacuum_stats.sql
CLI_VACUUM_STATS = """WITH table_opts AS (
  SELECT
    pg_class.oid, relname, nspname, array_to_string(reloptions, '') AS relopts
  FROM
    pg_class INNER JOIN pg_namespace ns ON relnamespace = ns.oid
), vacuum_settings AS (
  SELECT
    oid, relname, nspname,
    CASE
      WHEN relopts LIKE '%autovacuum_vacuum_threshold%'
        THEN substring(relopts, '.*autovacuum_vacuum_threshold=([0-9.]+).*')::integer
        ELSE current_setting('autovacuum_vacuum_threshold')::integer
      END AS autovacuum_vacuum_threshold,
    CASE
      WHEN relopts LIKE '%autovacuum_vacuum_scale_factor%'
        THEN substring(relopts, '.*autovacuum_vacuum_scale_factor=([0-9.]+).*')::real
        ELSE current_setting('autovacuum_vacuum_scale_factor')::real
      END AS autovacuum_vacuum_scale_factor
  FROM
    table_opts
)
SELECT
  vacuum_settings.nspname AS schema,
  vacuum_settings.relname AS table,
  coalesce(to_char(psut.last_vacuum, 'YYYY-MM-DD HH24:MI'), '') AS last_vacuum,
  coalesce(to_char(psut.last_autovacuum, 'YYYY-MM-DD HH24:MI'), '') AS last_autovacuum,
  to_char(pg_class.reltuples, '9G999G999G999') AS rowcount,
  to_char(psut.n_dead_tup, '9G999G999G999') AS dead_rowcount,
  to_char(autovacuum_vacuum_threshold
       + (autovacuum_vacuum_scale_factor::numeric * pg_class.reltuples), '9G999G999G999') AS autovacuum_threshold,
  CASE
    WHEN autovacuum_vacuum_threshold + (autovacuum_vacuum_scale_factor::numeric * pg_class.reltuples) < psut.n_dead_tup
    THEN 'yes'
    ELSE 'no'
  END AS expect_autovacuum
FROM
  pg_stat_user_tables psut INNER JOIN pg_class ON psut.relid = pg_class.oid
INNER JOIN vacuum_settings ON pg_class.oid = vacuum_settings.oid
WHERE NOT vacuum_settings.nspname LIKE ANY($1)
ORDER BY
  case
    when pg_class.reltuples = -1 then 1
    else 0
  end,
  1
"""  # noqa: E501 - the CLI's text, verbatim

# supabase/cli internal/inspect/blocking/blocking.sql
CLI_BLOCKING = """SELECT
  bl.pid AS blocked_pid,
  ka.query AS blocking_statement,
  age(now(), ka.query_start)::text AS blocking_duration,
  kl.pid AS blocking_pid,
  a.query AS blocked_statement,
  age(now(), a.query_start)::text AS blocked_duration
FROM pg_catalog.pg_locks bl
JOIN pg_catalog.pg_stat_activity a
  ON bl.pid = a.pid
JOIN pg_catalog.pg_locks kl
JOIN pg_catalog.pg_stat_activity ka
  ON kl.pid = ka.pid
  ON bl.transactionid = kl.transactionid AND bl.pid != kl.pid
WHERE NOT bl.granted
"""

# supabase/cli internal/inspect/role_connections/role_connections.sql
CLI_ROLE_CONNECTIONS = """SELECT
  rolname,
  (
    SELECT
      count(*)
    FROM
      pg_stat_activity
    WHERE
      pg_roles.rolname = pg_stat_activity.usename
  ) AS active_connections,
  CASE WHEN rolconnlimit = -1
    THEN current_setting('max_connections')::int8
    ELSE rolconnlimit
  END AS connection_limit
FROM pg_roles
ORDER BY 2 DESC
"""

# supabase/cli internal/inspect/queries/replication_slots.sql
CLI_REPLICATION_SLOTS = """SELECT
  s.slot_name,
  s.active,
  COALESCE(r.state, 'N/A') as state,
  CASE WHEN r.client_addr IS NULL
    THEN 'N/A'
    ELSE r.client_addr::text
  END replication_client_address,
  GREATEST(0, ROUND((redo_lsn-restart_lsn)/1024/1024/1024, 2)) as replication_lag_gb
FROM pg_control_checkpoint(), pg_replication_slots s
LEFT JOIN pg_stat_replication r ON (r.pid = s.active_pid)"""

# supabase/cli internal/inspect/calls/calls.sql
CLI_CALLS = """SELECT
  query,
  (interval '1 millisecond' * total_exec_time)::text AS total_exec_time,
  to_char((total_exec_time/sum(total_exec_time) OVER()) * 100, 'FM90D0') || '%'  AS prop_exec_time,
  to_char(calls, 'FM999G999G990') AS ncalls,
  /*
    Handle column names for 15 and 17
  */
  (
    interval '1 millisecond' * (
      COALESCE(
        (to_jsonb(s) ->> 'shared_blk_read_time')::double precision,
        (to_jsonb(s) ->> 'blk_read_time')::double precision,
        0
      )
      +
      COALESCE(
        (to_jsonb(s) ->> 'shared_blk_write_time')::double precision,
        (to_jsonb(s) ->> 'blk_write_time')::double precision,
        0
      )
    )
  )::text AS sync_io_time
FROM pg_stat_statements s
ORDER BY calls DESC
LIMIT 10
"""


@pytest.fixture(scope="module")
def everything(live: Live) -> Inspection:
    """An inspection of every user schema (the CLI's cache query filters none) and without
    pgstattuple reads, so that the I/O counters are the ones the referee reads next."""
    settings = replace(TEST_SETTINGS, exclude_schemas=(), exact_bloat_limit=0)
    with live.server.connect() as conn:
        return read_inspection(conn, settings)


def test_hit_rates_match_cli_cache(live: Live, everything: Inspection) -> None:
    rows = dict(_referee(live, CLI_CACHE))
    assert float(rows["index hit rate"]) == pytest.approx(everything.index_hit_rate, abs=1e-12)
    assert float(rows["table hit rate"]) == pytest.approx(everything.cache_hit_rate, abs=1e-12)


def test_sizes_rows_and_scans_match_cli_table_stats(live: Live, inspection: Inspection) -> None:
    rows = _referee(live, CLI_TABLE_STATS, CLI_EXCLUDED)
    assert {r[0] for r in rows} == {t.qualified for t in inspection.tables}
    with live.server.admin() as admin:
        for name, table_size, index_size, total_size, estimated, seq_scans in rows:
            t = _table(inspection, name)
            mine = admin.execute(
                "select pg_size_pretty(%s::bigint), pg_size_pretty(%s::bigint), "
                "pg_size_pretty(%s::bigint)",
                (t.heap_bytes + t.toast_bytes, t.index_bytes, t.total_bytes),
            ).fetchone()
            assert mine == (table_size, index_size, total_size), name
            assert (t.live_tuples, t.seq_scan) == (estimated, seq_scans), name


def test_seq_scans_match_cli(live: Live, inspection: Inspection) -> None:
    rows = dict(_referee(live, CLI_SEQ_SCANS, CLI_EXCLUDED))
    assert rows == {t.qualified: t.seq_scan for t in inspection.tables}
    flagged = {
        f.object for f in check(inspection, TEST_SETTINGS) if f.rule == "seq-scan-large-table"
    }
    large = {t.qualified for t in inspection.tables if t.rows > TEST_SETTINGS.seq_scan_rows}
    assert flagged == {name for name, count in rows.items() if count > 0 and name in large}


def test_unused_indexes_match_cli(live: Live, inspection: Inspection) -> None:
    rows = _referee(live, CLI_UNUSED_INDEXES, CLI_EXCLUDED)
    theirs = {f"{name.split('.')[0]}.{index}" for name, index, _size, _scans in rows}
    assert "public.analytics_events_device_idx" in theirs
    mine = {
        f.object.removeprefix("index ")
        for f in check(inspection, TEST_SETTINGS)
        if f.rule in ("unused-index", "rarely-used-index", "invalid-index")
    }
    backing = {i.qualified for i in inspection.indexes if i.backs_constraint}
    # the CLI's list also skips indexes of tables under 6 pages; pgvet's does not
    assert theirs - backing <= mine
    scans = {i.qualified: i.scans for i in inspection.indexes}
    assert all(scans[f"{name.split('.')[0]}.{index}"] == s for name, index, _, s in rows)


def _count(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_vacuum_figures_match_cli(live: Live, inspection: Inspection) -> None:
    rows = _referee(live, CLI_VACUUM_STATS, CLI_EXCLUDED)
    assert {f"{r[0]}.{r[1]}" for r in rows} == {t.qualified for t in inspection.tables}
    for schema, name, _, _, _, dead, threshold, expect in rows:
        t = _table(inspection, f"{schema}.{name}")
        assert t.dead_tuples == _count(dead)
        assert round(t.vacuum_trigger) == _count(threshold)
        assert (t.dead_tuples > t.vacuum_trigger) == (expect == "yes")
    events = _table(inspection, "public.analytics_events")
    assert events.dead_tuples >= 30000


def test_blocking_matches_cli(live: Live, inspection: Inspection) -> None:
    pairs = {(r[0], r[3]) for r in _referee(live, CLI_BLOCKING)}
    mine = {(s.pid, b) for s in inspection.sessions for b in s.blocked_by}
    assert pairs and pairs == mine
    holder = live.holder.info.backend_pid
    assert any(s.pid == holder and s.blocking for s in inspection.sessions)


def test_connections_match_cli(live: Live) -> None:
    with live.server.admin() as admin:
        settings = replace(TEST_SETTINGS, exact_bloat_limit=0)
        ins = read_inspection(admin, settings)
        admin.execute("set search_path = public")
        rows = admin.execute(CLI_ROLE_CONNECTIONS).fetchall()
        client = dict(
            admin.execute(
                "select usename, count(*) from pg_stat_activity "
                "where backend_type <> 'client backend' group by 1"
            ).fetchall()
        )
    theirs = {role: n - client.get(role, 0) for role, n, _limit in rows if n}
    mine: dict[str, int] = {}
    for (role, _state), n in ins.connections.items():
        mine[role] = mine.get(role, 0) + n
    assert theirs == mine
    assert {limit for _r, _n, limit in rows} == {ins.server.max_connections}


def test_replication_slots_match_cli(live: Live, inspection: Inspection) -> None:
    rows = _referee(live, CLI_REPLICATION_SLOTS)
    assert {(r[0], r[1]) for r in rows} == {(s.name, s.active) for s in inspection.slots}
    slot = next(s for s in inspection.slots if s.name == "pgvet_test_slot")
    assert slot.retained_bytes is not None and slot.retained_bytes > 0


def test_statements_match_cli_calls(live: Live, inspection: Inspection) -> None:
    rows = _referee(live, CLI_CALLS)
    assert inspection.statements is not None
    theirs = {query: _count(calls) for query, _t, _p, calls, _io in rows}
    # pgvet's own queries are left out (PostgreSQL 18 drops a leading comment from the text)
    assert not any("scope as materialized" in s.query for s in inspection.statements)
    probe = next(s for s in inspection.statements if "where page_path" in s.query)
    assert probe.calls == CALLS_PROBE
    assert theirs.get(probe.query) == probe.calls


def test_wraparound_and_sequences_direct(live: Live, inspection: Inspection) -> None:
    """No CLI command reports these: checked against the catalog directly."""
    with live.server.admin() as admin:
        xid, mxid = admin.execute(
            "select age(datfrozenxid), mxid_age(datminmxid) from pg_database "
            "where datname = current_database()"
        ).fetchone()
        last = admin.execute("select last_value from public.tickets_id_seq").fetchone()[0]
    assert inspection.server.xid_age <= xid  # our snapshot came first; age only grows
    assert inspection.server.mxid_age == mxid
    seq = next(q for q in inspection.sequences if q.qualified == "public.tickets_id_seq")
    assert seq.last_value == last == 2_000_000_000
    assert seq.max_value == 2**31 - 1 and seq.column == "public.tickets.id"
    assert seq.used_percent == pytest.approx(100 * (2e9 - 1) / (2**31 - 2))


# --- the command ---------------------------------------------------------------------------------


def _run(live: Live, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "pgvet.toml"
    config.write_text(CONFIG)
    return run_cli(
        "inspect", "--db", live.server.conninfo(), "--config", str(config), *args, cwd=tmp_path
    )


def test_command_json_and_fail_on(live: Live, tmp_path: Path) -> None:
    done = _run(live, tmp_path, "-f", "json")
    assert done.returncode == 1, done.stderr  # invalid index, sequence: errors
    doc = json.loads(done.stdout)
    assert doc["kind"] == "inspect" and doc["summary"]["error"] >= 2
    assert {"cache_hit_rate", "latency", "sizes"} <= set(doc["sources"])
    assert any(t["verdict"] == "BREACH" for t in doc["targets"])
    assert _run(live, tmp_path, "-f", "json", "--fail-on", "never").returncode == 0


def test_command_text_markdown_prometheus(live: Live, tmp_path: Path) -> None:
    text = _run(live, tmp_path, "--fail-on", "never").stdout
    assert "Targets (PHASE4 review)" in text and "How each figure was obtained" in text
    md = _run(live, tmp_path, "-f", "markdown", "--fail-on", "never").stdout
    assert md.startswith("## pgvet inspect") and "| public.analytics_events |" in md
    prom = _run(live, tmp_path, "-f", "prometheus", "--fail-on", "never").stdout
    assert "# TYPE pgvet_cache_hit_ratio gauge" in prom
    assert re.search(
        r'^pgvet_table_seq_scans_total\{database="postgres",schema="public",'
        r'table="analytics_events"\} [1-9]\d*$',
        prom,
        re.M,
    )
    assert re.search(r'^pgvet_findings\{database="postgres",level="error"\} [1-9]', prom, re.M)


def test_command_is_read_only_and_redacts(live: Live, tmp_path: Path) -> None:
    with live.server.admin() as admin:
        before = admin.execute("select count(*) from pg_class").fetchone()
    done = _run(live, tmp_path, "-f", "json", "--fail-on", "never")
    assert done.returncode == 0
    with live.server.admin() as admin:
        assert admin.execute("select count(*) from pg_class").fetchone() == before
    bad = run_cli("inspect", "--db", "postgresql://app:s3cret@127.0.0.1:1/prod")
    assert bad.returncode == 2 and "s3cret" not in bad.stderr + bad.stdout
    assert "Traceback" not in bad.stderr


def test_bad_config_is_exit_2(live: Live, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    for body, says in (
        ("[inspect]\nindex_hit_rte = 95\n", "unknown setting"),
        ("[inspect]\nindex_hit_rate = 120\n", "a percentage"),
        ('[inspect]\nlong_running = "soon"\n', "not a duration"),
    ):
        config.write_text(body)
        done = run_cli("inspect", "--db", live.server.conninfo(), "--config", str(config))
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr
    assert run_cli("inspect").returncode == 2


def test_history_growth(live: Live, tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite"
    assert (
        _run(
            live, tmp_path, "--save", "--history", str(store), "-f", "json", "--fail-on", "never"
        ).returncode
        == 0
    )
    with contextlib.closing(sqlite3.connect(store)) as db, db:
        # as if that inspection had been taken 2 days ago, with fewer rows
        (taken,) = db.execute("select taken_at from inspection").fetchone()
        earlier = datetime.fromisoformat(taken) - timedelta(days=2)
        db.execute("update inspection set taken_at = ?", (earlier.isoformat(),))
        db.execute(
            "update table_size set row_estimate = row_estimate - 20000, "
            "total_bytes = total_bytes - 2000000 where table_name = 'analytics_events'"
        )
    done = _run(live, tmp_path, "--history", str(store), "-f", "json", "--fail-on", "never")
    growth = {g["name"]: g for g in json.loads(done.stdout)["figures"]["growth"]}
    events = growth["analytics_events"]
    assert events["days"] == pytest.approx(2, abs=0.01)
    assert events["rows_per_day"] == pytest.approx(10000, rel=0.01)
    assert events["bytes_per_day"] == pytest.approx(1_000_000, rel=0.01)
    assert events["days_to_rows"] == pytest.approx((10_000_000 - 30000) / 10000, rel=0.01)
    assert growth["tickets"]["rows_per_day"] == 0 and growth["tickets"]["days_to_rows"] is None


def test_plan_candidates_key_and_autovacuum(live: Live) -> None:
    # every statement, not only the top 10: the load's own statements outweigh the hot one
    settings = replace(TEST_SETTINGS, large_rows=20_000, statements=1000)
    with live.server.connect() as conn:
        candidates = plan(conn, read_inspection(conn, settings), settings, ("clinic_id",))
    by_name = {c.table.qualified: c for c in candidates}
    assert all(c.table.rows >= 20_000 for c in candidates)
    assert "public.customers" not in by_name  # 8,000 generated rows and the seed's
    events = by_name["public.analytics_events"]
    assert events.key is not None and (events.key.column, events.key.kind) == (
        "created_at",
        "time",
    )
    assert all("created_at" in s.query for s in events.key.statements)
    assert events.autovacuum["autovacuum_vacuum_threshold"] == 10_000  # the floor: 30k rows
    assert events.autovacuum["autovacuum_vacuum_scale_factor"] == 0
    assert autovacuum_settings(50_000_000)["autovacuum_vacuum_threshold"] == 500_000


def test_plan_filtered_columns(inspection: Inspection) -> None:
    """Only this table's columns (by name or alias), and only compared ones."""
    events = _table(inspection, "public.analytics_events")
    columns = {"clinic_id", "created_at", "page_path", "event_name"}
    text = (
        "select a.event_name from public.analytics_events a join public.clinics c "
        "on c.id = a.clinic_id where c.created_at > $1 and a.page_path in ($2, $3) "
        "and a.clinic_id = any($4) order by a.created_at"
    )
    assert filtered_columns(events, columns, text) == {"page_path", "clinic_id"}
    assert filtered_columns(events, columns, "select 1 from public.clinics where id = $1") == set()


def test_plan_command_writes_markdown(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "LARGE_TABLE_OPTIMIZATION.md"
    (tmp_path / "pgvet.toml").write_text(CONFIG + "large_rows = 20000\nstatements = 1000\n")
    done = run_cli(
        "inspect", "--db", live.server.conninfo(), "--plan", "-o", str(out), "--fail-on", "never",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text.startswith("# Large-table optimization")
    assert "## public.analytics_events" in text and "Partition key: `created_at`" in text
    assert "alter table public.analytics_events set (" in text
    assert "autovacuum_vacuum_threshold = 10000" in text
    assert _run(live, tmp_path, "--plan", "-f", "json").returncode == 2


def test_plan_partitioning_verified_on_the_project(live: Live, tmp_path: Path) -> None:
    """--plan --verify: the steps generated from the live database run on the project's
    sandbox with writes going on; --migrations writes them as files."""
    out, steps = tmp_path / "LARGE_TABLE_OPTIMIZATION.md", tmp_path / "steps"
    (tmp_path / "pgvet.toml").write_text(CONFIG + "large_rows = 20000\nstatements = 1000\n")
    done = run_cli(
        "inspect", "--db", live.server.conninfo(), "--plan", "-o", str(out), "--fail-on", "never",
        "--verify", str(EXAMPLE), "--verify-rows", "20000", "--migrations", str(steps),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    section = text.split("## public.analytics_events", 1)[1].split("\n## ", 1)[0]
    assert "### Online partitioning" in section
    assert "**Verification passed**" in section, section[:3000]
    assert "content identical" in section
    assert re.search(r"\| one month \(\d{4}-\d\d\) \| yes \|[^|]+\|[^|]+\| 1 of \d+ \|", section)
    files = sorted(f.name for f in steps.iterdir())
    assert [f for f in files if f.endswith("_partition_analytics_events.sql")]
    assert [f for f in files if f.endswith("_partition_analytics_events_swap.sql")]
    assert "partition_analytics_events_backfill.psql" in files


def test_sizes_exact_for_the_largest_tables_only(live: Live) -> None:
    """[inspect] exact_sizes: pg_table_size & co. for the largest tables (by pages), the
    others from relpages × block size (what makes 5,000 tables fast), each flagged."""
    with live.server.connect() as conn:
        ins = read_inspection(conn, replace(TEST_SETTINGS, exact_sizes=1))
    exact = [t for t in ins.tables if t.size_exact]
    estimated = [t for t in ins.tables if not t.size_exact]
    assert estimated and all(t.reltuples >= 0 for t in estimated)
    largest = max(ins.tables, key=lambda t: t.relpages)
    assert largest.size_exact and exact[0].relpages == largest.relpages
    for t in estimated:
        assert t.heap_bytes == t.relpages * ins.server.block_size
    by_table = {(i.schema, i.table): i for i in ins.indexes}
    assert any(not i.size_exact for i in by_table.values())


def test_decimal_free_json(everything: Inspection) -> None:
    """Figures are plain numbers (psycopg returns numeric as Decimal)."""
    assert not any(isinstance(v, Decimal) for t in everything.tables for v in vars(t).values())


def test_estimated_bloat_agrees_with_pgstattuple(live: Live) -> None:
    """Last in the file: pgstattuple reads the table as a sequential scan, which the
    counters the cross-checks above compare would show."""
    with live.server.connect() as conn:
        estimated = read_inspection(conn, replace(TEST_SETTINGS, exact_bloat_limit=0))
        exact = conn.execute(
            "select (dead_tuple_len + free_space)::float8 / table_len "
            "from pgstattuple('public.analytics_events')"
        ).fetchone()
    table = next(b for b in estimated.bloat if b.qualified == "public.analytics_events")
    assert table.method == "estimate"
    assert exact is not None
    assert abs(table.percent / 100 - exact[0]) < 0.15
