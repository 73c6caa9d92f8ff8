"""Benchmark: ``pgvet advise`` on the clinic example at a larger scale.

Replays the clinic twice (without and with the review's own index migration,
``20251110093000_add_missing_indexes.sql``), fills it with ``--rows`` rows a table (the big
tables — skin_analyses, sales_leads, customer_notes, analytics_events — ``--big`` rows),
runs the 13 workload queries as the API would (authenticated, RLS on), then proposes,
screens (hypopg), builds and measures indexes. Prints, per query, P50 before and after the
chosen set and what the review's migration changed, and writes INDEX_IMPACT.md (``-o``).

Usage: python bench/advise.py [--rows 20000] [--big 200000] [-n 20] [-c 2] [-o FILE]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console

from pgvet.advise import report
from pgvet.advise.session import Settings, advise
from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "clinic"
MIGRATION = "20251110093000_add_missing_indexes.sql"
BIG = ("skin_analyses", "sales_leads", "customer_notes", "analytics_events")


def _ms(value: float | None) -> str:
    return "     —" if value is None else f"{value:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("-n", "--iterations", type=int, default=20)
    parser.add_argument("-c", "--concurrency", type=int, default=2)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    project = load_project(EXAMPLE)
    scale = Scale(args.rows, {name: args.big for name in BIG})
    started = time.perf_counter()
    advice = advise(
        EXAMPLE,
        project,
        load_config(project.root),
        scale,
        Limits(),
        Settings(args.iterations, args.concurrency),
        migration=MIGRATION,
        console=Console(stderr=True),
    )
    print(f"{advice.rows:,} rows; {time.perf_counter() - started:.0f} s in all")
    print(f"screening: {advice.screening.method}")
    print(
        f"chosen: {len(advice.choice.chosen)} of {len(advice.measured)} built "
        f"({len(advice.screening.dropped)} screened out)"
    )
    for m in advice.choice.chosen:
        print(
            f"  {m.candidate.sql}  ({m.size_bytes / 1e6:.2f} MB, inserts {m.write_cost_pct:+.0f} %)"
        )
    assert advice.migration is not None
    without = {q.name: q.percentile(50) for q in advice.migration.without.queries}
    after = {q.name: q.percentile(50) for q in (advice.after or advice.before).queries}
    print(f"\n{'query':28} {'no review':>9} {'review':>8} {'+chosen':>8}   (P50 ms)")
    for q in advice.before.queries:
        print(
            f"{q.name:28} {_ms(without[q.name])} {_ms(q.percentile(50))} {_ms(after[q.name])}"
            + (f"   {q.error}" if q.error else "")
        )
    used = [i.name for i in advice.migration.indexes if i.used_by]
    print(
        f"\nthe review's migration: {len(advice.migration.indexes)} indexes, "
        f"used by the workload's plans: {', '.join(used) or 'none'}"
    )
    if args.output:
        args.output.write_text(report.markdown(advice))
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
