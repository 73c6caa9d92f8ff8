"""``pgvet data --like URL``: row counts and value spreads taken from a live database's
statistics, applied to the generated rows.

The generator still makes every value (types, checks, keys, tenants stay its job); a
column the live database has statistics for is then reshaped: NULL at ``null_frac``, the
most-common values at their frequencies, and the other rows drawn from a pool of as many
distinct generated values as ``n_distinct`` leaves (negative: a fraction of the rows).
Keys, foreign keys, unique columns and columns a check orders are left as generated:
their values are constrained, and a reshaped key would break what the generator
guarantees. Most-common values reach the sandbox only, never a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from pgvet.catalog.model import Column
from pgvet.data import columns
from pgvet.data.binary import Fixed, Variable
from pgvet.data.facts import TypeFacts, binary_constant
from pgvet.data.plan import Scale, read_scale
from pgvet.live.distributions import ColumnShape, LiveShape

#: below this share of the rows as distinct values, the rest is drawn from a fixed pool
POOL_SHARE = 0.5


def like_scale(shape: LiveShape, rows: int | None, scale_file: Path | None, default: int) -> Scale:
    """Row counts with ``--like``: a scale file's ``[rows]`` win, then the live estimates
    (capped at ``--rows N`` when given), then the file's ``default`` (else ``N``, else
    ``default``) for tables the live database has no estimate of."""
    like = {key: t.rows for key, t in shape.tables.items() if t.rows is not None}
    if scale_file is not None:
        base = read_scale(scale_file)
        return Scale(base.default, base.tables, like, rows)
    return Scale(rows if rows is not None else default, {}, like, rows)


@dataclass
class Shaper:
    """Reshapes one column's generated values, chunk after chunk, to the live spread."""

    shape: ColumnShape
    common: list[bytes]
    common_raw: list[Any]
    nullable: bool
    total_rows: int
    base: str = ""
    pool: list[bytes] | None = None
    pool_raw: list[Any] | None = None
    _weights: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        freqs = np.array(self.shape.freqs[: len(self.common)], dtype=float)
        self._weights = freqs / freqs.sum() if len(freqs) and freqs.sum() > 0 else freqs

    @property
    def common_share(self) -> float:
        return float(sum(self.shape.freqs[: len(self.common)]))

    def apply(
        self, rng: np.random.Generator, made: columns.Generated, rows: int
    ) -> columns.Generated:
        null_share = self.shape.null_frac if self.nullable else 0.0
        draw = rng.random(rows)
        nulls = draw < null_share
        common = ~nulls & (draw < null_share + self.common_share)
        rest = ~nulls & ~common
        base = _row_bytes(made, rows)
        raw = _raw_list(made.raw, rows)
        present = np.flatnonzero([v is not None for v in base])
        values: list[bytes | None] = [None] * rows
        out_raw: list[Any] = [None] * rows
        if common.any():
            picks = rng.choice(len(self.common), int(common.sum()), p=self._weights)
            for row, pick in zip(np.flatnonzero(common), picks, strict=True):
                values[row], out_raw[row] = self.common[pick], self.common_raw[pick]
        if rest.any() and len(present):
            wanted = self.shape.distinct_for(self.total_rows) - len(self.common)
            expected = self.total_rows * max(1.0 - null_share - self.common_share, 0.0)
            if self.pool is None and wanted < POOL_SHARE * expected:
                self.pool, self.pool_raw = _pool(
                    [(base[i], raw[i]) for i in present], max(wanted, 1), self.base
                )
            targets = np.flatnonzero(rest)
            if self.pool is not None:
                assert self.pool_raw is not None
                picks = rng.integers(0, len(self.pool), len(targets))
                for row, pick in zip(targets, picks, strict=True):
                    values[row], out_raw[row] = self.pool[pick], self.pool_raw[pick]
            else:  # as generated; a row generated NULL takes the value of a row that is
                # NULL or a common value here (unused), else of any row
                spare = [int(i) for i in present if not rest[i]]
                for row in targets:
                    src = row
                    if base[row] is None:
                        src = spare.pop() if spare else present[rng.integers(len(present))]
                    values[row], out_raw[row] = base[src], raw[src]
        elif rest.any():
            nulls |= rest  # the generator made nothing but NULLs: keep them
        return columns.Generated(out_raw, nulls if nulls.any() else None, Variable(values))


def shapers_for(
    conn: psycopg.Connection,
    table_shape: dict[str, ColumnShape],
    cols: list[Column],
    facts: dict[str, TypeFacts],
    skip: set[str],
    total_rows: int,
) -> dict[str, Shaper]:
    """A shaper for each column with live statistics that is free to reshape; the
    most-common values encoded in binary (text as is, other types by their send
    function on the sandbox); a value the column's type refuses drops that list."""
    out: dict[str, Shaper] = {}
    for col in cols:
        shape = table_shape.get(col.name)
        fact = facts.get(col.name)
        if shape is None or fact is None or col.name in skip or col.generated:
            continue
        common: list[bytes] = []
        raws: list[Any] = []
        try:
            for value in shape.common:
                if fact.category in ("S", "E"):
                    common.append(value.encode())
                else:
                    common.append(binary_constant(conn, value, col.type))
                raws.append(_raw_of(value, fact))
        except psycopg.Error:
            common, raws = [], []
        out[col.name] = Shaper(shape, common, raws, not col.not_null, total_rows, fact.base)
    return out


_INTS = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}
_TEXTS = ("text", "citext")  # not varchar(n): a number could overflow it


def _pool(values: list[tuple[Any, Any]], wanted: int, base: str) -> tuple[list, list]:
    """``wanted`` distinct values (bytes, raw) from the generated ones; when the generator
    made fewer (a narrow distribution), integers continue past the largest and texts get a
    number, so the column has the live number of distinct values."""
    unique = dict(values)
    pool, raws = list(unique)[:wanted], list(unique.values())[:wanted]
    missing = wanted - len(pool)
    if missing > 0 and base in _INTS and all(isinstance(r, int) for r in raws):
        top = max(raws, default=0)
        extra = np.arange(top + 1, top + 1 + missing, dtype=np.int64)
        pool += [v.tobytes() for v in extra.astype(_INTS[base])]
        raws += extra.tolist()
    elif missing > 0 and base in _TEXTS and raws:
        extra_raw = [f"{raws[k % len(raws)]} {k}" for k in range(missing)]
        pool += [r.encode() for r in extra_raw]
        raws += extra_raw
    return pool, raws


def _raw_of(value: str, fact: TypeFacts) -> Any:
    if fact.base in ("int2", "int4", "int8"):
        return int(value)
    return value


def _row_bytes(made: columns.Generated, rows: int) -> list[bytes | None]:
    """Each row's encoded value (None for NULL), from either kind of field."""
    item = made.field
    if isinstance(item, Variable):
        values = list(item.values)
    else:
        assert isinstance(item, Fixed)
        data = item.values.tobytes()
        width = item.values.dtype.itemsize
        values = [data[i * width : (i + 1) * width] for i in range(rows)]
        if item.nulls is not None:
            for row in np.flatnonzero(item.nulls):
                values[row] = None
    if made.nulls is not None:
        for row in np.flatnonzero(made.nulls):
            values[row] = None
    return values


def _raw_list(raw: Any, rows: int) -> list[Any]:
    if isinstance(raw, np.ndarray):
        return raw.tolist()
    return list(raw) if len(raw) == rows else [None] * rows
