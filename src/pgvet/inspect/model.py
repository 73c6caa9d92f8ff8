"""What ``pgvet inspect`` read: frozen figures, each kind with the way it was obtained.

Counters (scans, blocks, tuples read) run since the statistics were last reset or the
server started, whichever is later (``Server.window_seconds``); sizes, ages and sessions
are as of the moment of the inspection. ``SOURCES`` says, for every kind of figure, which
view and which arithmetic produced it: the renderers print it beside the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: wraparound happens at 2^31 transactions (or multixacts) of age
WRAPAROUND = 2**31

SOURCES = {
    "database": "pg_database_size(current_database()); counters window: pg_stat_database."
    "stats_reset, else pg_postmaster_start_time()",
    "sizes": "heap: pg_table_size minus TOAST (main fork, free space and visibility maps); "
    "indexes: pg_table_size of each live index, summed (= pg_indexes_size); TOAST: "
    "pg_total_relation_size of the TOAST table (with its index); total = heap + indexes + "
    "TOAST (= pg_total_relation_size); each relation sized once. Exact for the [inspect] "
    "exact_sizes largest tables by pg_class.relpages (default 500) and any never analyzed; "
    "the others (size_exact false) from relpages × block_size of the table, its TOAST table "
    "and its indexes as of their last VACUUM/ANALYZE/CREATE INDEX (main forks only): sizing "
    "a relation exactly opens its files, most of the server's time on 5,000 tables; rows: "
    "pg_class.reltuples "
    "(the planner's estimate as of the last VACUUM/ANALYZE; n_live_tup for a never-analyzed table)",
    "cache_hit_rate": "pg_statio_user_tables: heap_blks_hit / (heap_blks_hit + "
    "heap_blks_read), over the counters window (the Supabase CLI's 'table hit rate')",
    "index_hit_rate": "pg_statio_user_indexes: idx_blks_hit / (idx_blks_hit + idx_blks_read), "
    "over the counters window (the Supabase CLI's 'index hit rate')",
    "index_usage": "pg_stat_user_tables: idx_scan / (idx_scan + seq_scan), per table",
    "seq_scans": "pg_stat_user_tables.seq_scan and seq_tup_read since the counters window "
    "began, on tables whose reltuples (or n_live_tup) passes the threshold",
    "index_scans": "pg_stat_user_indexes.idx_scan since the counters window began; counters "
    "are per server: a read replica keeps its own, so an index unused here may serve reads "
    "there",
    "invalid_indexes": "pg_index.indisvalid and indisready (a failed CREATE INDEX "
    "CONCURRENTLY leaves such an index: maintained on every write, never used)",
    "bloat": "estimate: pages expected from reltuples and pg_stats column widths (tuple "
    "header, alignment, fillfactor) against relpages; measured, for the objects the estimate "
    "flags, where pgstattuple is installed: pgstattuple_approx for tables (dead tuples + free "
    "space; no sequential scan) and pgstatindex for B-trees (leaf density against the 90 % "
    "fillfactor)",
    "vacuum": "pg_stat_user_tables n_dead_tup, last_(auto)vacuum, last_(auto)analyze; "
    "autovacuum's trigger = autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × "
    "reltuples (the table's own reloptions first)",
    "wraparound": "age(datfrozenxid) and mxid_age(datminmxid) of the database, age("
    "relfrozenxid) per table, as a share of 2^31",
    "sequences": "pg_sequences.last_value against max_value and the type of the column it "
    "feeds (identity or serial, from pg_depend)",
    "connections": "pg_stat_activity client backends by role and state, against "
    "max_connections - superuser_reserved_connections",
    "sessions": "pg_stat_activity: active longer than long_running, idle in transaction longer "
    "than idle_in_transaction, and pg_blocking_pids() for locks",
    "replication": "pg_replication_slots (WAL kept: pg_current_wal_lsn() - restart_lsn), "
    "pg_stat_replication (replay_lag)",
    "statements": "pg_stat_statements (calls, total, mean, stddev, min, max, rows) since its "
    "own reset (pg_stat_statements_info); pgvet's own queries left out",
    "latency": "pg_stat_statements keeps no percentiles: the q-th percentile is bounded from "
    "its figures by Cantelli's inequality on the calls' own mean μ and (population) standard "
    "deviation σ: at least max(min, μ - σ·√((1-q)/q)), at most min(max, μ + σ·√(q/(1-q))) "
    "(P95: μ - 0.23σ … μ + 4.36σ; P99: μ - 0.10σ … μ + 9.95σ); a bound, never a measurement",
    "sampled": "--sample: pg_stat_activity read every few ms for the window (each execution's "
    "query_id, query_start and the last read that saw it running), the calls that ended in "
    "the window from pg_stat_statements before/after; the q-th percentile is the "
    "ceil((1-q)·n)-th longest execution seen when that one is longer than the largest gap "
    "between reads (every longer one was then seen), else only 'below the largest gap'",
}


@dataclass(frozen=True)
class Server:
    database: str
    version: str
    version_num: int
    size_bytes: int
    started: datetime
    now: datetime
    stats_reset: datetime | None
    window_seconds: float
    uptime_seconds: float
    in_recovery: bool
    max_connections: int
    reserved_connections: int
    autovacuum: bool
    vacuum_threshold: float
    vacuum_scale_factor: float
    block_size: int
    blks_hit: int
    blks_read: int
    xact_commit: int
    xact_rollback: int
    deadlocks: int
    temp_bytes: int
    xid_age: int
    mxid_age: int
    cluster_xid_age: int
    extensions: dict[str, str]

    @property
    def window_days(self) -> float:
        return self.window_seconds / 86400


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    reltuples: float  # -1: never vacuumed or analyzed
    relpages: int
    heap_bytes: int
    toast_bytes: int
    index_bytes: int
    live_tuples: int
    dead_tuples: int
    seq_scan: int
    seq_tup_read: int
    idx_scan: int
    idx_tup_fetch: int
    writes: int
    mod_since_analyze: int
    last_vacuum: datetime | None
    last_autovacuum: datetime | None
    last_analyze: datetime | None
    last_autoanalyze: datetime | None
    heap_blks_hit: int
    heap_blks_read: int
    idx_blks_hit: int
    idx_blks_read: int
    xid_age: int
    mxid_age: int
    vacuum_trigger: float
    autovacuum_enabled: bool
    #: sizes from pg_table_size & co. (else relpages × block size, see SOURCES["sizes"])
    size_exact: bool = True

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def rows(self) -> int:
        """The planner's estimate, or the live-tuple counter for a never-analyzed table."""
        return int(self.reltuples) if self.reltuples >= 0 else self.live_tuples

    @property
    def total_bytes(self) -> int:
        return self.heap_bytes + self.toast_bytes + self.index_bytes

    @property
    def cache_hit_rate(self) -> float | None:
        return ratio(self.heap_blks_hit, self.heap_blks_read)

    @property
    def index_hit_rate(self) -> float | None:
        return ratio(self.idx_blks_hit, self.idx_blks_read)

    @property
    def index_usage(self) -> float | None:
        total = self.idx_scan + self.seq_scan
        return self.idx_scan / total if total else None

    @property
    def last_vacuumed(self) -> datetime | None:
        return max((t for t in (self.last_vacuum, self.last_autovacuum) if t), default=None)


