"""One column of generated rows: values that look like production's, encoded for COPY.

The column's name says what it holds (``email``, ``price``, ``created_at``, ``is_active``,
``notes``), its type how to encode it, and the catalog what is allowed (enum labels,
``check`` lists and bounds, ``varchar(n)``, uniqueness). Timestamps grow over a period
(more rows recently, as a growing product has); enums and statuses are skewed (a few
values are most rows); text lengths are log-normal. When PostgreSQL still rejects a value
(a check pgvet cannot read), :mod:`pgvet.data.load` moves the column to its next *stage*:
NULL where allowed, then the RLS fixture's typed candidates, one after the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pgvet.catalog.model import Column
from pgvet.data import binary, text
from pgvet.data.binary import Field, Fixed, Variable
from pgvet.data.constraints import unprivileged_first
from pgvet.data.facts import TypeFacts
from pgvet.data.usage import JsonShape

DAY_US = 86_400_000_000
#: fraction of NULLs in a nullable column with no better idea
NULL_SHARE = 0.15
#: soft-deleted rows are rare
DELETED_SHARE = 0.03

_CREATED = re.compile(r"^(created|inserted|occurred|logged|recorded|submitted)(_at|_on)?$")
_FUTURE = re.compile(r"(next|expire|due|scheduled|valid_until|until|end|deadline|follow_up)")
_DELETED = re.compile(r"(deleted|archived|cancelled|canceled|banned|revoked)_at$")
_TRUE_MOSTLY = re.compile(r"(active|enabled|visible|available|published|verified|confirmed)")
_MONEY = re.compile(r"(price|amount|total|value|cost|fee|spent|revenue|salary|balance|budget)")


@dataclass
class Generated:
    """A generated column: ``raw`` values (numbers, strings) for keys and orderings, the
    NULL mask, and the encoded COPY field."""

    raw: Any
    nulls: np.ndarray | None
    field: Field


@dataclass
class Context:
    """What a column generator may use: randomness, the period, vocabularies, the
    catalog's limits for this table, and the columns generated so far in this chunk."""

    rng: np.random.Generator
    start_us: int
    end_us: int
    words: list[str]
    pools: dict[str, list[str]] = field(default_factory=dict)
    value_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    earlier: dict[str, tuple[str, bool]] = field(default_factory=dict)
    json_required: dict[str, dict[str, object]] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    distinct: set[str] = field(default_factory=set)
    done: dict[str, Generated] = field(default_factory=dict)

    def pool(self, name: str, make: Callable[[], list[str]]) -> list[str]:
        if name not in self.pools:
            self.pools[name] = make()
        return self.pools[name]


def generate(
    ctx: Context,
    column: Column,
    facts: TypeFacts,
    rows: int,
    offset: int,
    labels: tuple[str, ...] | None,
    shape: JsonShape,
) -> Generated | None:
    """``rows`` values of ``column`` (row numbers from ``offset``), or None when pgvet has no
    generator for the type (the caller then uses a typed candidate constant)."""
    name = column.name.lower()
    nulls = _nulls(ctx, column, name, rows)
    allowed = ctx.value_lists.get(column.name) or labels
    if allowed and facts.category in ("S", "E"):
        return _labels(ctx, allowed, rows, nulls)
    if allowed and facts.base in ("int2", "int4", "int8"):
        picks = ctx.rng.choice(np.array([int(float(v)) for v in allowed]), rows)
        dtype = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}[facts.base]
        return Generated(picks, nulls, Fixed(picks.astype(dtype), nulls))
    if allowed:
        return None
    if facts.category == "A":
        return _array(ctx, name, facts, rows, nulls)
    base = facts.base
    maker = _MAKERS.get(base)
    if maker is None:
        if facts.category == "S":
            maker = _text
        else:
            return None
    return maker(ctx, column, facts, rows, offset, nulls, shape)


def _nulls(ctx: Context, column: Column, name: str, rows: int) -> np.ndarray | None:
    if column.not_null or column.name in ctx.distinct:
        return None
    share = 1 - DELETED_SHARE if _DELETED.search(name) else NULL_SHARE
    mask = ctx.rng.random(rows) < share
    return mask if mask.any() else None


