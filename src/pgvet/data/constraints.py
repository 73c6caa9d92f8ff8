"""What a table's constraints and types allow, read from the catalog: shared by the RLS
fixture (a few valid rows) and ``pgvet data`` (millions of realistic ones).

pgvet does not solve check constraints in general; it reads the common shapes (``col in
(…)`` / ``= any(array[…])``, ``col = 'x'``, ``jsonb ? 'key'``, ``length(col) = n``) and
leaves the rest to PostgreSQL, whose violations tell the generators what to try next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from pgvet.catalog.model import Catalog, Table

_ANY_ARRAY = re.compile(
    r"\(*(?P<col>\w+)\)*(?:::[\w ]+)?\s*=\s*ANY\s*\(\(*ARRAY\[(?P<items>.*?)\]", re.S
)
_EQUALS = re.compile(
    r"(?<!\w)\(\(?(?P<col>\w+)\)?(?:::[\w ]+)?\s*=\s*(?P<item>'(?:[^']|'')*'|-?\d+)"
)
_ITEM = re.compile(r"'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)")
_PRIVILEGED = re.compile(r"super|admin|owner|platform|root|system|service", re.I)


def check_value_lists(catalog: Catalog, table: Table) -> dict[str, tuple[str, ...]]:
    """Column → the values a ``check (col in (…))`` / ``= any(array[…])`` allows."""
    out: dict[str, tuple[str, ...]] = {}
    for con in catalog.constraints_of(table.schema, table.name):
        if con.kind != "check":
            continue
        for match in _ANY_ARRAY.finditer(con.definition):
            items = tuple(
                (m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2))
                for m in _ITEM.finditer(match["items"])
            )
            if items and match["col"] in table.column_names:
                out.setdefault(match["col"], items)
        if " OR " not in con.definition and "ANY" not in con.definition:
            for match in _EQUALS.finditer(con.definition):
                item = match["item"]
                value = item[1:-1].replace("''", "'") if item.startswith("'") else item
                if match["col"] in table.column_names:
                    out.setdefault(match["col"], (value,))
    return out


_JSON_KEY = re.compile(
    r"\(*(?P<col>\w+)(?:\s*->\s*'(?P<sub>[^']+)'(?:::text)?\))?\)*\s*\?\s*'(?P<key>[^']+)'"
)
_LENGTH = re.compile(r"(?:char_)?length\(\(?(?P<col>\w+)\)?(?:::text)?\)\s*=\s*(?P<n>\d+)")


def json_required_keys(catalog: Catalog, table: Table) -> dict[str, dict[str, object]]:
    """Column → the JSON object that checks like ``config ? 'tools'`` and
    ``(config -> 'tools') ? 'mcp'`` require (keys only; values are placeholders)."""
    out: dict[str, dict[str, object]] = {}
    for con in catalog.constraints_of(table.schema, table.name):
        if con.kind != "check":
            continue
        for match in _JSON_KEY.finditer(con.definition):
            if match["col"] not in table.column_names:
                continue
            doc = out.setdefault(match["col"], {})
            if match["sub"]:
                inner = doc.get(match["sub"])
                if not isinstance(inner, dict):
                    inner = doc[match["sub"]] = {}
                inner.setdefault(match["key"], "pgvet")
            else:
                doc.setdefault(match["key"], "pgvet")
    return out


def exact_lengths(catalog: Catalog, table: Table) -> dict[str, int]:
    """Column → the length a ``check (length(col) = n)`` demands."""
    out: dict[str, int] = {}
    for con in catalog.constraints_of(table.schema, table.name):
        if con.kind == "check":
            for match in _LENGTH.finditer(con.definition):
                out.setdefault(match["col"], int(match["n"]))
    return out


def unprivileged_first(values: tuple[str, ...]) -> tuple[str, ...]:
    """Order values so that ``super_admin`` / ``owner`` / … come last.

    A generated row must not quietly make its user a platform administrator: that user
    would rightly see every tenant and every isolation check would fail for no reason.
    """
    return tuple(sorted(values, key=lambda v: bool(_PRIVILEGED.search(v))))


@dataclass(frozen=True)
class TypeInfo:
    """What PostgreSQL says about a column type (domains resolved to their base type)."""

    typtype: str  # b base, d domain, e enum, c composite, r range, m multirange
    category: str  # pg_type.typcategory of the base type
    base: str  # base type name (int4, text, timestamptz, vector, …)


_TYPES_SQL = """
select n.nspname, t.typname, t.typtype,
       coalesce(b.typcategory, t.typcategory)::text, coalesce(b.typname, t.typname)::text
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
left join pg_type b on t.typtype = 'd' and b.oid = t.typbasetype
where (n.nspname, t.typname) in (select * from unnest(%s::text[], %s::text[]))
"""


def load_types(conn: psycopg.Connection, tables: list[Table]) -> dict[tuple[str, str], TypeInfo]:
    """Type facts for every column type of ``tables``, in one query."""
    keys = {(c.type_schema, c.type_name) for t in tables for c in t.columns}
    if not keys:
        return {}
    schemas, names = zip(*sorted(keys), strict=True)
    rows = conn.execute(_TYPES_SQL, (list(schemas), list(names))).fetchall()
    return {(r[0], r[1]): TypeInfo(r[2], r[3], r[4]) for r in rows}


_BOUND = re.compile(
    r"\(*(?P<col>\w+)\)*(?:::[\w ]+)?\s*(?P<op>>=|<=|>|<)\s*\(*(?P<num>-?\d+(?:\.\d+)?)\)*"
)
_ORDER = re.compile(r"\((?P<left>\w+)\s*(?P<op>>=|<=|>|<)\s*(?P<right>\w+)\)")


def numeric_bounds(catalog: Catalog, table: Table) -> dict[str, tuple[float | None, float | None]]:
    """Column → (lowest, highest) allowed by checks like ``score >= 0 and score <= 100`` or
    ``quantity > 0`` (strict bounds tightened by one unit, which integers need)."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for con in catalog.constraints_of(table.schema, table.name):
        if con.kind != "check" or " OR " in con.definition:
            continue
        for match in _BOUND.finditer(con.definition):
            col = match["col"]
            if col not in table.column_names:
                continue
            low, high = out.get(col, (None, None))
            value = float(match["num"])
            if match["op"] in (">=", ">"):
                value += 1 if match["op"] == ">" else 0
                low = value if low is None else max(low, value)
            else:
                value -= 1 if match["op"] == "<" else 0
                high = value if high is None else min(high, value)
            out[col] = (low, high)
    return out


def column_orderings(catalog: Catalog, table: Table) -> list[tuple[str, str, bool]]:
    """``(later, earlier, strict)`` for checks like ``period_end >= period_start``."""
    out = []
    names = set(table.column_names)
    for con in catalog.constraints_of(table.schema, table.name):
        if con.kind != "check" or " OR " in con.definition:
            continue
        for match in _ORDER.finditer(con.definition):
            left, right, op = match["left"], match["right"], match["op"]
            if left in names and right in names:
                if op in (">=", ">"):
                    out.append((left, right, op == ">"))
                else:
                    out.append((right, left, op == "<"))
    return out
