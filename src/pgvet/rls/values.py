"""Candidate values for generated rows: valid for the type, the enum and the checks.

pgvet does not try to solve check constraints. Each column gets a short ordered list of
candidates (its default, NULL when allowed, then typed values: the labels of an enum, the
values of a ``check (col in (…))``, numbers 1, 2, 0, 10 …, a few timestamps an hour
apart); the fixture tries the first of each and, when PostgreSQL names a violated check,
moves on along the candidates of that constraint's columns. Values are SQL text cast to
the column's type, so PostgreSQL does the parsing (and ``varchar(n)`` the truncating).
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from pgvet.catalog.model import Column
from pgvet.data.constraints import TypeInfo, unprivileged_first

DEFAULT = object()
NULL = object()

_TIMES = (
    "2025-01-15 09:00:00+00",
    "2025-01-15 10:30:00+00",
    "2025-01-16 17:00:00+00",
    "2024-06-01 08:00:00+00",
)
_NUMBERS = ("1", "2", "0", "10", "100", "1000", "-1")


class Counter:
    """Process-wide sequence numbers so generated strings never repeat."""

    def __init__(self) -> None:
        self._it = itertools.count(1)

    def next(self) -> int:
        return next(self._it)


Candidate = Any
"""DEFAULT, NULL, a str (the value's SQL text) or a zero-argument callable making one."""


def _text_maker(column: str, world: str, counter: Counter) -> Callable[[], str]:
    name = column.lower()
    w = world.lower()

    def make() -> str:
        n = counter.next()
        if "email" in name:
            return f"pgvet.{w}{n}@example.test"
        if any(k in name for k in ("url", "website", "link", "avatar", "logo", "image", "path")):
            return f"https://example.test/pgvet/{w}{n}"
        if "phone" in name or "mobile" in name:
            return f"+1555{n:07d}"
        if any(k in name for k in ("slug", "code", "handle", "username", "sku", "number", "key")):
            return f"pgvet-{w}{n}"
        if name in ("locale", "language", "lang"):
            return "en"
        if "currency" in name:
            return "USD"
        if name in ("timezone", "time_zone", "tz"):
            return "UTC"
        if "color" in name or "colour" in name:
            return "#336699"
        return f"pgvet {world} {n}"

    return make


def _one_element(element: str) -> str:
    """A one-element array literal, for checks such as ``cardinality(roles) > 0``."""
    if element in ("int2", "int4", "int8", "numeric", "float4", "float8"):
        return "{1}"
    if element == "uuid":
        return "{" + str(uuid.UUID(int=1)) + "}"
    if element == "bool":
        return "{true}"
    return "{pgvet}"


def typed_candidates(
    column: Column,
    info: TypeInfo | None,
    checks: dict[str, tuple[str, ...]],
    enum_values: tuple[str, ...] | None,
    world: str,
    counter: Counter,
    json_keys: dict[str, dict[str, object]] | None = None,
    lengths: dict[str, int] | None = None,
) -> list[Candidate]:
    """Typed values for ``column``, most plausible first (no DEFAULT / NULL here)."""
    if column.name in checks:
        return list(unprivileged_first(checks[column.name]))
    if column.is_array or (info and info.category == "A"):
        return ["{}", _one_element(column.type_name.lstrip("_"))]
    if enum_values:
        return list(unprivileged_first(enum_values))
    base = info.base if info else column.type_name
    category = info.category if info else ""
    if base == "uuid":
        return [lambda: str(uuid.uuid4())]
    if base in ("json", "jsonb"):
        required = (json_keys or {}).get(column.name)
        shaped = [json.dumps(required)] if required else []
        return [*shaped, "{}", "[]", '{"pgvet": true}']
    if base == "bool" or category == "B":
        return ["false", "true"]
    if category == "N":
        return list(_NUMBERS)
    if category == "D":
        return list(_TIMES)
    if category == "T":
        return ["1 hour", "2 hours", "30 minutes"]
    if base in ("inet", "cidr"):
        return ["10.0.0.1/32", "127.0.0.1/32"]
    if base == "macaddr":
        return ["08:00:2b:01:02:03"]
    if base == "bytea":
        return ["\\x00"]
    if base == "tsvector":
        return ["pgvet"]
    if base == "point":
        return ["(0,0)"]
    if base == "vector" or base == "halfvec":
        dims = re.search(r"\((\d+)\)", column.type)
        size = int(dims.group(1)) if dims else 3
        return ["[" + ",".join(["0.1"] * size) + "]"]
    if base == "sparsevec":
        dims = re.search(r"\((\d+)\)", column.type)
        return [f"{{1:0.1}}/{dims.group(1) if dims else 3}"]
    if category == "R":
        return ["empty"]
    if base in ("bit", "varbit"):
        return ["1"]
    if base == "xml":
        return ["<pgvet/>"]
    if category == "S" or base in ("citext", "name"):
        exact = (lengths or {}).get(column.name)
        if exact:
            return [lambda: f"{world}{counter.next():0{max(exact - 1, 1)}d}"[-exact:]]
        return [_text_maker(column.name, world, counter), "pgvet", "a"]
    return []


def materialize(candidate: Candidate) -> Candidate:
    """A callable candidate produces a fresh value (a new uuid, a new numbered string)."""
    if callable(candidate):
        return candidate()
    return candidate
