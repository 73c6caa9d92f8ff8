"""Benchmark: pgvet's replay against plain psql on the same server, measured in this run.

For each corpus in ../shared/corpora (and the bundled example) this prints the median of
several runs of:
  * floor   — one `psql -X` session applying every file as `begin; \\i file; commit;`
              (files with CONCURRENTLY outside a transaction): PostgreSQL's own DDL cost;
  * pgvet   — pgvet's replay (reading the folder + applying + history), in-process;
  * psql -1 — `psql -1 -f file` per file, for reference (mostly process start-up);
and the ratio pgvet / floor (goal ≤ 1.3). Then sandbox cold and warm start and the
whole-process wall time of `pgvet inventory` on suna (goal ≤ 2 s warm).

A synthetic 1,000-file history (``--generated N``) is replayed the same way, and the peak
memory of a whole `pgvet replay` process is printed for suna and that history.

Usage: python bench/replay.py [--runs 5] [--pg-version 15] [--generated 1000] [corpus ...]
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgvet.replay.apply import replay
from pgvet.replay.project import Project, load_project
from pgvet.sandbox import binaries, cluster

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("PGVET_CORPORA", REPO.parent / "shared" / "corpora"))
DEFAULT = ["suna", "dbdev", "chatbot-ui", "atomic-crm", "basejump", "makerkit-lite"]


def psql(server: cluster.Server) -> list[str]:
    exe = server.prepared.bindir / "psql"
    if not exe.exists():
        exe = Path(shutil.which("psql") or "psql")
    return [
        str(exe),
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        str(server.sockdir),
        "-U",
        "postgres",
        "-d",
        "postgres",
    ]


def floor_script(project: Project) -> str:
    lines = []
    for migration in project.files:
        if migration.non_transactional:
            lines.append(f"\\i '{migration.path}'")
        else:
            lines += ["begin;", f"\\i '{migration.path}'", "commit;"]
    return "\n".join(lines) + "\n"


def time_floor(prepared: cluster.Prepared, project: Project) -> float:
    script = floor_script(project)
    with cluster.sandbox(prepared) as server:
        started = time.perf_counter()
        subprocess.run(
            psql(server),
            input=script,
            text=True,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def time_psql_per_file(prepared: cluster.Prepared, project: Project) -> float:
    with cluster.sandbox(prepared) as server:
        started = time.perf_counter()
        for migration in project.files:
            flags = [] if migration.non_transactional else ["-1"]
            subprocess.run(
                [*psql(server), *flags, "-f", str(migration.path)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        return time.perf_counter() - started


def time_pgvet(prepared: cluster.Prepared, path: Path) -> float:
    with cluster.sandbox(prepared) as server, server.connect() as conn:
        started = time.perf_counter()
        result = replay(conn, load_project(path))
        elapsed = time.perf_counter() - started
    if not result.ok:
        print(f"  ! {path.name}: {len(result.failed)} file(s) failed", file=sys.stderr)
    return elapsed


def generated_history(files: int) -> Path:
    """A synthetic multi-tenant history of ``files`` migrations: tables with tenant and FK
    columns, indexes, RLS and policies, added columns and functions, like a long-lived
    Supabase project (the shape, not the content, of the large real histories)."""
    root = Path(tempfile.mkdtemp(prefix="pgvet-bench-history-"))
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20200101000000_tenants.sql").write_text(
        "create table public.tenants (id uuid primary key default gen_random_uuid(), "
        "name text not null);\n"
    )
    start = datetime.datetime(2020, 1, 1, 1)
    last = "public.tenants"  # the newest table, which later files alter and refer to
    for i in range(1, files):
        stamp = (start + datetime.timedelta(hours=i)).strftime("%Y%m%d%H%M%S")
        if i % 4 == 0 and last != "public.tenants":
            body = (
                f"alter table {last} add column note_{i} text;\n"
                f"create index on {last} (created_at);\n"
            )
        elif i % 7 == 0 and last != "public.tenants":
            body = (
                f"create or replace function public.f{i}(t uuid) returns bigint language sql "
                f"stable as $$ select count(*) from {last} where tenant_id = t $$;\n"
            )
        else:
            parent = f",\n  parent_id bigint references {last}" if last != "public.tenants" else ""
            body = (
                f"create table public.t{i} (\n  id bigint generated always as identity "
                "primary key,\n  tenant_id uuid not null references public.tenants (id)"
                f"{parent},\n  payload jsonb,\n"
                "  created_at timestamptz not null default now()\n);\n"
                f"create index t{i}_tenant on public.t{i} (tenant_id);\n"
                f"alter table public.t{i} enable row level security;\n"
                f"create policy t{i}_read on public.t{i} for select to authenticated using "
                "(tenant_id = (select (auth.jwt() ->> 'tenant_id')::uuid));\n"
            )
            last = f"public.t{i}"
        (folder / f"{stamp}_step_{i}.sql").write_text(body)
    return root


def peak_rss_mb(path: Path, pg_version: int) -> float:
    """Peak resident memory of a whole `pgvet replay` process (and the server it waits
    for), in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pgvet",
            "--offline",
            "replay",
            str(path),
            "--pg-version",
            str(pg_version),
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def median(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def start_times(installation: binaries.Installation, runs: int) -> tuple[float, float]:
    """Cold (empty cache: relocate + initdb + stand-ins + start) and warm start."""
    cache = tempfile.mkdtemp(prefix="pgvet-bench-cache-")
    os.chmod(cache, 0o755)
    old = os.environ.get("PGVET_CACHE_DIR")
    os.environ["PGVET_CACHE_DIR"] = cache
    try:
        started = time.perf_counter()
        with cluster.sandbox(cluster.prepare(installation)):
            cold = time.perf_counter() - started
    finally:
        if old is None:
            os.environ.pop("PGVET_CACHE_DIR")
        else:
            os.environ["PGVET_CACHE_DIR"] = old
        shutil.rmtree(cache, ignore_errors=True)
    prepared = cluster.prepare(installation)

    def warm() -> float:
        started = time.perf_counter()
        with cluster.sandbox(prepared) as server:
            server.connect().close()
            return time.perf_counter() - started

    return cold, median(warm, runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg-version", type=int, default=15)
    parser.add_argument(
        "--generated", type=int, default=1000, help="files of the synthetic history (0: none)"
    )
    parser.add_argument("corpora", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    installation, warning = binaries.choose(args.pg_version)
    if warning:
        print("warning:", warning)
    prepared = cluster.prepare(installation)
    print(f"server: {installation.label}; median of {args.runs} runs\n")
    print(f"{'project':<14}{'files':>6}{'floor s':>10}{'pgvet s':>10}{'ratio':>8}{'psql -1 s':>11}")
    targets = [(name, CORPORA / name) for name in args.corpora]
    if (REPO / "examples" / "clinic").exists():
        targets.append(("clinic", REPO / "examples" / "clinic"))
    history = generated_history(args.generated) if args.generated else None
    if history is not None:
        targets.append(("generated", history))
    for name, path in targets:
        project = load_project(path)
        floors, ours_runs = [], []
        for _ in range(args.runs):  # interleaved, so load changes hit both alike
            floors.append(time_floor(prepared, project))
            ours_runs.append(time_pgvet(prepared, path))
        floor, ours = statistics.median(floors), statistics.median(ours_runs)
        per_file = time_psql_per_file(prepared, project)
        print(
            f"{name:<14}{len(project.files):>6}{floor:>10.3f}{ours:>10.3f}"
            f"{ours / floor:>8.2f}{per_file:>11.2f}"
        )
    for name, path in targets:
        if name in ("suna", "generated"):
            print(f"peak memory, pgvet replay {name}: {peak_rss_mb(path, args.pg_version):.0f} MB")
    if history is not None:
        shutil.rmtree(history, ignore_errors=True)
    cold, warm = start_times(installation, args.runs)
    print(f"\nsandbox start: cold {cold:.2f} s (relocate + initdb + stand-ins), warm {warm:.3f} s")
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pgvet",
                "inventory",
                str(CORPORA / "suna"),
                "--format",
                "json",
                "--pg-version",
                str(args.pg_version),
            ],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        walls.append(time.perf_counter() - started)
    print(f"pgvet inventory suna, whole process (warm): {statistics.median(walls):.2f} s wall")


if __name__ == "__main__":
    main()
