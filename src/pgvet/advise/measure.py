"""Build a candidate for real and measure it: its size, its write cost and the workload.

Write cost is the insert throughput of a fixed batch of the table's own rows into a
temporary copy that has the table's indexes (``like … including indexes``), with and
without the candidate, in a rolled-back transaction: the same rows, the same other indexes,
only the candidate differs. One untimed run to warm the cache, then five, the median kept.

On a shared machine the load drifts over minutes, so each candidate is measured paired: the
queries it may serve (those whose hypothetical plan used it; all of them when unscreened)
run right before it is built and again right after, and only that pair is compared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from pgvet.advise.candidates import Candidate
from pgvet.analysis.sql.quote import ident
from pgvet.workload.run import Prepared, WorkloadRun, run_workload

WRITE_BATCH = 10_000
WRITE_RUNS = 5


@dataclass
class Measured:
    """One candidate built alone: size, insert rows/s without and with it, the workload."""

    candidate: Candidate
    size_bytes: int
    inserts_before: float
    inserts_after: float
    baseline: WorkloadRun
    run: WorkloadRun
    used_by: list[str]

    @property
    def write_cost_pct(self) -> float:
        """How much slower inserts into the table got, in % (negative: noise)."""
        if not self.inserts_before:
            return 0.0
        return (self.inserts_before - self.inserts_after) / self.inserts_before * 100


def insert_rate(admin: psycopg.Connection, schema: str, table: str) -> float:
    """Rows/s of a fixed batch of the table's rows into a copy with its current indexes."""
    name = f"{ident(schema)}.{ident(table)}"
    rates = []
    for _ in range(WRITE_RUNS + 1):
        with admin.transaction(force_rollback=True):
            admin.execute(f"create temp table pgvet_write (like {name} including indexes)")
            started = time.perf_counter()
            cur = admin.execute(f"insert into pgvet_write select * from {name} limit {WRITE_BATCH}")
            spent = time.perf_counter() - started
            rates.append(cur.rowcount / spent if spent else 0.0)
    return statistics.median(rates[1:])


def index_size(admin: psycopg.Connection, schema: str, name: str) -> int:
    row = admin.execute(
        "select coalesce(pg_relation_size(to_regclass(format('%%I.%%I', %s::text, %s::text))), 0)",
        (schema, name),
    ).fetchone()
    return int(row[0]) if row else 0


def measure(
    admin: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    candidate: Candidate,
    prepared: list[Prepared],
    *,
    iterations: int,
    concurrency: int,
    console=None,
) -> Measured:
    """Time ``prepared`` without ``candidate``, build it, measure everything, drop it."""
    baseline = run_workload(
        connect,
        prepared,
        iterations=iterations,
        concurrency=concurrency,
        console=console,
        label=f"without {candidate.name}",
    )
    before = insert_rate(admin, candidate.schema, candidate.table)
    admin.execute(candidate.sql)
    try:
        admin.execute(f"analyze {ident(candidate.schema)}.{ident(candidate.table)}")
        size = index_size(admin, candidate.schema, candidate.name)
        after = insert_rate(admin, candidate.schema, candidate.table)
        run = run_workload(
            connect,
            prepared,
            iterations=iterations,
            concurrency=concurrency,
            console=console,
            label=f"with {candidate.name}",
        )
    finally:
        admin.execute(f"drop index if exists {ident(candidate.schema)}.{ident(candidate.name)}")
    used = [q.name for q in run.queries if q.plan and candidate.name in q.plan.indexes]
    return Measured(candidate, size, before, after, baseline, run, used)
