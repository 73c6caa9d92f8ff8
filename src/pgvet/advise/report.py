"""``INDEX_IMPACT.md``: the measured replacement for an "expected impact" table; and the
same facts as JSON."""

from __future__ import annotations

from typing import Any

from pgvet.advise.choose import NOISE, savings
from pgvet.advise.review import MigrationEffect, MigrationIndex
from pgvet.advise.session import Advice
from pgvet.workload.run import QueryRun, WorkloadRun


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _pct(old: float | None, new: float | None) -> str:
    if old in (None, 0) or new is None:
        return "—"
    return f"{(new - old) / old * 100:+.0f} %"


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def _scans(query: QueryRun) -> str:
    if query.error:
        return f"fails: {query.error}"
    return ", ".join(dict.fromkeys(query.plan.scans)) if query.plan else "—"


def _compare(a: WorkloadRun, b: WorkloadRun, labels: tuple[str, str]) -> list[str]:
    lines = [
        f"| query | P50 {labels[0]} | P95 | P99 | P50 {labels[1]} | P95 | P99 | Δ P50 | "
        f"plan {labels[0]} | plan {labels[1]} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for qa, qb in zip(a.queries, b.queries, strict=True):
        pa = [qa.percentile(p) for p in (50, 95, 99)]
        pb = [qb.percentile(p) for p in (50, 95, 99)]
        change = _scans(qb) if _scans(qb) != _scans(qa) else "same"
        lines.append(
            f"| {qa.name} | "
            + " | ".join(_ms(v) for v in pa)
            + " | "
            + " | ".join(_ms(v) for v in pb)
            + f" | {_pct(pa[0], pb[0])} | {_scans(qa)} | "
            f"{change} |"
        )
    return lines


def markdown(advice: Advice) -> str:
    before = advice.before
    personas = sorted({f"{q.persona} ({q.acting_as})" for q in before.queries})
    out = [
        "# Index impact (measured)",
        "",
        f"{advice.rows:,} generated rows; every query {before.iterations} times at "
        f"concurrency {before.concurrency}, as {'; '.join(personas)}, RLS on. Times in ms "
        "(P50/P95/P99 of real runs); plans from EXPLAIN ANALYZE.",
        "",
        f"Screening: {advice.screening.method}."
        + "".join(
            f" {n} built unscreened ({why})." for n, why in advice.screening.unscreened.items()
        ),
        "",
    ]
    if advice.bypassed:
        out += [
            "Failing as their persona, so planned, timed and advised as `postgres` (the "
            "tables' owner, BYPASSRLS: the query's own needs, for when its policies are "
            "fixed): "
            + "; ".join(f"{name} ({error})" for name, error in advice.bypassed.items())
            + ".",
            "",
        ]
    out += ["## Chosen set", ""]
    if advice.choice.chosen:
        out += [
            "| index | size | insert cost | serves | P50 saved alone |",
            "|---|---:|---:|---|---:|",
        ]
        for m in advice.choice.chosen:
            saved = savings(m)
            out.append(
                f"| `{m.candidate.sql}` | {_mb(m.size_bytes)} | "
                f"{_pct(m.inserts_before, m.inserts_after)} | "
                f"{', '.join(m.used_by)} | {sum(saved.values()):.2f} ms |"
            )
        out += ["", "Insert throughput with the whole set (fixed batch of the table's rows):", ""]
        for relation, (old, new) in advice.writes.items():
            out.append(f"- {relation}: {old:,.0f} → {new:,.0f} rows/s ({_pct(old, new)})")
        out += ["", "## Per query, before and after the chosen set", ""]
        assert advice.after is not None
        out += _compare(before, advice.after, ("before", "after"))
    else:
        out.append("No candidate made any query measurably faster.")
    out += ["", "## Candidates left out", ""]
    for m, why in advice.choice.dropped:
        out.append(f"- `{m.candidate.sql}` ({_mb(m.size_bytes)}): {why}")
    by_reason: dict[str, list[str]] = {}
    for c, why in advice.screening.dropped:
        by_reason.setdefault(why, []).append(f"{c.name} ({'; '.join(c.sources)})")
    for why, names in by_reason.items():
        out.append(f"- dropped before building, {why}: {len(names)}")
        out += [f"  - {name}" for name in names]

    out += _policies(advice)
    if advice.migration is not None:
        effect = advice.migration
        used = [i for i in effect.indexes if i.used_by]
        total = sum(i.size_bytes for i in effect.indexes)
        out += [
            "",
            f"## The effect of `{effect.filename}`",
            "",
            f"The project replayed without it and with it, the same data and workload. It adds "
            f"{len(effect.indexes)} indexes ({_mb(total)}); the workload's plans use "
            f"{len(used)} of them.",
            "",
        ]
        out += _compare(effect.without, effect.with_it, ("without", "with"))
        verdicts = {i.name: helped(i, effect) for i in effect.indexes}
        good = [n for n, (ok, _) in verdicts.items() if ok]
        out += [
            "",
            f"Helped ({len(good)}): {', '.join(good) or 'none'}. Did not help "
            f"({len(verdicts) - len(good)}): "
            f"{', '.join(n for n, (ok, _) in verdicts.items() if not ok) or 'none'}. An index "
            f"helped when a query's plan uses it and that query's P50 is more than "
            f"{NOISE:.0%} lower with the migration than without.",
            "",
            "| index | table | size | used by | helped? |",
            "|---|---|---:|---|---|",
        ]
        for i in sorted(effect.indexes, key=lambda i: (not verdicts[i.name][0], i.name)):
            ok, why = verdicts[i.name]
            out.append(
                f"| {i.name} | {i.relation} | {_mb(i.size_bytes)} | "
                f"{', '.join(i.used_by) or 'no query'} | {'**yes**' if ok else 'no'}: {why} |"
            )
    return "\n".join(out) + "\n"


def helped(index: MigrationIndex, effect: MigrationEffect) -> tuple[bool, str]:
    """Whether a migration's index helped, and the evidence: a plan uses it and that
    query got faster beyond the noise floor (without → with the migration)."""
    if not index.used_by:
        return False, "no plan uses it (write cost and space only)"
    without = {q.name: q.percentile(50) for q in effect.without.queries}
    with_it = {q.name: q.percentile(50) for q in effect.with_it.queries}
    changes = []
    faster = False
    for name in index.used_by:
        old, new = without.get(name), with_it.get(name)
        changes.append(f"{name} {_ms(old)} → {_ms(new)} ms ({_pct(old, new)})")
        faster |= old is not None and new is not None and old - new > NOISE * old
    return faster, ("" if faster else "used, no faster: ") + "; ".join(changes)


def _policies(advice: Advice) -> list[str]:
    """Each policy rewrite applied alone: per query P50/P95 before and after as its
    persona, whether it returned the same rows, and the verdict."""
    if not advice.policies:
        return []
    out = [
        "",
        "## Policy rewrites",
        "",
        "Each policy with per-row calls (`auth.uid()` & co., helper functions without column "
        "arguments) on a table the workload reads, rewritten with the calls as `(select …)`, "
        "applied alone (`alter policy`, one transaction) and measured on the queries that read "
        "the table, as their personas; rows compared for the same parameters. Chosen when it "
        "saves time, slows no query and every query returns the same rows.",
        "",
        "| policy | calls wrapped | query | as | P50 before | P95 | P50 after | P95 | Δ P50 "
        "| same rows | verdict |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for m in advice.policies:
        before = {q.name: q for q in m.baseline.queries}
        for index, query in enumerate(m.run.queries):
            old = before[query.name]
            same = m.same_rows.get(query.name)
            head = f"{m.rewrite.label} | `{'`, `'.join(m.rewrite.calls)}`" if index == 0 else " | "
            verdict = ("**chosen**" if m.chosen else m.why) if index == 0 else ""
            out.append(
                f"| {head} | {query.name} | {query.acting_as} | "
                f"{_ms(old.percentile(50))} | {_ms(old.percentile(95))} | "
                f"{_ms(query.percentile(50))} | {_ms(query.percentile(95))} | "
                f"{_pct(old.percentile(50), query.percentile(50))} | "
                f"{'—' if same is None else 'yes' if same else '**no**'} | {verdict} |"
            )
    chosen = [m for m in advice.policies if m.chosen]
    if chosen:
        out += ["", "The chosen rewrites, as a migration:", "", "```sql"]
        out += [m.rewrite.sql for m in chosen]
        out.append("```")
    return out


def doc(advice: Advice) -> dict[str, Any]:
    def run(r: WorkloadRun | None) -> dict[str, Any] | None:
        if r is None:
            return None
        return {
            q.name: {
                "p50": q.percentile(50),
                "p95": q.percentile(95),
                "p99": q.percentile(99),
                "error": q.error,
                "scans": q.plan.scans if q.plan else [],
            }
            for q in r.queries
        }

    return {
        "rows": advice.rows,
        "advised_as_postgres": advice.bypassed,
        "screening": advice.screening.method,
        "before": run(advice.before),
        "after": run(advice.after),
        "chosen": [
            {
                "sql": m.candidate.sql,
                "size_bytes": m.size_bytes,
                "write_cost_pct": round(m.write_cost_pct, 1),
                "used_by": m.used_by,
                "sources": m.candidate.sources,
            }
            for m in advice.choice.chosen
        ],
        "dropped": [{"sql": m.candidate.sql, "why": why} for m, why in advice.choice.dropped]
        + [{"sql": c.sql, "why": why} for c, why in advice.screening.dropped],
        "writes": {k: {"before": v[0], "after": v[1]} for k, v in advice.writes.items()},
        "policy_rewrites": [
            {
                "policy": m.rewrite.label,
                "calls": m.rewrite.calls,
                "sql": m.rewrite.sql,
                "sources": m.rewrite.sources,
                "before": run(m.baseline),
                "after": run(m.run),
                "same_rows": m.same_rows,
                "chosen": m.chosen,
                "why": m.why,
            }
            for m in advice.policies
        ],
        "migration": None
        if advice.migration is None
        else {
            "file": advice.migration.filename,
            "without": run(advice.migration.without),
            "with": run(advice.migration.with_it),
            "indexes": [
                {
                    "name": i.name,
                    "table": i.relation,
                    "size_bytes": i.size_bytes,
                    "used_by": i.used_by,
                    "helped": helped(i, advice.migration)[0],
                }
                for i in advice.migration.indexes
            ],
        },
    }
