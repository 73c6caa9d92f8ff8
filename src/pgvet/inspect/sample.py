"""Measured percentiles (``pgvet inspect --sample SECONDS``): watch the running statements.

pg_stat_statements keeps counts, sums and extremes, never a distribution, so from it a
percentile can only be bounded (see :mod:`pgvet.inspect.latency`). To *measure* one without
writing anything to the database, pgvet watches it for a while:

* ``pg_stat_activity`` is read every few milliseconds; every execution seen running is
  recorded with its ``query_id``, ``query_start`` and the server clock of each sighting. An
  execution that disappears (or whose backend starts another statement) ended between the
  last sighting and the next read: its duration is known to within that gap.
* pg_stat_statements is read before and after the window; the difference in ``calls`` per
  ``queryid`` is how many executions of each statement ended in the window, seen or not.

Every execution longer than the largest gap between two reads is seen for certain; shorter
ones may be missed. So the q-th percentile (nearest rank over the *n* calls counted by
pg_stat_statements) is the ``ceil((1-q)·n)``-th longest execution seen, provided that one
is longer than the largest gap — then every longer execution was seen and the rank is
exact. Otherwise the percentile is only known to lie below the largest gap, and is
reported that way. Nothing is estimated from a model: each figure is a measurement or a
stated bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from pgvet.inspect.model import Percentile, Sampled, Window

TAG = "/* pgvet inspect */"
#: how often pg_stat_activity is read
INTERVAL = 0.005
RUNNING = f"""
select {TAG} clock_timestamp(), pid, query_id, query_start
from pg_stat_activity
where state = 'active' and backend_type = 'client backend' and query_id is not null
  and datname = current_database() and pid <> pg_backend_pid()
"""
CALLS = f"""
select {TAG} queryid, sum(calls)::bigint
from {{schema}}.pg_stat_statements
where dbid = (select oid from pg_database where datname = current_database()) and toplevel
group by queryid
"""


@dataclass
class _Running:
    queryid: int
    start: datetime
    last: datetime


def sample(
    conn: psycopg.Connection,
    schema: str,
    seconds: float,
    *,
    interval: float = INTERVAL,
    tick: Callable[[float], None] | None = None,
) -> tuple[Window, dict[int, Sampled]]:
    """Watch the database for ``seconds``; the percentiles of every statement that ended in
    the window, by queryid. ``conn`` must be in autocommit (each read sees the current activity);
    ``schema`` is pg_stat_statements' schema; ``tick(elapsed)`` reports progress."""
    query = sql.SQL(CALLS).format(schema=sql.Identifier(schema))
    before = dict(conn.execute(query).fetchall())
    running: dict[tuple[int, datetime], _Running] = {}
    durations: dict[int, list[tuple[float, float]]] = {}
    reads, max_gap, previous = 0, 0.0, None
    began = time.monotonic()
    started = None
    while True:
        rows = conn.execute(RUNNING).fetchall()
        reads += 1
        now = rows[0][0] if rows else conn.execute(f"select {TAG} clock_timestamp()").fetchone()[0]
        started = started or now
        if previous is not None:
            max_gap = max(max_gap, (now - previous).total_seconds())
        current = {(pid, start): (qid, start) for _, pid, qid, start in rows}
        for key, run in list(running.items()):
            if key not in current:  # ended between its last sighting and this read
                low = (run.last - run.start).total_seconds()
                high = (now - run.start).total_seconds()
                durations.setdefault(run.queryid, []).append((low, high))
                del running[key]
        for key, (qid, start) in current.items():
            seen = running.get(key)
            if seen is None:
                running[key] = _Running(qid, start, now)
            else:
                seen.last = now
        previous = now
        elapsed = time.monotonic() - began
        if tick is not None:
            tick(min(elapsed, seconds))
        if elapsed >= seconds:
            break
        time.sleep(interval)
    after = dict(conn.execute(query).fetchall())
    gap_ms = 1000 * max_gap
    out = {}
    for qid, calls in after.items():
        n = calls - before.get(qid, 0)
        if n <= 0:
            continue
        seen = sorted(durations.get(qid, []), reverse=True)
        out[qid] = Sampled(
            qid,
            n,
            len(seen),
            _percentile(0.50, n, seen, gap_ms),
            _percentile(0.95, n, seen, gap_ms),
            _percentile(0.99, n, seen, gap_ms),
        )
    return Window(time.monotonic() - began, reads, gap_ms, started), out


def _percentile(q: float, calls: int, seen: list[tuple[float, float]], gap_ms: float) -> Percentile:
    """Nearest rank: the ``ceil(q·n)``-th shortest of ``n`` calls is the
    ``n - ceil(q·n) + 1``-th longest; ``seen`` holds (low, high) seconds, longest first."""
    rank = calls - math.ceil(q * calls) + 1
    if rank > len(seen):  # fewer than `rank` executions were longer than the gap
        return Percentile(None, below_ms=gap_ms)
    low, high = (1000 * x for x in seen[rank - 1])
    if low >= gap_ms:  # every longer execution was seen: the rank is exact
        return Percentile((low + high) / 2, resolution_ms=(high - low) / 2)
    return Percentile(None, below_ms=max(gap_ms, high))