def _labels(
    ctx: Context, allowed: tuple[str, ...], rows: int, nulls: np.ndarray | None
) -> Generated:
    ordered = unprivileged_first(tuple(allowed))
    picks = ctx.rng.choice(len(ordered), rows, p=text.zipf_weights(len(ordered), 0.9))
    raw = [ordered[i] for i in picks]
    encoded = [v.encode() for v in ordered]
    values: list[bytes | None] = [encoded[i] for i in picks]
    _blank(values, nulls)
    return Generated(raw, nulls, Variable(values))


def _blank(values: list[Any], nulls: np.ndarray | None) -> None:
    if nulls is not None:
        for row in np.flatnonzero(nulls):
            values[row] = None


# --- numbers -------------------------------------------------------------------------------


def _integers(
    ctx: Context, column: Column, facts: TypeFacts, rows: int, offset: int, nulls, shape
) -> Generated:
    name = column.name.lower()
    rng = ctx.rng
    low, high = ctx.bounds.get(column.name, (None, None))
    if column.name in ctx.distinct:
        raw = np.arange(offset + 1, offset + rows + 1, dtype=np.int64)
    elif low is not None and high is not None and low <= high:
        raw = rng.integers(int(low), int(high) + 1, rows)
    elif "minute" in name or "duration" in name:
        raw = rng.choice(np.array([15, 30, 45, 60, 90, 120]), rows)
    elif "year" in name:
        raw = rng.integers(2019, 2027, rows)
    elif name == "age" or name.endswith("_age"):
        raw = rng.integers(18, 71, rows)
    elif any(k in name for k in ("priority", "level", "rank", "order", "position", "sort")):
        raw = rng.integers(0, 11, rows)
    elif "hour" in name:
        raw = rng.integers(8, 21, rows)
    elif any(k in name for k in ("count", "quantity", "qty", "number", "visits", "stock")):
        raw = rng.geometric(0.3, rows).astype(np.int64)
    else:
        raw = rng.geometric(0.02, rows).astype(np.int64)
    raw = _within(raw, low, high, rng)
    raw = _after(ctx, column, raw, 1)
    dtype = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}[facts.base]
    limit = {"int2": 32_767, "int4": 2**31 - 1, "int8": 2**63 - 1}[facts.base]
    raw = np.minimum(raw, limit)
    return Generated(raw, nulls, Fixed(raw.astype(dtype), nulls))


def _within(raw: np.ndarray, low: float | None, high: float | None, rng) -> np.ndarray:
    """Values outside a check's bounds are redrawn inside them."""
    if low is None and high is None:
        return raw
    lo = low if low is not None else min(0, high or 0)
    hi = high if high is not None else max(lo + 100, float(np.max(raw, initial=lo)))
    if lo > hi:  # bounds pgvet misread: PostgreSQL will say
        return raw
    bad = (raw < lo) | (raw > hi)
    if bad.any():
        fresh = rng.uniform(lo, hi, int(bad.sum()))
        raw = raw.copy()
        raw[bad] = np.round(fresh).astype(raw.dtype) if raw.dtype.kind == "i" else fresh
    return raw


def _after(ctx: Context, column: Column, raw: np.ndarray, unit: int) -> np.ndarray:
    """A column a check orders after another (``period_end >= period_start``) is that
    column plus a positive step."""
    found = ctx.earlier.get(column.name)
    if found is None or found[0] not in ctx.done:
        return raw
    before = ctx.done[found[0]].raw
    if not isinstance(before, np.ndarray) or before.dtype != raw.dtype:
        return raw
    step = np.abs(raw - np.min(raw, initial=0)) % max(unit * 30, 1) + (unit if found[1] else 0)
    return before + step


