"""The figures as Prometheus text exposition (format 0.0.4), for a cron job and a scraper
(node_exporter's textfile collector, a Pushgateway).

Every metric carries ``database``; per-object metrics add ``schema`` and ``table`` /
``index`` / ``sequence`` labels. Counters since the statistics reset are exposed as
counters (``_total``), everything else as gauges. Statement text is never a label (too
long, too many values): statements are keyed by ``queryid``. The HELP line of each metric
says where the figure comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pgvet.findings import Finding
from pgvet.inspect.model import Inspection


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float | int | bool) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


@dataclass
class _Metric:
    name: str
    kind: str
    help: str
    samples: list[tuple[dict[str, object], float | int | bool]] = field(default_factory=list)


class _Exposition:
    def __init__(self, database: str) -> None:
        self.database = database
        self.metrics: dict[str, _Metric] = {}

    def add(
        self,
        name: str,
        kind: str,
        help_: str,
        value: float | int | bool | None,
        /,
        **labels: object,
    ) -> None:
        if value is None:
            return
        metric = self.metrics.setdefault(name, _Metric(name, kind, help_))
        metric.samples.append(({"database": self.database, **labels}, value))

    def text(self) -> str:
        lines = []
        for m in self.metrics.values():
            lines += [f"# HELP pgvet_{m.name} {_escape(m.help)}", f"# TYPE pgvet_{m.name} {m.kind}"]
            for labels, value in m.samples:
                shown = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
                lines.append(f"pgvet_{m.name}{{{shown}}} {_number(value)}")
        return "\n".join(lines) + "\n"


def exposition(ins: Inspection, findings: Iterable[Finding]) -> str:
    srv = ins.server
    e = _Exposition(srv.database)
    g, c = "gauge", "counter"
    e.add("database_size_bytes", g, "pg_database_size(current_database())", srv.size_bytes)
    e.add(
        "stats_window_seconds",
        g,
        "seconds since pg_stat_database.stats_reset, else since the server started",
        srv.window_seconds,
    )
    e.add("uptime_seconds", g, "now() - pg_postmaster_start_time()", srv.uptime_seconds)
    e.add("in_recovery", g, "pg_is_in_recovery(): 1 on a standby", srv.in_recovery)
    e.add(
        "cache_hit_ratio",
        g,
        "pg_statio_user_tables heap_blks_hit / (hit + read)",
        ins.cache_hit_rate,
    )
    e.add(
        "index_hit_ratio",
        g,
        "pg_statio_user_indexes idx_blks_hit / (hit + read)",
        ins.index_hit_rate,
    )
    e.add("xid_age", g, "age(pg_database.datfrozenxid); wraparound at 2^31", srv.xid_age)
    e.add("mxid_age", g, "mxid_age(pg_database.datminmxid); wraparound at 2^31", srv.mxid_age)
    e.add(
        "max_connections",
        g,
        "max_connections - superuser_reserved_connections",
        ins.connection_limit,
    )
    e.add("deadlocks_total", c, "pg_stat_database.deadlocks", srv.deadlocks)
    e.add("temp_bytes_total", c, "pg_stat_database.temp_bytes", srv.temp_bytes)
    for (role, state), n in sorted(ins.connections.items()):
        e.add(
            "connections",
            g,
            "pg_stat_activity client backends by role and state",
            n,
            role=role,
            state=state,
        )
    for t in ins.tables:
        at = {"schema": t.schema, "table": t.name}
        for part, n in (
            ("heap", t.heap_bytes),
            ("indexes", t.index_bytes),
            ("toast", t.toast_bytes),
        ):
            e.add(
                "table_size_bytes",
                g,
                "pg_relation_size / pg_indexes_size / TOAST size",
                n,
                part=part,
                **at,
            )
        e.add(
            "table_rows_estimate",
            g,
            "pg_class.reltuples (n_live_tup if never analyzed)",
            t.rows,
            **at,
        )
        e.add("table_dead_tuples", g, "pg_stat_user_tables.n_dead_tup", t.dead_tuples, **at)
        e.add("table_seq_scans_total", c, "pg_stat_user_tables.seq_scan", t.seq_scan, **at)
        e.add(
            "table_seq_tuples_read_total",
            c,
            "pg_stat_user_tables.seq_tup_read",
            t.seq_tup_read,
            **at,
        )
        e.add("table_idx_scans_total", c, "pg_stat_user_tables.idx_scan", t.idx_scan, **at)
        e.add(
            "table_cache_hit_ratio",
            g,
            "pg_statio_user_tables heap hit / (hit + read)",
            t.cache_hit_rate,
            **at,
        )
        e.add("table_xid_age", g, "age(pg_class.relfrozenxid)", t.xid_age, **at)
    for i in ins.indexes:
        at = {"schema": i.schema, "table": i.table, "index": i.name}
        e.add("index_size_bytes", g, "pg_relation_size of the index", i.size_bytes, **at)
        e.add("index_scans_total", c, "pg_stat_user_indexes.idx_scan", i.scans, **at)
        e.add("index_valid", g, "pg_index.indisvalid and indisready", i.valid, **at)
    for b in ins.bloat:
        e.add(
            "bloat_bytes",
            g,
            "estimated (pg_stats widths) or pgstattuple-measured waste",
            b.waste_bytes,
            kind=b.kind,
            schema=b.schema,
            object=b.name,
            method=b.method,
        )
    for q in ins.sequences:
        used = q.used_percent
        e.add(
            "sequence_used_ratio",
            g,
            "pg_sequences.last_value against the effective maximum",
            None if used is None else used / 100,
            schema=q.schema,
            sequence=q.name,
        )
    for s in ins.slots:
        e.add(
            "replication_slot_retained_bytes",
            g,
            "pg_current_wal_lsn() - restart_lsn",
            s.retained_bytes,
            slot=s.name,
            active=str(s.active).lower(),
        )
    for r in ins.replicas:
        e.add(
            "replica_replay_lag_seconds",
            g,
            "pg_stat_replication.replay_lag",
            r.replay_lag_seconds,
            replica=r.name,
        )
    for st in ins.statements or ():
        q = {"queryid": st.queryid}
        e.add("statement_calls_total", c, "pg_stat_statements.calls", st.calls, **q)
        e.add("statement_time_ms_total", c, "pg_stat_statements.total_exec_time", st.total_ms, **q)
        e.add("statement_mean_ms", g, "pg_stat_statements.mean_exec_time", st.mean_ms, **q)
        e.add("statement_stddev_ms", g, "pg_stat_statements.stddev_exec_time", st.stddev_ms, **q)
        e.add(
            "statement_p95_upper_bound_ms",
            g,
            "Cantelli bound from mean and stddev, capped by max (not a measured percentile)",
            st.p95.high,
            **q,
        )
        e.add(
            "statement_p99_upper_bound_ms",
            g,
            "Cantelli bound from mean and stddev, capped by max (not a measured percentile)",
            st.p99.high,
            **q,
        )
        for attr in ("p50", "p95", "p99") if st.measured else ():
            measured = getattr(st.measured, attr)
            if measured.ms is not None:
                e.add(
                    f"statement_{attr}_ms",
                    g,
                    "measured by --sample: nearest rank over the calls that ended in the watch",
                    measured.ms,
                    **q,
                )
    found = list(findings)
    for level in ("error", "warn", "info"):
        e.add(
            "findings",
            g,
            "pgvet inspect findings by level",
            sum(1 for f in found if f.level.value == level),
            level=level,
        )
    return e.text()
