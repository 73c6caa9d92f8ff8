"""Parameter values that exist in the generated data.

The ``-- params:`` defaults were written for the seed; on generated rows an id from the
seed finds nothing and every plan is about an empty result. Each ``%(name)s`` compared
with a table's column (``alias.col = %(name)s``, ``col in (%(name)s)``, ``col >=
%(name)s``) is drawn from that column instead: a tenant column gets the persona's tenant,
an equality a value of a row of that tenant (a pool of them, so iterations differ), a
lower bound the column's median and an upper bound its maximum. Parameters compared with
nothing (a search word, a limit) keep their default.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import psycopg

from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog, Table

_TABLE = re.compile(
    r"\b(?:from|join)\s+(?:only\s+)?(?:(\w+)\.)?(\w+)(?:\s+(?:as\s+)?(?!on\b|where\b|join\b|"
    r"left\b|inner\b|cross\b|group\b|order\b|limit\b|using\b)(\w+))?",
    re.I,
)
_COMPARE = re.compile(r"(?:(\w+)\.)?(\w+)\s*(=|>=|<=|>|<|\bin\s*\()\s*%\((\w+)\)s", re.I)

_INSERT = re.compile(
    r"\binsert\s+into\s+(?:(\w+)\.)?(\w+)\s*\(([^)]*)\)\s*(?:values\s*\(|select\b)", re.I
)
_PARAM = re.compile(r"%\((\w+)\)s")

POOL = 20


@dataclass(frozen=True)
class Use:
    """A parameter compared with a table's column, and how."""

    table: Table
    column: str
    op: str


def uses(text: str, catalog: Catalog) -> dict[str, Use]:
    """Parameter name → the first column it is compared with in ``text``."""
    aliases: dict[str, Table] = {}
    for schema, name, alias in _TABLE.findall(text):
        table = catalog.find_table(schema or "public", name)
        if table is None:
            continue
        aliases.setdefault(name, table)
        if alias:
            aliases[alias] = table
    out: dict[str, Use] = _inserted(text, catalog)
    for alias, column, op, param in _COMPARE.findall(text):
        if param in out:
            continue
        candidates = [aliases[alias]] if alias in aliases else list(dict.fromkeys(aliases.values()))
        table = next((t for t in candidates if t.column(column) is not None), None)
        if table is not None:
            out[param] = Use(table, column, op.lower().replace(" ", "").rstrip("("))
    return out


def _inserted(text: str, catalog: Catalog) -> dict[str, Use]:
    """``insert into t (a, b) values (%(x)s, …)`` or ``… select %(x)s, …``: x is a value
    of ``t.a`` (by position in the column list)."""
    match = _INSERT.search(text)
    if match is None:
        return {}
    table = catalog.find_table(match.group(1) or "public", match.group(2))
    if table is None:
        return {}
    columns = [c.strip().strip('"') for c in match.group(3).split(",")]
    out = {}
    for column, item in zip(columns, _items(text[match.end() :]), strict=False):
        found = _PARAM.search(item)
        if found and table.column(column) is not None:
            out.setdefault(found.group(1), Use(table, column, "="))
    return out


def _items(text: str) -> list[str]:
    """The top-level comma-separated items of a values list or select list."""
    items, depth, start = [], 0, 0
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return [*items, text[start:position]]
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:position])
            start = position + 1
        elif depth == 0 and re.match(r"\s(from|where|returning)\b", text[position:], re.I):
            return [*items, text[start:position]]
    return [*items, text[start:]]


class Drawer:
    """Draws parameters for one query; the pools are read once, each draw picks anew."""

    def __init__(
        self,
        conn: psycopg.Connection,
        catalog: Catalog,
        text: str,
        defaults: dict[str, Any],
        tenant: str | None,
        tenant_column: str | None,
        seed: int = 0,
    ) -> None:
        self.defaults = defaults
        self.random = random.Random(seed)
        self.pools: dict[str, list[Any]] = {}
        for param, use in uses(text, catalog).items():
            if use.column == tenant_column and tenant is not None:
                self.pools[param] = [tenant]
                continue
            pool = _pool(conn, use, tenant, tenant_column)
            if pool:
                self.pools[param] = pool

    def draw(self) -> dict[str, Any]:
        """The defaults, with every drawable parameter replaced by an existing value."""
        out = dict(self.defaults)
        for param, pool in self.pools.items():
            out[param] = self.random.choice(pool)
        return out

    def drawn(self) -> list[str]:
        return sorted(self.pools)


def _pool(
    conn: psycopg.Connection, use: Use, tenant: str | None, tenant_column: str | None
) -> list[Any]:
    table = use.table
    name = f"{ident(table.schema)}.{ident(table.name)}"
    column = ident(use.column)
    where, args = f"{column} is not null", []
    if tenant_column and tenant is not None and table.column(tenant_column) is not None:
        where += f" and {ident(tenant_column)}::text = %s"
        args.append(tenant)
    if use.op in (">", ">="):
        sql = f"select percentile_disc(0.5) within group (order by {column}) from {name}"
    elif use.op in ("<", "<="):
        sql = f"select max({column}) from {name}"
    else:
        sql = f"select {column} from {name} where {where} order by random() limit {POOL}"
        rows = conn.execute(sql, args).fetchall()  # type: ignore[arg-type]
        return [_plain(r[0]) for r in rows]
    row = conn.execute(f"{sql} where {where}", args).fetchone()  # type: ignore[arg-type]
    return [] if row is None or row[0] is None else [_plain(row[0])]


def _plain(value: Any) -> Any:
    """Ids go back as text (the query casts them), numbers and dates as they are."""
    return str(value) if type(value).__name__ == "UUID" else value
