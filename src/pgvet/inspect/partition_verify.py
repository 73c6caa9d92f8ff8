"""Run a generated partitioning on a sandbox and prove it: same rows, same answers, timings.

The three steps run as a deployment would run them (prepare and swap as migrations, as
the project role; the backfill outside a transaction) while another session keeps writing
to the table — inserts, updates that move rows between partitions, deletes — so the
forward trigger and the swap's reconciliation are exercised, not assumed. Afterwards the
new table and the old one (kept as ``…_unpartitioned``) must hold exactly the same rows
(count and an order-independent hash of every row), and each check query must return the
same rows from both; its time on each, and how many partitions the new plan reads, are
measured (median of several interleaved runs).

The check queries are the shapes that partitioning is for: for a time key, the last 30
days and one calendar month; for a tenant key, the busiest tenant's rows; for both, a
lookup by primary key — which reads every partition when the key is not in it, and the
report shows that cost too.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgvet.analysis.sql.quote import ident, qualified
from pgvet.inspect.partition_shape import TableShape
from pgvet.inspect.partition_sql import Partitioning

RUNS = 5
WRITE_BATCH = 20


@dataclass(frozen=True)
class QueryCheck:
    label: str
    sql: str  # on the new table
    same_rows: bool
    rows: int
    old_ms: float
    new_ms: float
    partitions_read: int | None  # of the new table's partitions, in the plan
    partitions: int


@dataclass
class Writes:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verification:
    table: str
    rows_before: int
    rows_after: int
    rows_old: int
    same_content: bool
    writes: Writes
    prepare_s: float
    backfill_s: float
    swap_s: float
    queries: tuple[QueryCheck, ...]
    error: str | None = None  # a step failed: what PostgreSQL said

    @property
    def ok(self) -> bool:
        return (
            self.error is None
            and self.same_content
            and self.rows_after == self.rows_old
            and all(q.same_rows for q in self.queries)
        )


def verify(server: Any, p: Partitioning) -> Verification:
    """Run ``p`` on ``server`` (a sandbox holding the table with data) and check it."""
    shape = p.shape
    table = qualified(p.schema, p.table)
    with server.connect() as conn:
        conn.autocommit = True
        before = conn.execute(sql.SQL("select count(*) from {}").format(_rel(p))).fetchone()[0]
        timings: dict[str, float] = {}
        writes = Writes()
        try:
            _step(conn, "prepare", p.prepare, timings, transaction=True)
            stop = threading.Event()
            writer = threading.Thread(target=_write, args=(server, p, shape, stop, writes))
            writer.start()
            try:
                time.sleep(0.05)
                _step(conn, "backfill", p.backfill, timings, transaction=False)
            finally:
                stop.set()
                writer.join(60)
            _step(conn, "swap", p.swap, timings, transaction=True)
        except psycopg.Error as exc:
            return Verification(
                table, before, 0, 0, False, writes, *_times(timings), (), _error(exc)
            )
        old = qualified(p.schema, _old(p))
        cols = ", ".join(ident(c.name) for c in shape.columns)
        new_sum = _content(conn, table, cols)
        old_sum = _content(conn, old, cols)
        queries = tuple(_queries(conn, p, shape, table, old))
    return Verification(
        table,
        before,
        new_sum[0],
        old_sum[0],
        new_sum == old_sum,
        writes,
        *_times(timings),
        queries,
    )


def _rel(p: Partitioning) -> sql.Composable:
    return sql.Identifier(p.schema, p.table)


def _old(p: Partitioning) -> str:
    return (p.table[: 63 - len("_unpartitioned")]) + "_unpartitioned"


def _times(t: dict[str, float]) -> tuple[float, float, float]:
    return t.get("prepare", 0.0), t.get("backfill", 0.0), t.get("swap", 0.0)


def _error(exc: psycopg.Error) -> str:
    d = exc.diag
    return f"{d.sqlstate}: {d.message_primary}" + (f" ({d.context.strip()})" if d.context else "")


def _step(
    conn: psycopg.Connection, name: str, text: str, timings: dict[str, float], *, transaction: bool
) -> None:
    started = time.perf_counter()
    if transaction:
        with conn.transaction():
            conn.execute(text.encode())
    else:
        conn.execute(text.encode())
    timings[name] = time.perf_counter() - started


def _content(conn: psycopg.Connection, rel: str, cols: str) -> tuple[int, int]:
    row = conn.execute(
        f"select count(*), coalesce(sum(hashtextextended(x::text, 0)), 0) "
        f"from (select {cols} from {rel}) x"
    ).fetchone()
    return int(row[0]), int(row[1])


def _write(
    server: Any, p: Partitioning, shape: TableShape, stop: threading.Event, writes: Writes
) -> None:
    """Writes through the old table while the backfill runs, one row per transaction (as
    an API does), round after round until the backfill is done (at least one round):
    inserts, updates (a time key moved by 32 days: the row changes partition), deletes."""
    table = qualified(p.schema, p.table)
    pk = [ident(c) for c in shape.primary_key]
    key = ident(p.key)
    auto = {c.name for c in shape.columns if c.generated or c.identity == "a"}
    has_default = {c.name for c in shape.columns if c.has_default or c.identity}
    kinds = ["updated", "deleted"]
    if all(c in has_default or c in auto for c in shape.primary_key):
        kinds.insert(0, "inserted")
    names = ", ".join(
        ident(c.name)
        for c in shape.columns
        if c.name not in auto and not (c.name in shape.primary_key and c.name in has_default)
    )
    moved = f"{key} = {key} + interval '32 days'" if p.kind == "time" else f"{key} = {key}"
    where = " and ".join(f"{c} = %s" for c in pk)
    text = {
        "inserted": f"insert into {table} ({names}) select {names} from {table} where {where}",
        "updated": f"update {table} set {moved} where {where}",
        "deleted": f"delete from {table} where {where}",
    }
    with server.connect() as conn:
        conn.autocommit = True
        first = True
        while first or not stop.is_set():
            first = False
            rows = conn.execute(
                f"select {', '.join(pk)} from {table} order by random() limit {3 * WRITE_BATCH}"
            ).fetchall()
            for i, row in enumerate(rows):
                kind = kinds[i % len(kinds)] if kinds else None
                if kind is None:
                    return
                try:
                    n = conn.execute(text[kind], row).rowcount
                except psycopg.Error as exc:
                    writes.skipped.append(f"{kind}: {_error(exc)}")
                    kinds.remove(kind)
                    continue
                setattr(writes, kind, getattr(writes, kind) + max(n, 0))


def _queries(
    conn: psycopg.Connection, p: Partitioning, shape: TableShape, table: str, old: str
) -> list[QueryCheck]:
    key = ident(p.key)
    pk = ", ".join(ident(c) for c in shape.primary_key)
    checks: list[tuple[str, str]] = []
    if p.kind == "time":
        checks.append(
            (
                "last 30 days",
                f"select count(*) from {{t}} where {key} >= now() - interval '30 days'",
            )
        )
        middle = conn.execute(
            f"select date_trunc('month', percentile_disc(0.5) within group (order by {key}))"
            f" from {table}"
        ).fetchone()[0]
        if middle is not None:
            checks.append(
                (
                    f"one month ({middle:%Y-%m})",
                    f"select count(*), max({key}) from {{t}} where {key} >= '{middle:%Y-%m-%d}' "
                    f"and {key} < '{middle:%Y-%m-%d}'::timestamptz + interval '1 month'",
                )
            )
    else:
        busiest = conn.execute(
            f"select {key} from {table} group by 1 order by count(*) desc limit 1"
        ).fetchone()
        if busiest is not None and busiest[0] is not None:
            value = conn.execute("select quote_literal(%s::text)", (str(busiest[0]),)).fetchone()
            checks.append(
                ("busiest tenant", f"select count(*) from {{t}} where {key} = {value[0]}")
            )
    one = conn.execute(f"select ({pk}) from {table} limit 1").fetchone()
    if one is not None:
        literal = conn.execute("select quote_literal(%s::text)", (str(one[0]),)).fetchone()[0]
        if len(shape.primary_key) == 1:
            checks.append(("by primary key", f"select * from {{t}} where {pk} = {literal}"))
    partitions = conn.execute(
        "select count(*) from pg_inherits where inhparent = %s::regclass", (table,)
    ).fetchone()[0]
    return [_measure(conn, label, text, table, old, partitions) for label, text in checks]


def _measure(
    conn: psycopg.Connection, label: str, text: str, table: str, old: str, partitions: int
) -> QueryCheck:
    new_sql, old_sql = text.format(t=table), text.format(t=old)
    new_rows = sorted(map(repr, conn.execute(new_sql).fetchall()))
    old_rows = sorted(map(repr, conn.execute(old_sql).fetchall()))
    new_ms, old_ms = [], []
    for _ in range(RUNS):
        for target, out in ((old_sql, old_ms), (new_sql, new_ms)):
            started = time.perf_counter()
            conn.execute(target).fetchall()
            out.append(1000 * (time.perf_counter() - started))
    plan = conn.execute(f"explain (format json) {new_sql}").fetchone()[0]
    read = {n for n in _relations(plan) if n != table.split(".")[-1]}
    return QueryCheck(
        label,
        new_sql,
        new_rows == old_rows,
        len(new_rows),
        statistics.median(old_ms),
        statistics.median(new_ms),
        len(read),
        partitions,
    )


def _relations(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_relations(n) for n in node)) if node else set()
    if isinstance(node, dict):
        found = {node["Relation Name"]} if "Relation Name" in node else set()
        return found.union(*(_relations(v) for v in node.values()))
    return set()
