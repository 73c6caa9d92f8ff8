"""Benchmark: ``pgvet advise`` on the clinic example at a larger scale.

Replays the clinic twice (without and with the review's own index migration,
``20251110093000_add_missing_indexes.sql``), fills it with ``--rows`` rows a table (the big
tables — skin_analyses, sales_leads, customer_notes, analytics_events — ``--big`` rows),
runs the 13 workload queries as the API would (authenticated, RLS on), then proposes,
screens (hypopg), builds and measures indexes. Prints, per query, P50 before and after the
chosen set and what the review's migration changed, and writes INDEX_IMPACT.md (``-o``).

``--referee``: Supabase's ``index_advisor`` (pgvet's stand-in, real where hypopg is) on the
same data (same seed) on a sandbox of its own: each query (placeholders as ``$n``) as the
superuser, every index it suggests built together, the workload before and after on that
sandbox, side by side with pgvet's chosen set (P50 change in % per query; each pair is
measured on one server, so the percentages compare, the milliseconds of two servers less).

Usage: python bench/advise.py [--rows 20000] [--big 200000] [-n 20] [-c 2] [-o FILE]
                              [--referee]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console

from pgvet.advise import report
from pgvet.advise.session import Advice, Settings, advise
from pgvet.analysis.workload import bind_placeholders
from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.data.session import filled_project
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project
from pgvet.workload.run import WorkloadRun, prepare, run_workload

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "clinic"
MIGRATION = "20251110093000_add_missing_indexes.sql"
BIG = ("skin_analyses", "sales_leads", "customer_notes", "analytics_events")


def _ms(value: float | None) -> str:
    return "     —" if value is None else f"{value:8.2f}"


def _pct(a: float | None, b: float | None) -> str:
    return "     —" if a in (None, 0) or b is None else f"{(b - a) / a * 100:+6.0f} %"


def referee(scale: Scale, args: argparse.Namespace) -> tuple[list[str], WorkloadRun, WorkloadRun]:
    """index_advisor's indexes for every query, built together; the workload without/with."""
    project = load_project(EXAMPLE)
    config = load_config(project.root)
    with filled_project(EXAMPLE, project, config, scale, limits=Limits()) as filled:
        assert filled.workload is not None
        server = filled.session.server
        with server.connect() as conn:
            prepared = prepare(conn, filled.session.catalog, config, filled.workload)
        before = run_workload(
            server.connect, prepared, iterations=args.iterations, concurrency=args.concurrency
        )
        statements: dict[str, None] = {}
        with server.admin() as admin:
            admin.execute("create extension if not exists index_advisor cascade")
            for query in filled.workload.queries:
                row = admin.execute(
                    "select index_statements, errors from index_advisor(%s)",
                    (bind_placeholders(query.text),),
                ).fetchone()
                for statement in (row[0] or []) if row else []:
                    statements.setdefault(statement, None)
            for statement in statements:
                admin.execute(statement)
            admin.execute("analyze")
        after = run_workload(
            server.connect, prepared, iterations=args.iterations, concurrency=args.concurrency
        )
    return list(statements), before, after


def side_by_side(
    advice: Advice, suggested: list[str], before: WorkloadRun, after: WorkloadRun
) -> None:
    ours_after = {q.name: q.percentile(50) for q in (advice.after or advice.before).queries}
    ours_before = {q.name: q.percentile(50) for q in advice.before.queries}
    theirs_before = {q.name: q.percentile(50) for q in before.queries}
    theirs_after = {q.name: q.percentile(50) for q in after.queries}
    print(
        f"\nindex_advisor suggests {len(suggested)} indexes; pgvet chose "
        f"{len(advice.choice.chosen)}"
    )
    for statement in suggested:
        print(f"  {statement}")
    print(f"\n{'query':28} {'index_advisor':>13} {'pgvet':>8}   (P50 change, same server)")
    for q in advice.before.queries:
        print(
            f"{q.name:28} {_pct(theirs_before[q.name], theirs_after[q.name]):>13} "
            f"{_pct(ours_before[q.name], ours_after[q.name]):>8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("-n", "--iterations", type=int, default=20)
    parser.add_argument("-c", "--concurrency", type=int, default=2)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--referee", action="store_true")
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
        size = m.size_bytes / 1e6
        print(f"  {m.candidate.sql}  ({size:.2f} MB, insert rows/s {-m.write_cost_pct:+.0f} %)")
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
    if args.referee:
        side_by_side(advice, *referee(scale, args))


if __name__ == "__main__":
    main()
