"""Benchmark: `pgvet rls test` on the clinic example, against a floor measured in the same run.

Prints the median of several runs of:
  * replay      — the sandbox with the 56 migrations applied (what every command pays);
  * auto        — the automatic isolation run alone (no seed, no config): two generated
                  clinics, 67 tables × every generated persona and anon × 4 commands;
  * full        — seed + configured personas (reads of every table) and the declared
                  expectations on one connection, the automatic run on another, side by
                  side: what `pgvet rls test` does;
  * floor       — the same number of statements as the full run executed, each a
                  `select count(*)` on one of the tables as postgres (no RLS, one round
                  trip each): what running that many queries costs at all;
and the ratio full / floor, then the wall time of the whole command in a fresh process
(goal: under 10 s on this machine).

Usage: python bench/rls.py [--runs 3] [--pg-version 15] [--project examples/clinic]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pgvet.config import load_config
from pgvet.replay.session import replayed_project
from pgvet.rls.engine import run_rls_tests
from pgvet.rls.settings import RlsSettings, rls_settings

REPO = Path(__file__).resolve().parents[1]


def one_run(project: Path, pg_version: int | None) -> dict[str, float]:
    out: dict[str, float] = {}
    started = time.perf_counter()
    with replayed_project(project, pg_version=pg_version) as session:
        out["replay"] = time.perf_counter() - started
        conn, catalog = session.conn, session.catalog
        config = load_config(session.project.root)
        settings = rls_settings(config)
        started = time.perf_counter()
        auto = run_rls_tests(
            conn, catalog, config, RlsSettings(), source=str(project), seeded=False
        )
        out["auto"] = time.perf_counter() - started
        out["auto checks"] = len(auto.results)
        started = time.perf_counter()
        for seed in session.project.seed_paths:
            conn.execute(seed.read_bytes())
        with session.server.connect() as second:  # as the command does
            full = run_rls_tests(
                conn, catalog, config, settings, source=str(project), seeded=True, second=second
            )
        out["full"] = time.perf_counter() - started
        out["full checks"] = len(full.results)
        tables = [t for t in catalog.base_tables if t.parent is None]
        statements = [
            f'select count(*) from "{t.schema}"."{t.name}"'
            for i, t in zip(range(len(full.results)), _cycle(tables), strict=False)
        ]
        started = time.perf_counter()
        for text in statements:
            conn.execute(text.encode()).fetchone()
        out["floor"] = time.perf_counter() - started
    return out


def _cycle(items: list) -> object:
    while True:
        yield from items


def command_wall_time(project: Path, pg_version: int | None) -> float:
    """The whole `pgvet rls test` in a fresh interpreter (mounted or not in the main CLI)."""
    code = (
        "import sys\n"
        "from pgvet.rls.command import rls_app\n"
        "sys.argv = ['pgvet-rls', 'test', *sys.argv[1:]]\n"
        "rls_app()\n"
    )
    args = [str(project), "--format", "json", "--output", "/dev/null"]
    if pg_version:
        args += ["--pg-version", str(pg_version)]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-version", type=int, default=None)
    parser.add_argument("--project", type=Path, default=REPO / "examples" / "clinic")
    args = parser.parse_args()
    runs = [one_run(args.project, args.pg_version) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"pgvet rls test on {args.project} (median of {args.runs} runs)")
    print(f"  replay (sandbox + migrations)   {med['replay']:7.2f} s")
    print(
        f"  auto isolation only             {med['auto']:7.2f} s  ({med['auto checks']:.0f} checks)"
    )
    print(
        f"  full run (seed, config, auto)   {med['full']:7.2f} s  ({med['full checks']:.0f} checks)"
    )
    print(f"  floor: as many count(*) queries {med['floor']:7.2f} s")
    print(f"  ratio full / floor              {med['full'] / med['floor']:7.2f}")
    walls = [command_wall_time(args.project, args.pg_version) for _ in range(args.runs)]
    wall = statistics.median(walls)
    verdict = "OK" if wall < 10 else "over the 10 s goal"
    print(f"  whole command, fresh process    {wall:7.2f} s  ({verdict})")


if __name__ == "__main__":
    main()
