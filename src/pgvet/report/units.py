"""Byte sizes in words, one way for every report (inspect, its checks, live sizes)."""

from __future__ import annotations


def size(n: float | None) -> str:
    """``512 B``, ``1.5 kB``, ``3.2 GB`` (powers of 1024, PostgreSQL's ``pg_size_pretty``
    units); empty for an unknown size."""
    if n is None:
        return ""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"
