"""Pick the set that gives the most for the least, greedily.

A candidate's saving on a query (its paired runs without and with it) counts only where the
query's plan used it once built, and only beyond a noise floor (5 % of the query's P50
without it): a faster run with a plan that
ignores the index is luck, not the index. Candidates are taken in order of milliseconds
saved per MB of index, damped by their write cost (``saved / MB / (1 + slowdown)``); one is
chosen when it saves a query more than the ones already chosen do, else dropped with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pgvet.advise.measure import Measured

NOISE = 0.05
MIN_MB = 0.008  # one page: no index is free


@dataclass
class Choice:
    chosen: list[Measured] = field(default_factory=list)
    dropped: list[tuple[Measured, str]] = field(default_factory=list)


def savings(measured: Measured) -> dict[str, float]:
    """Query → P50 ms saved by this index alone, where its plan used it, above the noise."""
    base = {q.name: q.percentile(50) for q in measured.baseline.queries}
    out = {}
    for query in measured.run.queries:
        old, new = base.get(query.name), query.percentile(50)
        if query.name not in measured.used_by or old is None or new is None:
            continue
        if old - new > NOISE * old:
            out[query.name] = old - new
    return out


def score(measured: Measured) -> float:
    saved = sum(savings(measured).values())
    megabytes = max(measured.size_bytes / 1e6, MIN_MB)
    return saved / megabytes / (1 + max(measured.write_cost_pct, 0) / 100)


def choose(measured: list[Measured]) -> Choice:
    out = Choice()
    best: dict[str, float] = {}
    for item in sorted(measured, key=score, reverse=True):
        saved = savings(item)
        if not item.used_by:
            out.dropped.append((item, "built, no plan uses it"))
            continue
        if not saved:
            out.dropped.append((item, f"used by {', '.join(item.used_by)}, saves nothing"))
            continue
        gain = {q: s for q, s in saved.items() if s > best.get(q, 0.0)}
        if not gain:
            out.dropped.append((item, "adds nothing to the indexes already chosen"))
            continue
        out.chosen.append(item)
        best.update(gain)
    return out