@dataclass(frozen=True)
class Index:
    schema: str
    table: str
    name: str
    size_bytes: int
    reltuples: float
    relpages: int
    method: str
    scans: int
    tuples_read: int
    blks_hit: int
    blks_read: int
    unique: bool
    primary: bool
    valid: bool
    backs_constraint: bool
    expression_or_partial: bool
    columns: tuple[str, ...]
    definition: str | None
    size_exact: bool = True  # as its table's

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Bloat:
    kind: str  # "table" or "index"
    schema: str
    name: str  # table name, or index name
    size_bytes: int
    waste_bytes: int
    method: str  # "estimate", "pgstattuple_approx" or "pgstatindex"

    @property
    def percent(self) -> float:
        return 100.0 * self.waste_bytes / self.size_bytes if self.size_bytes else 0.0

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Sequence:
    schema: str
    name: str
    last_value: int | None  # None: never used, or not readable by this role
    min_value: int
    max_value: int  # the effective one: the column type's maximum if lower
    increment: int
    cycle: bool
    column: str | None  # "schema.table.column" it feeds
    column_type: str | None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def used_percent(self) -> float | None:
        if self.last_value is None or self.max_value == self.min_value:
            return None
        if self.increment > 0:
            used = self.last_value - self.min_value
        else:
            used = self.max_value - self.last_value
        return 100.0 * used / (self.max_value - self.min_value)