def _floats(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    raw = ctx.rng.lognormal(np.log(50), 1.0, rows)
    low, high = ctx.bounds.get(column.name, (None, None))
    raw = _within(raw, low, high, ctx.rng)
    dtype = ">f4" if facts.base == "float4" else ">f8"
    return Generated(raw, nulls, Fixed(raw.astype(dtype), nulls))


def _numerics(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    name = column.name.lower()
    scale = facts.scale if facts.scale is not None else 2
    rng = ctx.rng
    low, high = ctx.bounds.get(column.name, (None, None))
    if any(k in name for k in ("percent", "rate", "score", "ratio")):
        raw = rng.uniform(0, 100, rows)
    elif _MONEY.search(name):
        raw = rng.lognormal(np.log(1500), 1.0, rows)
    elif "quantity" in name or "qty" in name:
        raw = rng.geometric(0.3, rows).astype(float)
    else:
        raw = rng.lognormal(np.log(100), 1.0, rows)
    raw = _within(raw, low, high, rng)
    if facts.precision is not None:
        top = 10.0 ** (facts.precision - scale) - 10.0 ** -min(scale, 4)
        raw = np.minimum(raw, top)
    scaled = np.round(raw * 10 ** min(scale, 4)).astype(np.int64)
    return Generated(raw, nulls, Fixed(binary.numerics(scaled, scale), nulls))


def _booleans(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    share = 0.85 if _TRUE_MOSTLY.search(column.name.lower()) else 0.15
    raw = ctx.rng.random(rows) < share
    return Generated(raw, nulls, Fixed(raw.astype("u1"), nulls))


# --- identifiers, time ---------------------------------------------------------------------


def _uuids(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    raw = binary.uuids(ctx.rng.bytes(16 * rows))
    return Generated(raw, nulls, Fixed(raw, nulls))


def _moments(ctx: Context, column: Column, rows: int) -> np.ndarray:
    """Microseconds since the Unix epoch: creation times grow towards the end of the period
    (density rising linearly); other times follow the row's creation."""
    name = column.name.lower()
    rng = ctx.rng
    span = ctx.end_us - ctx.start_us
    created = next(
        (
            g.raw
            for n, g in ctx.done.items()
            if _CREATED.match(n.lower())
            and isinstance(g.raw, np.ndarray)
            and g.raw.dtype == np.int64
            and g.raw.min(initial=0) > DAY_US * 10_000
        ),
        None,
    )
    if created is None or _CREATED.match(name):
        base = ctx.start_us + (span * np.sqrt(rng.random(rows))).astype(np.int64)
    elif _FUTURE.search(name):
        base = created + rng.integers(1, 60, rows) * DAY_US
    else:
        base = created + (rng.exponential(3.0, rows) * DAY_US).astype(np.int64)
    if column.name in ctx.distinct:
        base = base + np.arange(rows, dtype=np.int64)
    return base


def _timestamps(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    raw = _after(ctx, column, _moments(ctx, column, rows), DAY_US)
    return Generated(raw, nulls, Fixed(binary.timestamps(raw), nulls))


def _dates(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    raw = _moments(ctx, column, rows) // DAY_US
    raw = _after(ctx, column, raw, 1)
    return Generated(raw, nulls, Fixed(binary.dates(raw), nulls))


def _times(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    quarter = 15 * 60_000_000
    raw = ctx.rng.integers(8 * 4, 20 * 4, rows) * quarter
    raw = _after(ctx, column, raw, quarter)
    raw = np.minimum(raw, DAY_US - 1)
    return Generated(raw, nulls, Fixed(raw.astype(">i8"), nulls))


def _inets(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    raw = ctx.rng.integers(0x0B000001, 0xDF000000, rows, dtype=np.int64).astype(np.uint32)
    return Generated(raw, nulls, Fixed(binary.inets(raw), nulls))


# --- text and JSON -------------------------------------------------------------------------


def text_kind(name: str) -> str:
    """What a text column holds, by its name."""
    rules = (
        ("email", ("email",)),
        ("phone", ("phone", "mobile", "tel")),
        (
            "url",
            ("url", "website", "avatar", "image", "photo", "thumbnail", "logo", "path", "file"),
        ),
        (
            "person",
            (
                "full_name",
                "first_name",
                "last_name",
                "nickname",
                "display_name",
                "contact_name",
                "customer_name",
                "patient_name",
                "sender_name",
            ),
        ),
        (
            "code",
            (
                "code",
                "slug",
                "sku",
                "number",
                "token",
                "reference",
                "handle",
                "username",
                "key",
                "hash",
                "barcode",
            ),
        ),
        (
            "long",
            (
                "description",
                "content",
                "note",
                "body",
                "message",
                "comment",
                "text",
                "summary",
                "detail",
                "bio",
                "reason",
                "instruction",
                "diagnosis",
                "feedback",
                "recommendation",
                "response",
            ),
        ),
        ("title", ("title", "subject", "headline", "name", "label")),
        ("city", ("city", "province", "district", "region")),
        ("address", ("address", "street")),
        ("postal", ("postal", "zip")),
        ("currency", ("currency",)),
        ("locale", ("locale", "language", "lang")),
        ("timezone", ("timezone", "time_zone")),
        ("color", ("color", "colour")),
    )
    for kind, needles in rules:
        if any(n in name for n in needles):
            return kind
    return "words"


_CONSTANTS = {"currency": "THB", "locale": "th", "timezone": "Asia/Bangkok"}


def _text(ctx, column, facts, rows, offset, nulls, shape) -> Generated:
    name = column.name.lower()
    kind = text_kind(name)
    rng = ctx.rng
    distinct = column.name in ctx.distinct
    exact = ctx.lengths.get(column.name)
    numbers = np.arange(offset + 1, offset + rows + 1)
    if exact:
        raw = [f"{n:0{exact}d}"[-exact:] for n in numbers]
    elif kind == "email":
        names = ctx.pool("first", lambda: [w.lower() for w in text.FIRST_NAMES])
        picks = rng.integers(0, len(names), rows)
        raw = [f"{names[p]}.{n}@example.test" for p, n in zip(picks, numbers, strict=True)]
    elif kind == "phone":
        raw = [
            f"+66 8{d // 10_000_000} {d // 10_000 % 1000:03d} {d % 10_000:04d}"
            for d in rng.integers(0, 100_000_000, rows)
        ]
    elif kind == "url":
        raw = [f"https://cdn.example.test/{column.name}/{n}.jpg" for n in numbers]
    elif kind == "code":
        prefix = re.sub(r"[^A-Z]", "", column.name.upper())[:3] or "C"
        raw = [f"{prefix}-{n:07d}" for n in numbers]
        distinct = False
    elif kind in _CONSTANTS:
        raw = [_CONSTANTS[kind]] * rows
    elif kind == "postal":
        raw = [f"{d:05d}" for d in rng.integers(10_000, 99_999, rows)]
    elif kind == "color":
        raw = [f"#{d:06x}" for d in rng.integers(0, 0xFFFFFF, rows)]
    else:
        pool = _text_pool(ctx, kind)
        raw = [pool[i] for i in rng.integers(0, len(pool), rows)]
        if kind == "long":  # two halves: many distinct texts from two small pools
            second = [pool[i] for i in rng.integers(0, len(pool), rows)]
            raw = [f"{a} {b}" for a, b in zip(raw, second, strict=True)]
    if distinct:
        raw = [f"{v} {n}" for v, n in zip(raw, numbers, strict=True)]
    if facts.max_length:
        limit = facts.max_length
        raw = [v if len(v) <= limit else _cut(v, limit, distinct) for v in raw]
    values: list[bytes | None] = [v.encode() for v in raw]
    _blank(values, nulls)
    return Generated(raw, nulls, Variable(values))


def _cut(value: str, limit: int, keep_tail: bool) -> str:
    """Fit ``varchar(n)``; a distinct value keeps its number (the tail)."""
    return value[-limit:] if keep_tail else value[:limit]


def _text_pool(ctx: Context, kind: str) -> list[str]:
    rng = ctx.rng
    if kind == "person":
        return ctx.pool("person", lambda: text.name_pool(rng, text.POOL))
    if kind == "long":
        return ctx.pool("long", lambda: text.sentence_pool(rng, ctx.words, 12, text.POOL))
    if kind == "title":
        return ctx.pool("title", lambda: text.title_pool(rng, ctx.words, text.POOL))
    if kind == "city":
        return list(text.CITIES)
    if kind == "address":
        return ctx.pool(
            "address",
            lambda: [
                f"{n} {w.capitalize()} Rd"
                for n, w in zip(rng.integers(1, 999, 512), rng.choice(ctx.words, 512), strict=True)
            ],
        )
    return ctx.pool("words", lambda: text.sentence_pool(rng, ctx.words, 3, text.POOL))


def _json(ctx, column, facts, rows, offset, nulls, shape: JsonShape) -> Generated:
    pool = ctx.pool(f"json:{column.name}", lambda: _documents(ctx, column, shape))
    picks = ctx.rng.integers(0, len(pool), rows)
    raw = [pool[i] for i in picks]
    prefix = b"\x01" if facts.base == "jsonb" else b""
    encoded = [prefix + d.encode() for d in pool]
    values: list[bytes | None] = [encoded[i] for i in picks]
    _blank(values, nulls)
    return Generated(raw, nulls, Variable(values))


def _documents(ctx: Context, column: Column, shape: JsonShape, size: int = 1024) -> list[str]:
    """JSON documents of the shape the queries read: arrays of labels where they test
    containment (the labels they look for among others), objects with the keys they read
    (and the keys a check requires)."""
    rng = ctx.rng
    if shape.is_array:
        labels = list(dict.fromkeys([*ctx.words[8:11], *shape.items, *ctx.words[11:24]]))
        weights = text.zipf_weights(len(labels), 0.8)
        docs = []
        for count in rng.integers(0, 5, size):
            picks = rng.choice(len(labels), count, replace=False, p=weights) if count else []
            docs.append(json.dumps([labels[i] for i in picks]))
        return docs
    keys = dict(shape.keys)
    keys.update(ctx.json_required.get(column.name, {}))
    if not keys:
        keys = {"source": None, "note": None}
    docs = []
    for _ in range(size):
        doc = {k: _json_value(rng, k, example, ctx.words) for k, example in keys.items()}
        docs.append(json.dumps(doc, separators=(",", ":")))
    return docs


def _json_value(rng: np.random.Generator, key: str, example: object, words: list[str]) -> object:
    if isinstance(example, dict):
        return {k: _json_value(rng, k, v, words) for k, v in example.items()}
    if isinstance(example, bool) or key.startswith(("is_", "has_")) or key.endswith("enabled"):
        return bool(rng.random() < 0.5)
    if isinstance(example, int | float) or any(
        k in key for k in ("score", "count", "percent", "amount", "age", "level")
    ):
        return int(rng.integers(0, 100))
    if key.endswith("_at") or key.endswith("date"):
        return f"2025-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
    return str(words[int(rng.integers(8, len(words)))])


def _array(ctx: Context, name: str, facts: TypeFacts, rows: int, nulls) -> Generated | None:
    rng = ctx.rng
    element = facts.element
    counts = rng.integers(0, 4, rows)
    if element in ("text", "varchar", "citext"):
        pool = [w.encode() for w in ctx.words[8:40]]
        raw = [[pool[i] for i in rng.integers(0, len(pool), c)] for c in counts]
    elif element in ("int4", "int8", "int2"):
        fmt = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}[element]
        raw = [[np.array(v, dtype=fmt).tobytes() for v in rng.integers(1, 100, c)] for c in counts]
    elif element == "uuid":
        raw = [[rng.bytes(16) for _ in range(c)] for c in counts]
    else:
        return None
    values: list[bytes | None] = [binary.text_array(items, facts.element_oid) for items in raw]
    _blank(values, nulls)
    return Generated(raw, nulls, Variable(values))


_MAKERS: dict[str, Callable[..., Generated]] = {
    "int2": _integers,
    "int4": _integers,
    "int8": _integers,
    "float4": _floats,
    "float8": _floats,
    "numeric": _numerics,
    "bool": _booleans,
    "uuid": _uuids,
    "timestamptz": _timestamps,
    "timestamp": _timestamps,
    "date": _dates,
    "time": _times,
    "inet": _inets,
    "json": _json,
    "jsonb": _json,
    "text": _text,
    "varchar": _text,
    "bpchar": _text,
    "citext": _text,
}
