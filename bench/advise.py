"""Benchmark: ``pgvet advise`` on the clinic example at a larger scale.

Replays the clinic twice (without and with the review's own index migration,
``20251110093000_add_missing_indexes.sql``), fills it with ``--rows`` rows a table (the big
tables — skin_analyses, sales_leads, customer_notes, analytics_events — ``--big`` rows),
runs the 13 workload queries as the API would (authenticated, RLS on), then proposes,
screens (hypopg), builds and measures indexes. Prints, per query, P50 before and after the
chosen set and what the review's migration changed, and writes INDEX_IMPACT.md (``-o``).

``--referee``: Supabase's ``index_advisor`` (pgvet's stand-in, real where hypopg is) on the
same filled sandbox, right after pgvet's chosen set is measured, so the milliseconds compare
too. The whole database is analyzed once first and never again, so every state plans with
the same statistics (plain btrees need none of their own): a plan differs only by the
indexes. Both sets are timed as the superuser (RLS bypassed) and as the workload's personas
(``authenticated``, RLS on, as the API), in this order: pgvet's set (still built); the
baseline (set dropped); index_advisor's indexes (asked for every query as the superuser,
placeholders as ``$n``, on the baseline; built together); the baseline again (dropped).
Both sides are compared with the mean of the two baselines, and a query's noise margin is
the spread of those two (|b1 − b2| / mean), at least the 5 % floor pgvet's own choice
uses: two runs of the same state that far apart say what a difference smaller than that
is worth. A side whose plan for a query is a baseline's (same scans, same indexes) counts
as no change there: the same plan does the same work, and on a shared machine the load
drifts by more than the margin over the minutes between the states. Criteria, one
verdict line each, exit 1 when one fails: (a) per query, pgvet's
P50 reduction ≥ index_advisor's − margin; (b) no more indexes than index_advisor's
distinct ones; (c) no query slower after pgvet's set than the baseline + margin. A query
that fails as its persona (42P17) is not compared for that persona.

Usage: python bench/advise.py [--rows 20000] [--big 200000] [-n 20] [-c 2] [-o FILE]
                              [--referee]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console

from pgvet.advise import report
from pgvet.advise.choose import NOISE
from pgvet.advise.session import Advice, Settings, advise
from pgvet.analysis.sql.quote import ident
from pgvet.analysis.workload import bind_placeholders
from pgvet.config import Config, load_config
from pgvet.data.plan import Scale
from pgvet.data.session import Filled
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project
from pgvet.sandbox.platform import SUPERUSER
from pgvet.workload.run import Prepared, prepare, run_workload

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "clinic"
MIGRATION = "20251110093000_add_missing_indexes.sql"
BIG = ("skin_analyses", "sales_leads", "customer_notes", "analytics_events")


def _ms(value: float | None) -> str:
    return "     —" if value is None else f"{value:8.2f}"


#: who each side is timed as: the superuser (RLS bypassed) and the workload's personas
AS = ("superuser", "authenticated")


@dataclass
class Referee:
    """index_advisor against pgvet's chosen set on advise's own filled sandbox."""

    config: Config
    iterations: int
    concurrency: int
    console: Console | None = None
    suggested: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: state → persona → query → (P50 ms or None, error or None)
    p50: dict[str, dict[str, dict[str, tuple[float | None, str | None]]]] = field(
        default_factory=dict
    )
    #: state → persona → query → its plan's scans (None: no plan)
    plans: dict[str, dict[str, dict[str, tuple[str, ...] | None]]] = field(default_factory=dict)
    chosen: int = 0

    def __call__(self, filled: Filled, advice: Advice) -> None:
        server = filled.session.server
        assert filled.workload is not None
        with server.connect() as conn:
            prepared = prepare(conn, filled.session.catalog, self.config, filled.workload)
        runs = {
            "superuser": (server.admin, [_as_superuser(p) for p in prepared]),
            "authenticated": (server.connect, prepared),
        }
        self.chosen = len(advice.choice.chosen)
        with server.admin() as admin:  # once: every state plans with the same statistics
            admin.execute("analyze")
        self._time("pgvet", runs)  # the chosen set is still built
        with server.admin() as admin:
            for m in advice.choice.chosen:
                c = m.candidate
                admin.execute(f"drop index {ident(c.schema)}.{ident(c.name)}")
        self._time("baseline 1", runs)
        with server.admin() as admin:
            admin.execute("create extension if not exists index_advisor cascade")
            statements: dict[str, None] = {}
            for item in prepared:
                row = admin.execute(
                    "select index_statements, errors from index_advisor(%s)",
                    (bind_placeholders(item.text),),
                ).fetchone()
                for statement in (row[0] or []) if row else []:
                    statements.setdefault(statement, None)
                if row and row[1]:
                    self.errors[item.name] = list(row[1])
            self.suggested = list(statements)
            existing = {r[0] for r in admin.execute("select indexrelid from pg_index")}
            for statement in self.suggested:
                admin.execute(statement)
            built = [
                r[1]
                for r in admin.execute(
                    "select indexrelid, indexrelid::regclass::text from pg_index"
                )
                if r[0] not in existing
            ]
        self._time("index_advisor", runs)
        with server.admin() as admin:
            for name in built:
                admin.execute(f"drop index {name}")
        self._time("baseline 2", runs)

    def _time(self, state: str, runs: dict) -> None:
        self.p50[state] = {}
        self.plans[state] = {}
        for who, (connect, items) in runs.items():
            run = run_workload(
                connect,
                items,
                iterations=self.iterations,
                concurrency=self.concurrency,
                console=self.console,
                label=f"referee: {state} as {who}",
            )
            self.p50[state][who] = {q.name: (q.percentile(50), q.error) for q in run.queries}
            self.plans[state][who] = {
                q.name: tuple(q.plan.scans) if q.plan else None for q in run.queries
            }

    def verdict(self) -> tuple[list[str], bool]:
        """The side-by-side tables and one verdict line per criterion; True when all pass."""
        lines = [
            f"index_advisor suggests {len(self.suggested)} indexes (built on the baseline); "
            f"pgvet chose {self.chosen}"
        ]
        lines += [f"  {s}" for s in self.suggested]
        lines += [f"  index_advisor on {q}: {'; '.join(e)}" for q, e in self.errors.items()]
        losses: list[str] = []
        slower: list[str] = []
        compared = 0  # a verdict needs evidence: no query compared is not a pass
        for who in AS:
            lines += [
                "",
                f"as {who}: P50 ms (change vs the baselines' mean; '=': same plan as the "
                f"baseline, counted as no change); margin = max(|b1 − b2| / mean, {NOISE:.0%})",
                f"{'query':27} {'base1':>8} {'base2':>8} {'margin':>6} "
                f"{'index_advisor':>18} {'pgvet':>18}  (a) (c)",
            ]
            for name, (b1, error) in self.p50["baseline 1"][who].items():
                b2 = self.p50["baseline 2"][who][name][0]
                theirs, t_error = self.p50["index_advisor"][who][name]
                ours, o_error = self.p50["pgvet"][who][name]
                if b1 is None or b2 is None:
                    lines.append(f"{name:27} fails: {error} (not compared)")
                    continue
                compared += 1
                base = (b1 + b2) / 2
                margin = max(abs(b1 - b2) / base, NOISE)
                red_t = self._effect("index_advisor", who, name, theirs, base)
                red_o = self._effect("pgvet", who, name, ours, base)
                a_ok = red_o is not None and (red_t is None or red_o >= red_t - margin)
                c_ok = red_o is not None and -red_o <= margin
                if not a_ok:
                    losses.append(f"{name} as {who}")
                if not c_ok:
                    slower.append(f"{name} as {who}")
                lines.append(
                    f"{name:27} {b1:8.2f} {b2:8.2f} {margin:6.0%} "
                    f"{_side(theirs, red_t, t_error):>18} {_side(ours, red_o, o_error):>18}"
                    f"  {'ok' if a_ok else 'NO':>3} {'ok' if c_ok else 'NO':>3}"
                )
        fewer = self.chosen <= len(self.suggested)
        lines += [
            "",
            "(a) pgvet's P50 reduction ≥ index_advisor's on every query, both roles: "
            + ("PASS" if not losses else f"FAIL ({', '.join(losses)})"),
            f"(b) no more indexes: pgvet {self.chosen} ≤ index_advisor {len(self.suggested)}: "
            + ("PASS" if fewer else "FAIL"),
            "(c) no query slower after pgvet's set, both roles: "
            + ("PASS" if not slower else f"FAIL ({', '.join(slower)})"),
        ]
        if not compared:
            lines.append("no query could be compared on either side: inconclusive (exit 1)")
        return lines, bool(compared) and not losses and fewer and not slower

    def _effect(
        self, state: str, who: str, name: str, p50: float | None, base: float
    ) -> float | None:
        """A side's P50 reduction against the baseline; 0 when its plan is the baseline's
        (the same plan does the same work: a difference in time is the machine's load)."""
        if p50 is None:
            return None
        plan = self.plans[state][who][name]
        if plan is not None and plan in (
            self.plans["baseline 1"][who][name],
            self.plans["baseline 2"][who][name],
        ):
            return 0.0
        return (base - p50) / base


def _side(p50: float | None, reduction: float | None, error: str | None) -> str:
    if p50 is None or reduction is None:
        return f"fails {(error or '')[:5]}"
    if reduction == 0.0:
        return f"{p50:.2f} (=)"
    return f"{p50:.2f} ({-reduction:+.0%})"


def _as_superuser(item: Prepared) -> Prepared:
    """``item`` as the sandbox's superuser: same parameters, RLS bypassed."""
    persona = replace(item.acting.persona, name="superuser", role=SUPERUSER)
    return replace(item, acting=replace(item.acting, persona=persona))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("-n", "--iterations", type=int, default=20)
    parser.add_argument("-c", "--concurrency", type=int, default=2)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--referee", action="store_true")
    args = parser.parse_args()
    project = load_project(EXAMPLE)
    config = load_config(project.root)
    scale = Scale(args.rows, {name: args.big for name in BIG})
    console = Console(stderr=True)
    judge = Referee(config, args.iterations, args.concurrency, console) if args.referee else None
    started = time.perf_counter()
    advice = advise(
        EXAMPLE,
        project,
        config,
        scale,
        Limits(),
        Settings(args.iterations, args.concurrency),
        migration=MIGRATION,
        console=console,
        then=judge,
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
    for name, error in advice.bypassed.items():
        print(f"  {name} fails as its persona ({error}): advised as postgres, RLS bypassed")
    assert advice.migration is not None
    without = {q.name: q.percentile(50) for q in advice.migration.without.queries}
    after = {q.name: q.percentile(50) for q in (advice.after or advice.before).queries}
    print(f"\n{'query':28} {'no review':>9} {'review':>8} {'+chosen':>8}   (P50 ms)")
    for q in advice.before.queries:
        print(
            f"{q.name:28} {_ms(without[q.name])} {_ms(q.percentile(50))} {_ms(after[q.name])}"
            + (f"   as {q.persona}" if q.name in advice.bypassed else "")
        )
    effect = advice.migration
    verdicts = {i.name: report.helped(i, effect) for i in effect.indexes}
    print(f"\nthe review's migration: {len(effect.indexes)} indexes")
    print(f"  helped: {', '.join(n for n, (ok, _) in verdicts.items() if ok) or 'none'}")
    for name, (ok, why) in verdicts.items():
        if not ok and not why.startswith("no plan"):
            print(f"  used, no gain: {name}: {why}")
    unused = [n for n, (_, why) in verdicts.items() if why.startswith("no plan")]
    print(f"  no plan uses ({len(unused)}): {', '.join(unused) or 'none'}")
    text = report.markdown(advice)
    passed = True
    if judge is not None:
        lines, passed = judge.verdict()
        print("\n" + "\n".join(lines))
        text += "\n## Referee: index_advisor on the same sandbox\n\n```\n" + "\n".join(lines)
        text += "\n```\n"
    print(f"wall time: {time.perf_counter() - started:.0f} s")
    if args.output:
        args.output.write_text(text)
        print(f"wrote {args.output}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
