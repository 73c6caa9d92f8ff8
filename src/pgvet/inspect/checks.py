"""Thresholds → findings: each breach of an ``[inspect]`` target in the common format.

A finding of inspect names the object (``public.bookings``, ``index public.x``, ``database
postgres``), says the figure, the target and how the figure was obtained, and, where a DBA
would, proposes the SQL to run (never run by pgvet). Codes are ``H5xx`` (health).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pgvet.findings import Category, Finding, Level, sort_findings
from pgvet.inspect.bloat import bloated
from pgvet.inspect.model import WRAPAROUND, Inspection, Latency, Percentile, Statement
from pgvet.inspect.settings import InspectSettings
from pgvet.report.units import size


@dataclass(frozen=True)
class Check:
    """A kind of finding, shaped like a lint rule for the report renderers."""

    name: str
    code: str
    level: Level
    category: Category
    title: str
    doc: str


CHECKS: dict[str, Check] = {}


def _check(name: str, code: str, level: str, category: str, title: str, doc: str) -> None:
    CHECKS[name] = Check(name, code, Level(level), Category(category), title, doc)


_check(
    "cache-hit-rate",
    "H501",
    "warn",
    "performance",
    "Buffer cache hit rate below target",
    "Heap reads served from shared buffers; below target, queries wait on disk.",
)
_check(
    "index-hit-rate",
    "H502",
    "warn",
    "performance",
    "Index hit rate below target",
    "Index blocks served from shared buffers; below target, the indexes do not fit.",
)
_check(
    "seq-scan-large-table",
    "H503",
    "warn",
    "performance",
    "Sequential scans on a large table",
    "A table above seq_scan_rows read end to end: a query lacks an index.",
)
_check(
    "unused-index",
    "H504",
    "info",
    "performance",
    "Index never used",
    "No scan since the counters window began: every write maintains it for nothing.",
)
_check(
    "rarely-used-index",
    "H505",
    "info",
    "performance",
    "Index rarely used",
    "Fewer scans than rare_index_scans over the counters window.",
)
_check(
    "invalid-index",
    "H506",
    "error",
    "correctness",
    "Invalid index",
    "Left by a failed CREATE INDEX CONCURRENTLY: maintained on writes, never used.",
)
_check(
    "bloat",
    "H507",
    "warn",
    "performance",
    "Table or index bloat",
    "Space held by dead tuples and free pages: scans read it, caches hold it.",
)
_check(
    "autovacuum-behind",
    "H508",
    "warn",
    "performance",
    "Autovacuum is not keeping up",
    "Dead tuples past autovacuum's own trigger, and no vacuum since.",
)
_check(
    "autovacuum-off",
    "H509",
    "warn",
    "safety",
    "Autovacuum is off",
    "Without autovacuum, dead tuples pile up and transaction IDs are never frozen.",
)
_check(
    "wraparound",
    "H510",
    "error",
    "safety",
    "Transaction ID or multixact wraparound near",
    "At 2^31 the server stops accepting writes until a VACUUM FREEZE completes.",
)
_check(
    "sequence-exhaustion",
    "H511",
    "error",
    "correctness",
    "Sequence near its maximum",
    "nextval() fails at the maximum (of the sequence or of the column it feeds).",
)
_check(
    "connections",
    "H512",
    "warn",
    "performance",
    "Connections near max_connections",
    "New connections are refused at the limit; use the pooler.",
)
_check(
    "long-running-query",
    "H513",
    "warn",
    "performance",
    "Long-running query",
    "A query active longer than long_running holds its snapshot and locks.",
)
_check(
    "idle-in-transaction",
    "H514",
    "warn",
    "safety",
    "Idle in transaction",
    "An open transaction holds locks and stops vacuum from removing dead tuples.",
)
_check(
    "blocking-lock",
    "H515",
    "warn",
    "performance",
    "Session blocked by a lock",
    "A session waits for a lock another session holds.",
)
_check(
    "replication-slot",
    "H516",
    "warn",
    "safety",
    "Replication slot retaining WAL",
    "An inactive or lagging slot keeps WAL until the disk fills.",
)
_check(
    "latency-p95",
    "H517",
    "warn",
    "performance",
    "Statement P95 above target",
    "pg_stat_statements' figures bound the P95 (see `latency`).",
)
_check(
    "latency-p99",
    "H518",
    "warn",
    "performance",
    "Statement P99 above target",
    "pg_stat_statements' figures bound the P99 (see `latency`).",
)


def _finding(
    name: str,
    obj: str,
    message: str,
    *,
    level: Level | None = None,
    fix: str | None = None,
    detail: str = "",
    **data: object,
) -> Finding:
    c = CHECKS[name]
    return Finding(
        c.name,
        c.code,
        level or c.level,
        c.category,
        obj,
        message,
        fix=fix,
        detail=detail,
        data=dict(data),
    )


def _pct(x: float) -> str:
    return f"{x:.2f} %" if x < 99.995 else "100 %"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _hit_rates(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    db = f"database {ins.server.database}"
    window = f"over {ins.server.window_days:.1f} days of counters"
    for name, rate, target, source in (
        ("cache-hit-rate", ins.cache_hit_rate, s.cache_hit_rate, "pg_statio_user_tables"),
        ("index-hit-rate", ins.index_hit_rate, s.index_hit_rate, "pg_statio_user_indexes"),
    ):
        if rate is not None and rate * 100 < target:
            yield _finding(
                name,
                db,
                f"{_pct(rate * 100)} of blocks found in shared buffers, target "
                f"> {target:g} % ({source}, {window})",
                rate=rate,
                target=target / 100,
            )


def _scans(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    for t in ins.tables:
        if t.rows > s.seq_scan_rows and t.seq_scan > 0:
            yield _finding(
                "seq-scan-large-table",
                t.qualified,
                f"{t.seq_scan:,} sequential scans read {t.seq_tup_read:,} rows of a "
                f"~{t.rows:,}-row table (target: none above {s.seq_scan_rows:,} rows; "
                f"pg_stat_user_tables over {ins.server.window_days:.1f} days)",
                seq_scan=t.seq_scan,
                seq_tup_read=t.seq_tup_read,
                rows=t.rows,
            )


def _indexes(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    days = ins.server.window_days
    window = (
        f"since {ins.server.stats_reset or ins.server.started:%Y-%m-%d %H:%M} ({days:.1f} days;"
        " a replica keeps its own counters)"
    )
    enough = days >= s.unused_index_min_days
    for i in ins.indexes:
        if not i.valid:
            fix = f"drop index concurrently {i.qualified};" + (
                f"\n{i.definition.replace(' INDEX ', ' INDEX CONCURRENTLY ', 1)};"
                if i.definition
                else ""
            )
            yield _finding(
                "invalid-index",
                f"index {i.qualified}",
                f"invalid index on {i.schema}.{i.table} ({size(i.size_bytes)}): maintained "
                "on every write, never used by a query (pg_index.indisvalid)",
                fix=fix,
                size_bytes=i.size_bytes,
            )
            continue
        if i.unique or i.primary or i.backs_constraint or not enough:
            continue
        if i.scans == 0:
            yield _finding(
                "unused-index",
                f"index {i.qualified}",
                f"no scan {window}; {size(i.size_bytes)} maintained on every write",
                fix=f"drop index concurrently {i.qualified};",
                size_bytes=i.size_bytes,
            )
        elif i.scans < s.rare_index_scans:
            yield _finding(
                "rarely-used-index",
                f"index {i.qualified}",
                f"{i.scans} scans {window}; {size(i.size_bytes)}",
                scans=i.scans,
                size_bytes=i.size_bytes,
            )


def _bloat(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    for b in ins.bloat:
        if not bloated(b, s):
            continue
        how = "estimated" if b.method == "estimate" else f"measured with {b.method}"
        fix = (
            f"vacuum (analyze) {b.qualified};  -- frees space for reuse; to return it to the "
            "system use pg_repack (no long lock) or VACUUM FULL (ACCESS EXCLUSIVE)"
            if b.kind == "table"
            else f"reindex index concurrently {b.qualified};"
        )
        obj = b.qualified if b.kind == "table" else f"index {b.qualified}"
        yield _finding(
            "bloat",
            obj,
            f"{size(b.waste_bytes)} of {size(b.size_bytes)} wasted ({b.percent:.0f} %, {how})",
            fix=fix,
            waste_bytes=b.waste_bytes,
            size_bytes=b.size_bytes,
            method=b.method,
        )


def _vacuum(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    if not ins.server.autovacuum:
        yield _finding(
            "autovacuum-off",
            f"database {ins.server.database}",
            "autovacuum = off: dead tuples are never cleaned up and tables never frozen",
            fix="alter system set autovacuum = on; select pg_reload_conf();",
        )
    for t in ins.tables:
        if t.dead_tuples > max(t.vacuum_trigger, 1000) and (
            t.last_vacuumed is None or (ins.server.now - t.last_vacuumed).total_seconds() > 3600
        ):
            since = (
                f"last vacuum {t.last_vacuumed:%Y-%m-%d %H:%M}"
                if t.last_vacuumed
                else "never vacuumed since the counters began"
            )
            off = "" if t.autovacuum_enabled else "; autovacuum is off for it"
            yield _finding(
                "autovacuum-behind",
                t.qualified,
                f"{t.dead_tuples:,} dead tuples, past autovacuum's trigger of "
                f"{t.vacuum_trigger:,.0f}; {since}{off}",
                fix=f"vacuum (analyze) {t.qualified};",
                dead_tuples=t.dead_tuples,
                trigger=t.vacuum_trigger,
            )


def _wraparound(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    db = f"database {ins.server.database}"
    for what, age in (("transaction ID", ins.server.xid_age), ("multixact", ins.server.mxid_age)):
        share = 100 * age / WRAPAROUND
        if share >= s.wraparound_percent:
            oldest = sorted(
                ins.tables,
                key=lambda t: -(t.xid_age if what == "transaction ID" else t.mxid_age),
            )[:3]
            yield _finding(
                "wraparound",
                db,
                f"{what} age {age:,} is {share:.2f} % of the way to wraparound (2^31); "
                f"oldest tables: {', '.join(t.qualified for t in oldest)}",
                detail=what,
                fix="\n".join(f"vacuum (freeze) {t.qualified};" for t in oldest),
                age=age,
                percent=share,
            )


def _sequences(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    for q in ins.sequences:
        used = q.used_percent
        if used is None or used < s.sequence_percent or q.cycle:
            continue
        feeds = f", feeding {q.column} ({q.column_type})" if q.column else ""
        fix = (
            f"alter table {q.column.rsplit('.', 1)[0]} alter column "
            f"{q.column.rsplit('.', 1)[1]} type bigint;  -- rewrites the table: plan it"
            if q.column and q.column_type in ("smallint", "integer")
            else None
        )
        yield _finding(
            "sequence-exhaustion",
            f"sequence {q.qualified}",
            f"{used:.1f} % used: {q.last_value:,} of {q.max_value:,}{feeds}",
            fix=fix,
            last_value=q.last_value,
            max_value=q.max_value,
            percent=used,
        )


def _activity(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    used, limit = ins.client_connections, ins.connection_limit
    if limit > 0 and 100 * used / limit >= s.connections_percent:
        yield _finding(
            "connections",
            f"database {ins.server.database}",
            f"{used} client connections of {limit} available (max_connections "
            f"{ins.server.max_connections} - {ins.server.reserved_connections} reserved)",
            used=used,
            limit=limit,
        )
    for x in ins.sessions:
        obj = f"session {x.pid}"
        who = f"{x.role or '?'}" + (f" ({x.application})" if x.application else "")
        if x.state == "active" and (x.query_seconds or 0) > s.long_running:
            yield _finding(
                "long-running-query",
                obj,
                f"{who} active for {_duration(x.query_seconds or 0)}: {x.query[:120]}",
                fix=f"select pg_cancel_backend({x.pid});",
                seconds=x.query_seconds,
            )
        if (
            x.state.startswith("idle in transaction")
            and (x.state_seconds or 0) > s.idle_in_transaction
        ):
            yield _finding(
                "idle-in-transaction",
                obj,
                f"{who} idle in transaction for {_duration(x.state_seconds or 0)}; "
                f"last query: {x.query[:120]}",
                fix=f"select pg_terminate_backend({x.pid});",
                seconds=x.state_seconds,
            )
        if x.blocked_by:
            yield _finding(
                "blocking-lock",
                obj,
                f"{who} waiting ({x.wait or 'lock'}) for "
                f"{_duration(x.state_seconds or 0)} on session(s) "
                f"{', '.join(map(str, x.blocked_by))}: {x.query[:120]}",
                blocked_by=list(x.blocked_by),
            )


def _replication(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    for slot in ins.slots:
        kept = slot.retained_bytes or 0
        over = kept >= s.slot_retained_mb * 2**20
        if slot.active and not over:
            continue
        state = "inactive" if not slot.active else "active"
        yield _finding(
            "replication-slot",
            f"replication slot {slot.name}",
            f"{state} {slot.kind} slot keeps {size(kept)} of WAL"
            + (f" (wal_status {slot.wal_status})" if slot.wal_status else ""),
            level=Level.error if over else None,
            fix=f"select pg_drop_replication_slot('{slot.name}');  -- if its consumer is gone",
            retained_bytes=kept,
            active=slot.active,
        )


def _latency(ins: Inspection, s: InspectSettings) -> Iterator[Finding]:
    for st in ins.statements or ():
        for name, label, attr, target in (
            ("latency-p95", "P95", "p95", s.p95_ms),
            ("latency-p99", "P99", "p99", s.p99_ms),
        ):
            measured = getattr(st.measured, attr) if st.measured else None
            if measured is not None and (measured.ms is not None or measured.below_ms is not None):
                yield from _measured_latency(ins, st, name, label, measured, target)
            else:
                yield from _bounded_latency(st, name, label, getattr(st, attr), target)


def _measured_latency(
    ins: Inspection, st: Statement, name: str, label: str, p: Percentile, target: float
) -> Iterator[Finding]:
    """A percentile pgvet measured (``--sample``): above the target or not, for certain."""
    if p.ms is None or p.ms <= target:  # measured, or known to be below the largest gap
        return
    m, window = st.measured, ins.sampling
    assert m is not None and window is not None
    yield _finding(
        name,
        f"statement {st.queryid}",
        f"{label} above {target:g} ms: {p.ms:.1f} ms ±{p.resolution_ms:.1f} measured over "
        f"{m.calls:,} calls in a {window.seconds:.0f} s watch ({m.seen:,} seen running): "
        f"{' '.join(st.query.split())[:120]}",
        measured_ms=p.ms,
        calls=m.calls,
        certain=True,
    )


def _bounded_latency(
    st: Statement, name: str, label: str, bound: Latency, target: float
) -> Iterator[Finding]:
    """A percentile bounded from pg_stat_statements' figures: above for certain, possibly
    above (info), or below for certain (nothing)."""
    if bound.high <= target:
        return
    certain = bound.low > target
    verdict = "above" if certain else "possibly above"
    yield _finding(
        name,
        f"statement {st.queryid}",
        f"{label} {verdict} {target:g} ms: between {bound.low:.1f} and "
        f"{bound.high:.1f} ms (bounds from {st.calls:,} calls: mean {st.mean_ms:.1f}, "
        f"stddev {st.stddev_ms:.1f}, min {st.min_ms:.1f}, max {st.max_ms:.1f} ms; "
        f"--sample measures it): {' '.join(st.query.split())[:120]}",
        level=None if certain else Level.info,
        low_ms=bound.low,
        high_ms=bound.high,
        certain=certain,
    )


CHECKERS: tuple[Callable[[Inspection, InspectSettings], Iterator[Finding]], ...] = (
    _hit_rates,
    _scans,
    _indexes,
    _bloat,
    _vacuum,
    _wraparound,
    _sequences,
    _activity,
    _replication,
    _latency,
)


def check(ins: Inspection, settings: InspectSettings) -> list[Finding]:
    """Every breach of the thresholds, sorted like lint's findings."""
    return sort_findings(f for checker in CHECKERS for f in checker(ins, settings))
