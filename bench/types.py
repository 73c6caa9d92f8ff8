"""Benchmark: `pgvet types` against postgres-meta 0.99.0 on the same database.

On the generated 5,000-table Supabase-style schema of bench/lint.py (same generator: 50
modules, tenant tables, foreign keys, jsonb, views, SECURITY DEFINER helpers) on a real
sandbox, this prints the median of several runs of:
  * read     — `read_types_meta(conn, ["public"])`: the introspection queries;
  * generate — the TypeScript (and Python) text from what was read;
  * postgres-meta — `node server.js` with PG_META_GENERATE_TYPES on the same server (its
    own introspection and formatting, node start-up included), when node and the npm
    package are installed;
and the ratio postgres-meta / pgvet. Goal: the TypeScript for 5,000 tables generated in
under 2 s after the read (exit status 1 when it is not). With --corpora, the same on the
clinic example and each corpus.

Usage: python bench/types.py [--runs 3] [--tables 5000] [--pg-version 15] [--corpora]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint import CORPORA, DEFAULT, generated_batches

from pgvet.replay.session import replayed_project
from pgvet.sandbox import binaries, cluster
from pgvet.types.command import TypesRequest, generate
from pgvet.types.introspect import read_types_meta
from pgvet.types.model import TypesMeta
from pgvet.types.referee import find_server, run_postgres_meta, socket_url

GOAL_SECONDS = 2.0
GOAL_TABLES = 5000
REPO = Path(__file__).resolve().parents[1]


def median(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def measure(label: str, conn, sockdir: Path, runs: int) -> float:  # type: ignore[no-untyped-def]
    """Print read / generate / postgres-meta times; return the TypeScript generate time."""
    read_s, meta = median(lambda: read_types_meta(conn, ["public"]), runs)
    assert isinstance(meta, TypesMeta)
    ts_s, text = median(lambda: generate(meta, TypesRequest()), runs)
    py_s, _ = median(lambda: generate(meta, TypesRequest(lang="python")), runs)
    lines = str(text).count("\n")
    print(
        f"{label}: {len(meta.tables):,} tables, {lines:,} lines of TypeScript; read "
        f"{read_s:.2f} s, generate TypeScript {ts_s:.2f} s, Python {py_s:.2f} s"
    )
    server, why = find_server()
    if server is None:
        print(f"  postgres-meta: not measured ({why})")
        return ts_s
    url = socket_url(sockdir)
    ref_s, theirs = median(lambda: run_postgres_meta(server, url, "typescript", ["public"]), runs)
    ours = read_s + ts_s
    same = "identical output" if theirs == text else "OUTPUT DIFFERS"
    print(
        f"  postgres-meta (TypeScript, node start-up included, its pool timeouts raised): "
        f"{ref_s:.2f} s; pgvet read + generate {ours:.2f} s: {ref_s / ours:.1f}x faster; {same}"
    )
    return ts_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tables", type=int, default=GOAL_TABLES)
    parser.add_argument("--pg-version", type=int, default=15)
    parser.add_argument("--corpora", action="store_true")
    args = parser.parse_args()
    if args.corpora:
        for name in ["clinic", *DEFAULT]:
            path = REPO / "examples" / "clinic" if name == "clinic" else CORPORA / name
            with replayed_project(path, keep_going=True) as session:
                measure(name, session.conn, session.server.sockdir, args.runs)
    installation, warning = binaries.choose(args.pg_version)
    if warning:
        print("warning:", warning)
    prepared = cluster.prepare(installation)
    with cluster.sandbox(prepared) as server, server.connect() as conn:
        conn.autocommit = True
        for batch in generated_batches(args.tables):
            conn.execute(batch.encode())
        ts_s = measure(f"generated ({installation.label})", conn, server.sockdir, args.runs)
    goal = f"{GOAL_TABLES:,}-table TypeScript in under {GOAL_SECONDS:.0f} s after the read"
    if args.tables < GOAL_TABLES:
        print(f"goal ({goal}): not judged at {args.tables:,} tables")
        return
    ok = ts_s < GOAL_SECONDS
    print(f"goal ({goal}): {'PASS' if ok else 'FAIL'} ({ts_s:.2f} s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
