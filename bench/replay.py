"""Benchmark: pgvet's replay against plain psql on the same server, measured in this run.

For each corpus in ../shared/corpora (and the bundled example) this prints the median of
several runs of:
  * floor   — one `psql -X` session applying every file as `begin; \\i file; commit;`
              (files with CONCURRENTLY outside a transaction): PostgreSQL's own DDL cost;
  * pgvet   — pgvet's replay (reading the folder + applying + history), in-process;
  * psql -1 — `psql -1 -f file` per file, for reference (mostly process start-up);
and the ratio pgvet / floor (goal ≤ 1.3). Then sandbox cold and warm start and the
whole-process wall time of `pgvet inventory` on suna (goal ≤ 2 s warm).

Usage: python bench/replay.py [--runs 5] [--pg-version 15] [corpus ...]
"""

from __future__ import annotations

import argparse
import os
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
CORPORA = REPO.parent / "shared" / "corpora"
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
