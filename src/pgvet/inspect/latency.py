"""Percentile bounds from pg_stat_statements, which keeps no percentiles.

The review's targets are P95 < 200 ms and P99 < 500 ms, but pg_stat_statements records
only calls, mean, population standard deviation, min and max. For any distribution with
mean μ and standard deviation σ, Cantelli's (one-sided Chebyshev) inequality bounds the
q-th percentile: it lies between μ - σ·√((1-q)/q) and μ + σ·√(q/(1-q)), and always between
min and max. A statement whose lower bound passes the target breaks it for certain; one
whose upper bound stays below it meets it for certain; in between, only a measurement can
tell, and pgvet says so rather than guessing.
"""

from __future__ import annotations

import math

from pgvet.inspect.model import Latency


def percentile_bounds(q: float, mean: float, stddev: float, low: float, high: float) -> Latency:
    """Bounds of the ``q``-quantile (0 < q < 1) of calls with these figures (ms)."""
    below = mean - stddev * math.sqrt((1 - q) / q)
    above = mean + stddev * math.sqrt(q / (1 - q))
    return Latency(max(low, below), min(high, above))
