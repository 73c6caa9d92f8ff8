"""Run the workload: every query N times at concurrency C, as its persona, RLS on.

Each worker thread has its own connection as the project's role (``postgres``, as the API's
authenticator would be), and each execution is one rolled-back transaction that switches
to the persona the way PostgREST does (:func:`pgvet.rls.acting.set_persona`); only the
query's own execute-and-fetch is timed, after one untimed run of every query on each
connection (a cold cache is not what the API sees). The percentiles are nearest-rank over those real
timings, so P50 ≤ P95 ≤ P99 always holds. The plan is read once per query with EXPLAIN
(ANALYZE, FORMAT JSON), as the same persona with the same kind of parameters.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pgvet.catalog.model import Catalog
from pgvet.config import Config
from pgvet.rls.acting import set_persona
from pgvet.workload.params import Drawer
from pgvet.workload.personas import Acting, personas_for
from pgvet.workload.plans import PlanFacts, read_plan
from pgvet.workload.source import Workload


@dataclass
class QueryRun:
    """One query's timings (ms), plan and whom it ran as."""

    name: str
    persona: str
    acting_as: str
    params: dict[str, Any]
    drawn: list[str]
    timings: list[float] = field(default_factory=list)
    rows: int = 0
    error: str | None = None
    plan: PlanFacts | None = None

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile of the timings (None when nothing ran)."""
        if not self.timings:
            return None
        ordered = sorted(self.timings)
        return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass
class WorkloadRun:
    iterations: int
    concurrency: int
    queries: list[QueryRun]
    seconds: float


@dataclass(frozen=True)
class Prepared:
    """A query ready to run: its text, its persona and its parameter drawer."""

    name: str
    text: str
    acting: Acting
    drawer: Drawer


def prepare(
    conn: psycopg.Connection, catalog: Catalog, config: Config, workload: Workload
) -> list[Prepared]:
    """Resolve every persona and read every parameter pool once, on ``conn``'s data."""
    actings = personas_for(conn, catalog, config, {q.persona for q in workload.queries})
    out = []
    for number, query in enumerate(workload.queries):
        acting = actings[query.persona]
        drawer = Drawer(
            conn,
            catalog,
            query.text,
            workload.defaults,
            acting.tenant,
            acting.tenant_column,
            seed=number,
        )
        out.append(Prepared(query.name, query.text, acting, drawer))
    return out


def run_workload(
    connect: Callable[[], psycopg.Connection],
    prepared: list[Prepared],
    *,
    iterations: int,
    concurrency: int,
    console: Console | None = None,
    label: str = "workload",
) -> WorkloadRun:
    """Time every query ``iterations`` times on ``concurrency`` threads, then explain each."""
    runs = [
        QueryRun(
            p.name,
            p.acting.persona.name,
            p.acting.persona.summary(),
            p.drawer.draw(),
            p.drawer.drawn(),
        )
        for p in prepared
    ]
    tasks = [(i, p) for _ in range(iterations) for i, p in enumerate(prepared)]
    local = threading.local()
    opened: list[psycopg.Connection] = []
    lock = threading.Lock()

    def one(index: int, item: Prepared) -> tuple[int, float | None, int, str | None]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect()
            with lock:
                opened.append(conn)
                warm = [(p, p.drawer.draw()) for p in prepared]
            for query, params in warm:  # caches, catalog lookups: not what is measured
                _timed(conn, query, params)
        with lock:
            params = item.drawer.draw()
        return (index, *_timed(conn, item, params))

    started = time.perf_counter()
    try:
        with (
            _progress(console, len(tasks), label) as advance,
            ThreadPoolExecutor(max(concurrency, 1)) as pool,
        ):
            for future in as_completed([pool.submit(one, i, p) for i, p in tasks]):
                index, ms, rows, error = future.result()
                run = runs[index]
                if ms is not None:
                    run.timings.append(ms)
                    run.rows = rows
                elif run.error is None:
                    run.error = error
                advance()
    finally:
        for conn in opened:
            conn.close()
    seconds = time.perf_counter() - started
    with connect() as conn:
        for run, item in zip(runs, prepared, strict=True):
            if run.error is None:
                run.plan = explain(conn, item, run.params)
    return WorkloadRun(iterations, concurrency, runs, seconds)


def _timed(
    conn: psycopg.Connection, item: Prepared, params: dict[str, Any]
) -> tuple[float | None, int, str | None]:
    try:
        with conn.transaction(force_rollback=True):
            set_persona(conn, item.acting.persona)
            with conn.cursor() as cur:
                started = time.perf_counter()
                cur.execute(item.text, params)  # type: ignore[arg-type]
                rows = len(cur.fetchall()) if cur.description else cur.rowcount
                return (time.perf_counter() - started) * 1000, rows, None
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        code = f"{exc.sqlstate}: " if exc.sqlstate else ""
        return None, 0, code + message


def explain(conn: psycopg.Connection, item: Prepared, params: dict[str, Any]) -> PlanFacts | None:
    """The query's plan, run once as its persona (None when EXPLAIN fails)."""
    try:
        with conn.transaction(force_rollback=True):
            set_persona(conn, item.acting.persona)
            row = conn.execute(
                "explain (analyze, format json) " + item.text,
                params,  # type: ignore[arg-type]
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    document = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    return read_plan(document)


@contextmanager
def _progress(console: Console | None, total: int, label: str) -> Iterator[Callable[[], None]]:
    if console is None:
        yield lambda: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda: progress.advance(task)