@dataclass(frozen=True)
class Session:
    pid: int
    role: str
    application: str
    state: str
    query_seconds: float | None
    state_seconds: float | None
    xact_seconds: float | None
    wait: str
    blocked_by: tuple[int, ...]
    blocking: bool
    query: str  # string literals masked, cut to 500 characters


@dataclass(frozen=True)
class Slot:
    name: str
    kind: str
    database: str
    active: bool
    retained_bytes: int | None
    wal_status: str | None


@dataclass(frozen=True)
class Replica:
    name: str
    address: str
    state: str
    replay_lag_seconds: float | None
    replay_lag_bytes: int | None


@dataclass(frozen=True)
class Latency:
    """Bounds of a statement's percentile from its calls' figures (see SOURCES["latency"])."""

    low: float
    high: float


@dataclass(frozen=True)
class Percentile:
    """A measured percentile: ``ms`` when the rank was resolved, else only ``below_ms``."""

    ms: float | None
    below_ms: float | None = None
    resolution_ms: float = 0.0  # ± half the gap around the execution's end

    def text(self) -> str:
        if self.ms is not None:
            return f"{self.ms:.1f}"
        return f"< {self.below_ms:.1f}" if self.below_ms is not None else "n/a"


@dataclass(frozen=True)
class Sampled:
    """One statement's executions in the window."""

    queryid: int
    calls: int  # ended in the window (pg_stat_statements)
    seen: int  # of those, seen running
    p50: Percentile
    p95: Percentile
    p99: Percentile


@dataclass(frozen=True)
class Window:
    """The watch itself: how long, how often, and the largest gap between two reads."""

    seconds: float
    reads: int
    max_gap_ms: float  # executions longer than this were all seen
    started: datetime


@dataclass(frozen=True)
class Statement:
    queryid: int
    query: str
    calls: int
    total_ms: float
    mean_ms: float
    stddev_ms: float
    min_ms: float
    max_ms: float
    rows: int
    blks_hit: int
    blks_read: int
    share: float  # of all statements' execution time
    p95: Latency
    p99: Latency
    measured: Sampled | None = None  # --sample: this statement's executions in the window


@dataclass(frozen=True)
class Growth:
    """Per-table growth from the saved history (``--save``)."""

    schema: str
    name: str
    days: float  # between the first and the last inspection used
    rows_per_day: float
    bytes_per_day: float
    days_to_rows: float | None  # until large_rows; None: not growing
    days_to_bytes: float | None  # until large_gb

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Inspection:
    server: Server
    tables: tuple[Table, ...]
    indexes: tuple[Index, ...]
    bloat: tuple[Bloat, ...]
    sequences: tuple[Sequence, ...]
    connections: dict[tuple[str, str], int]
    sessions: tuple[Session, ...]
    slots: tuple[Slot, ...]
    replicas: tuple[Replica, ...]
    statements: tuple[Statement, ...] | None  # None: pg_stat_statements not readable
    statements_reset: datetime | None = None
    #: why a kind of figure is missing or partial ("statements": "extension not installed")
    notes: dict[str, str] = field(default_factory=dict)
    growth: tuple[Growth, ...] = ()
    sampling: Window | None = None  # --sample: the watch the measured percentiles come from

    @property
    def cache_hit_rate(self) -> float | None:
        return ratio(
            sum(t.heap_blks_hit for t in self.tables), sum(t.heap_blks_read for t in self.tables)
        )

    @property
    def index_hit_rate(self) -> float | None:
        return ratio(sum(i.blks_hit for i in self.indexes), sum(i.blks_read for i in self.indexes))

    @property
    def client_connections(self) -> int:
        return sum(self.connections.values())

    @property
    def connection_limit(self) -> int:
        return self.server.max_connections - self.server.reserved_connections


def ratio(hit: int, read: int) -> float | None:
    """hit / (hit + read), or None when nothing was read at all."""
    total = hit + read
    return hit / total if total else None
