"""Benchmark: ``pgvet inspect`` of the 5,000-table synthetic database (named inspect_db.py:
an ``inspect.py`` here would shadow the standard library for every script in bench/).

The database is bench/lint.py's generated multi-tenant schema (N tables, default 5,000,
each with 3 indexes and 2 policies; 50 modules), created on a real sandbox server with
pg_stat_statements preloaded, then analyzed and given some statistics (every table read
once by primary key). It prints the median of several runs of:
  * read    — ``read_inspection(conn, settings)``: every query of inspect, one transaction,
              in a fresh session (as the command: the server's relation cache is cold);
  * floor   — the same queries, as read recorded them, run again in a fresh session under
              ``EXPLAIN (ANALYZE, TIMING OFF)``: the server's own execution time, what no
              client-side work can go below;
  * check   — the findings from the figures; json — the JSON document, rendered;
  * command — the whole ``pgvet inspect --db … -f json`` process (start-up included), wall
              clock and the process's CPU time;
the ratio command / floor, the load average (the machine is shared: wall-clock figures
move with it), and whether the goal holds: the 5,000-table database inspected in under 3 s
by the command (exit status 1 when it does not).

Usage: python bench/inspect_db.py [--runs 3] [--tables 5000] [--pg-version 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint import GOAL_TABLES, generated_batches, table_name

from pgvet.inspect import jsondoc, queries
from pgvet.inspect.checks import check
from pgvet.inspect.read import read_inspection
from pgvet.inspect.settings import InspectSettings
from pgvet.sandbox import binaries, cluster

GOAL_SECONDS = 3.0


class Recorder:
    """A connection that remembers every query run through it (read_inspection's)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.queries: list[tuple[Any, Any]] = []

    def execute(self, query: Any, params: Any = None) -> psycopg.Cursor:
        self.queries.append((query, params))
        return self.conn.execute(query, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a local process, from /proc: unlike wall-clock time, it
    does not grow with the other jobs of a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def floor(server: cluster.Server, recorded: list[tuple[Any, Any]]) -> tuple[float, float]:
    """Server execution time of the recorded queries in a fresh read-only transaction, and
    the CPU time its backend spent on them."""
    total = 0.0
    with server.connect() as conn, conn.transaction():
        pid = conn.info.backend_pid
        conn.execute("set transaction read only")
        conn.execute(queries.SESSION)
        cpu = _cpu_seconds(pid)
        for query, params in recorded:
            text = query if isinstance(query, str) else query.as_string(conn)
            if queries.TAG not in text or text == queries.SESSION:
                continue  # the transaction's own settings, made above
            (plan,) = conn.execute(
                f"explain (analyze, timing off, format json) {text}".encode(), params
            ).fetchone()
            total += plan[0]["Execution Time"] / 1000
        return total, _cpu_seconds(pid) - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tables", type=int, default=GOAL_TABLES)
    parser.add_argument("--pg-version", type=int, default=15)
    args = parser.parse_args()
    installation, warning = binaries.choose(args.pg_version)
    if warning:
        print("warning:", warning)
    prepared = cluster.prepare(installation)
    settings = {
        "shared_preload_libraries": "pg_stat_statements",
        "max_locks_per_transaction": "256",
    }
    print(f"inspect of a generated database: {args.tables:,} tables on {installation.label}")
    with cluster.sandbox(prepared, settings) as server, server.connect() as conn:
        started = time.perf_counter()
        for batch in generated_batches(args.tables):
            conn.execute(batch.encode())
        for i in range(args.tables):
            conn.execute(f"select * from public.{table_name(i)} where id = gen_random_uuid()")
        conn.execute("analyze")
        print(f"  created, read and analyzed in {time.perf_counter() - started:.1f} s")
        reads, floors, server_cpus, checks, renders, ins = [], [], [], [], [], None
        for _ in range(args.runs):
            with server.connect() as fresh:
                recorder = Recorder(fresh)
                t0 = time.perf_counter()
                ins = read_inspection(recorder, InspectSettings())  # type: ignore[arg-type]
                t1 = time.perf_counter()
            findings = check(ins, InspectSettings())
            t2 = time.perf_counter()
            jsondoc.dumps(jsondoc.inspection_doc(ins, findings, InspectSettings(), "bench"))
            renders.append(time.perf_counter() - t2)
            checks.append(t2 - t1)
            reads.append(t1 - t0)
            executed, server_cpu = floor(server, recorder.queries)
            floors.append(executed)
            server_cpus.append(server_cpu)
        assert ins is not None
        commands, cpus = [], []
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pgvet",
                    "inspect",
                    "--db",
                    server.conninfo(),
                    "-f",
                    "json",
                    "--fail-on",
                    "never",
                ],
                capture_output=True,
                check=False,
            )
            commands.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                sys.exit(done.stderr.decode(errors="replace"))
    read_s, floor_s, server_cpu_s, check_s, render_s, command_s, cpu_s = map(
        statistics.median, (reads, floors, server_cpus, checks, renders, commands, cpus)
    )
    print(
        f"  figures: {len(ins.tables):,} tables, {len(ins.indexes):,} indexes, "
        f"{len(ins.sequences):,} sequences, {len(ins.statements or ()):,} statements; "
        f"{len(findings):,} findings"
    )
    print(f"  read:    {read_s:.2f} s (median of {args.runs}, fresh session)")
    print(
        f"  floor:   {floor_s:.2f} s (the same queries' server execution time, fresh session; "
        f"{server_cpu_s:.2f} s of server CPU)"
    )
    print(f"  check:   {check_s:.3f} s")
    print(f"  json:    {render_s:.2f} s (document and text)")
    print(
        f"  command: {command_s:.2f} s (whole process, JSON output; {cpu_s:.2f} s of CPU); "
        f"command / floor = {command_s / floor_s:.1f}"
    )
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2-core machine)")
    goal = f"{GOAL_TABLES:,}-table database inspected in under {GOAL_SECONDS:.0f} s"
    if args.tables < GOAL_TABLES:
        print(f"  goal ({goal}): not judged at {args.tables:,} tables")
        return
    ok = command_s < GOAL_SECONDS
    print(f"  goal ({goal}): {'PASS' if ok else 'FAIL'} ({command_s:.2f} s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
