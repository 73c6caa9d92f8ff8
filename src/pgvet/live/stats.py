"""Usage statistics of a live database: what only production can tell.

A sandbox has just been created, so every index shows zero scans there (splinter reports
them all as unused); pgvet reads these counters only from a live database, and rules that
need them declare ``requires=("stats",)`` and are skipped elsewhere. One query per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import psycopg

# Since when the counters run: the last stats reset, else the server start.
SINCE = """
select coalesce(d.stats_reset, pg_postmaster_start_time()) as since,
       extract(epoch from now() - coalesce(d.stats_reset, pg_postmaster_start_time())) / 86400
from pg_stat_database d where d.datname = current_database()
"""
# Scans and size of every index outside the system schemas.
INDEX_USAGE = """
select s.schemaname, s.indexrelname, s.idx_scan, pg_relation_size(s.indexrelid)
from pg_stat_user_indexes s
"""


@dataclass(frozen=True)
class IndexUsage:
    scans: int
    size_bytes: int


@dataclass(frozen=True)
class Stats:
    """Counters of one live database and how many days they cover."""

    since: datetime | None
    days: float
    index_usage: dict[tuple[str, str], IndexUsage] = field(default_factory=dict)


def read_stats(conn: psycopg.Connection) -> Stats:
    since, days = conn.execute(SINCE).fetchone() or (None, 0.0)
    usage = {
        (schema, name): IndexUsage(int(scans or 0), int(size or 0))
        for schema, name, scans, size in conn.execute(INDEX_USAGE).fetchall()
    }
    return Stats(since, float(days or 0.0), usage)
