"""Benchmark: ``pgvet inspect`` of the 5,000-table synthetic database (named inspect_db.py:
an ``inspect.py`` here would shadow the standard library for every script in bench/).

The database is bench/lint.py's generated multi-tenant schema (N tables, default 5,000,
each with 3 indexes and 2 policies; 50 modules), created on a real sandbox server with
pg_stat_statements preloaded, then analyzed and given some statistics (every table read
once by primary key). It prints the median of several runs of:
  * read    — ``read_inspection(conn, settings)``: every query of inspect, one transaction;
  * check   — the findings from the figures;
  * command — the whole ``pgvet inspect --db … -f json`` process (start-up included);
and whether the goal holds: the 5,000-table database inspected in under 3 s by the command
(exit status 1 when it does not).

Usage: python bench/inspect_db.py [--runs 3] [--tables 5000] [--pg-version 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint import GOAL_TABLES, generated_batches, table_name

from pgvet.inspect.checks import check
from pgvet.inspect.read import read_inspection
from pgvet.inspect.settings import InspectSettings
from pgvet.sandbox import binaries, cluster

GOAL_SECONDS = 3.0


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
        reads, checks, ins = [], [], None
        for _ in range(args.runs):
            t0 = time.perf_counter()
            ins = read_inspection(conn, InspectSettings())
            t1 = time.perf_counter()
            findings = check(ins, InspectSettings())
            checks.append(time.perf_counter() - t1)
            reads.append(t1 - t0)
        assert ins is not None
        commands = []
        for _ in range(args.runs):
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
            if done.returncode != 0:
                sys.exit(done.stderr.decode(errors="replace"))
    read_s, check_s, command_s = map(statistics.median, (reads, checks, commands))
    print(
        f"  figures: {len(ins.tables):,} tables, {len(ins.indexes):,} indexes, "
        f"{len(ins.sequences):,} sequences, {len(ins.statements or ()):,} statements; "
        f"{len(findings):,} findings"
    )
    print(f"  read:    {read_s:.2f} s (median of {args.runs})")
    print(f"  check:   {check_s:.3f} s")
    print(f"  command: {command_s:.2f} s (whole process, JSON output)")
    goal = f"{GOAL_TABLES:,}-table database inspected in under {GOAL_SECONDS:.0f} s"
    if args.tables < GOAL_TABLES:
        print(f"  goal ({goal}): not judged at {args.tables:,} tables")
        return
    ok = command_s < GOAL_SECONDS
    print(f"  goal ({goal}): {'PASS' if ok else 'FAIL'} ({command_s:.2f} s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
