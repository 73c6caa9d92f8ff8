"""How big and how busy the tables a migration locks are, on the live database.

One query for all the tables (an index named by ``drop index`` is resolved to its table):
total size with indexes and TOAST, the planner's row estimate, and writes per second —
inserted, updated and deleted rows since the statistics were reset (else since the server
started), divided by that time. A mean over the window, said as such: peaks are higher.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from pgvet.report.units import size

SIZES = """
with wanted(schema, name) as (select * from unnest(%(schemas)s::text[], %(names)s::text[]))
select /* pgvet lint */ w.schema, w.name, tn.nspname, t.relname,
       pg_total_relation_size(t.oid), greatest(t.reltuples, 0)::bigint,
       coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0),
       extract(epoch from now() - coalesce(d.stats_reset, pg_postmaster_start_time()))
from wanted w
join pg_namespace n on n.nspname = w.schema
join pg_class c on c.relnamespace = n.oid and c.relname = w.name
left join pg_index i on i.indexrelid = c.oid
join pg_class t on t.oid = coalesce(i.indrelid, c.oid)
join pg_namespace tn on tn.oid = t.relnamespace
left join pg_stat_all_tables s on s.relid = t.oid
cross join (select stats_reset from pg_stat_database where datname = current_database()) d
"""


@dataclass(frozen=True)
class LiveTable:
    schema: str
    name: str  # the table (for an index: the table it belongs to)
    bytes: int
    rows: int
    writes_per_second: float
    window_seconds: float  # what the rate is averaged over

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def text(self) -> str:
        days = self.window_seconds / 86400
        return (
            f"{size(self.bytes)}, ~{self.rows:,} rows, "
            f"{self.writes_per_second:,.1f} writes/s (mean over {days:.1f} days)"
        )


def live_tables(
    conn: psycopg.Connection, names: list[tuple[str, str]]
) -> dict[tuple[str, str], LiveTable]:
    """``(schema, name)`` → the live table; names that do not exist there are left out."""
    if not names:
        return {}
    rows = conn.execute(
        SIZES, {"schemas": [s for s, _ in names], "names": [n for _, n in names]}
    ).fetchall()
    out = {}
    for schema, name, tschema, table, total, reltuples, writes, seconds in rows:
        seconds = float(seconds or 0)
        rate = writes / seconds if seconds > 0 else 0.0
        out[(schema, name)] = LiveTable(tschema, table, total, reltuples, rate, seconds)
    return out
