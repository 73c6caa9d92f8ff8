"""Benchmark: `pgvet backup verify` of a 1M-row clinic dump against plain pg_restore.

The clinic example (migrations and seed) is replayed into a sandbox and grown to about a
million rows (plain `insert … select generate_series` into two of its big tables), then
dumped with pg_dump -Fc. Each run measures, on fresh sandboxes of the same server:
  * floor — `pg_restore` of that dump into an empty database: PostgreSQL's own restore;
  * pgvet — `backup verify DUMP --against SOURCE --superuser --empty-target`, the whole
            thing: sandbox start, the same pg_restore, both snapshots (catalog, counts,
            content hashes of every table), the comparison;
and prints the medians and the ratio pgvet / floor (goal ≤ 1.5).

Usage: python bench/backup.py [--runs 3] [--rows 1000000] [--pg-version 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pgvet.backup.verify import VerifyRequest, verify_backup
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.sandbox import cluster

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "clinic"
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
GROW = """
set session_replication_role = replica;
insert into public.customer_notes (clinic_id, customer_id, note_type, content)
select c.clinic_id, c.id, 'general', 'note ' || g || ' about skin care and follow-up'
from generate_series(1, {half}) g
cross join lateral (select id, clinic_id from public.customers order by id
                    offset g % 6 limit 1) c;
insert into public.error_logs (clinic_id, severity, error_code, message, context)
select 'c0000000-0000-0000-0000-000000000001', 'warning', 'E' || (g % 97),
       'timeout calling the booking service, attempt ' || g, jsonb_build_object('n', g)
from generate_series(1, {half}) g;
"""


def _tool(server: cluster.Server, name: str, *args: str) -> float:
    cmd = [str(server.prepared.bindir / name), "-h", str(server.sockdir), "-p", "5432"]
    started = time.perf_counter()
    subprocess.run([*cmd, "-U", "supabase_admin", *args], env=ENV, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg-version", type=int, default=15)
    args = parser.parse_args()
    project = load_project(EXAMPLE)
    with (
        tempfile.TemporaryDirectory() as tmp,
        replayed_project(EXAMPLE, project=project, pg_version=args.pg_version) as source,
    ):
        for seed in project.seed_paths:
            source.conn.execute(seed.read_text().encode())
        started = time.perf_counter()
        with source.server.admin() as admin:
            admin.execute(GROW.format(half=args.rows // 2).encode())
            admin.execute("vacuum analyze")
        print(f"grew the clinic by {args.rows} rows in {time.perf_counter() - started:.1f} s")
        dump = Path(tmp) / "clinic.dump"
        took = _tool(source.server, "pg_dump", "-Fc", "-f", str(dump), "-d", "postgres")
        print(f"pg_dump -Fc: {took:.1f} s, {dump.stat().st_size / 1e6:.0f} MB")
        floors, pgvets = [], []
        for run in range(args.runs):
            with cluster.sandbox(source.server.prepared) as target:
                with target.admin() as admin:
                    admin.execute("create database restored template template0")
                floors.append(_tool(target, "pg_restore", "-d", "restored", str(dump)))
            started = time.perf_counter()
            report = verify_backup(
                VerifyRequest(
                    (dump,),
                    against=source.server.conninfo(user="supabase_admin"),
                    pg_version=args.pg_version,
                    superuser=True,
                    empty_target=True,
                )
            )
            pgvets.append(time.perf_counter() - started)
            assert report.ok, (report.differences[:3], report.restore.failures[:3])
            print(
                f"run {run + 1}: floor {floors[-1]:.2f} s, pgvet {pgvets[-1]:.2f} s "
                f"({report.rows} rows in {report.tables} tables verified)"
            )
        floor, pgvet = statistics.median(floors), statistics.median(pgvets)
        print(f"\nfloor (pg_restore) {floor:.2f} s")
        print(f"pgvet backup verify {pgvet:.2f} s")
        print(f"ratio {pgvet / floor:.2f} (goal ≤ 1.5)")


if __name__ == "__main__":
    main()
