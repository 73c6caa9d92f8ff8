"""The large-table plan's first part: which tables to partition, on which column, and the
autovacuum settings each large table needs.

A table is a candidate when it is past ``large_rows`` or ``large_gb`` now, or will be within
a year at the growth the saved history shows. Its partition key is the column the hot
statements (pg_stat_statements' costliest, as inspect read them) filter it on: a
date/time column (range partitions: old ones detach or drop whole) or a tenant column
(``tenant_columns``; hash partitions). A key nobody filters on would make every statement
read every partition, so a table with no such column gets no key, and the plan says so.

Statement texts are parsed with PostgreSQL's parser; a column counts when a WHERE clause
of a statement reading the table compares it (``=``, ``in``, ``<``, ``>=``, ``between``…)
and, when qualified, with the table's name or alias.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import psycopg

from pgvet.analysis.sql.parse import statements as parse
from pgvet.inspect.model import Growth, Inspection, Statement, Table
from pgvet.inspect.partition_shape import read_shape
from pgvet.inspect.partition_sql import Blocked, Partitioning, generate
from pgvet.inspect.partition_verify import Verification
from pgvet.inspect.settings import InspectSettings

Node = dict[str, Any]

#: within this many days of large_rows / large_gb at the saved growth: a candidate already
HORIZON_DAYS = 365
_RANGE_OPS = {"<", "<=", ">", ">=", "=", "<>"}

# The columns of one table and whether each is a date/time (pg_type.typcategory 'D').
COLUMNS = """select /* pgvet inspect */ a.attname, t.typcategory = 'D'
from pg_attribute a join pg_type t on t.oid = a.atttypid
where a.attrelid = format('%%I.%%I', %(schema)s::text, %(name)s::text)::regclass
  and a.attnum > 0 and not a.attisdropped
"""


@dataclass(frozen=True)
class Key:
    column: str
    kind: str  # "time" (range partitions) or "tenant" (hash partitions)
    statements: tuple[Statement, ...]  # the hot statements filtering on it

    @property
    def total_ms(self) -> float:
        return sum(s.total_ms for s in self.statements)


@dataclass(frozen=True)
class Candidate:
    table: Table
    why: str
    growth: Growth | None
    key: Key | None
    autovacuum: dict[str, int | float]
    partitioning: Partitioning | None = None  # the generated online steps (with a key)
    blocked: str | None = None  # why no steps were generated
    verification: Verification | None = None  # the steps run on a sandbox (--verify)


def autovacuum_settings(rows: int) -> dict[str, int | float]:
    """Per-table settings sized to ``rows``. The defaults (20 % dead rows to vacuum, 10 %
    changed to analyze) let a 100M-row table pile up 20M dead rows and plan on stale
    statistics; fixed thresholds of about 1 % (vacuum, inserts) and 0.5 % (analyze), never
    below 10,000 rows, keep each run short. Inserts trigger their own vacuum (PostgreSQL
    13 on) so an append-mostly table gets its visibility map set for index-only scans."""
    vacuum = max(10_000, rows // 100)
    return {
        "autovacuum_vacuum_scale_factor": 0,
        "autovacuum_vacuum_threshold": vacuum,
        "autovacuum_vacuum_insert_scale_factor": 0,
        "autovacuum_vacuum_insert_threshold": vacuum,
        "autovacuum_analyze_scale_factor": 0,
        "autovacuum_analyze_threshold": max(10_000, rows // 200),
    }


def _why(table: Table, growth: Growth | None, s: InspectSettings) -> str | None:
    gb = table.total_bytes / 1024**3
    if table.rows >= s.large_rows:
        return f"{table.rows:,} rows (past {s.large_rows:,})"
    if gb >= s.large_gb:
        return f"{gb:.1f} GB (past {s.large_gb:g} GB)"
    if growth is not None:
        soon = [
            (days, label)
            for days, label in (
                (growth.days_to_rows, f"{s.large_rows:,} rows"),
                (growth.days_to_bytes, f"{s.large_gb:g} GB"),
            )
            if days is not None and days <= HORIZON_DAYS
        ]
        if soon:
            days, label = min(soon)
            return f"passes {label} in {days:.0f} days at the saved growth"
    return None


def _walk(node: Any) -> Iterator[Node]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _names(table: Table, tree: Any) -> set[str] | None:
    """The names the table goes by in ``tree`` (its name, its aliases); None: not read."""
    names: set[str] = set()
    for node in _walk(tree):
        rv = node.get("RangeVar")
        if rv and rv.get("relname") == table.name and rv.get("schemaname") in (None, table.schema):
            names.add((rv.get("alias") or {}).get("aliasname") or table.name)
    return names or None


def _column(node: Any, names: set[str], columns: set[str]) -> str | None:
    ref = node.get("ColumnRef") if isinstance(node, dict) else None
    if not ref:
        return None
    parts = [f["String"]["sval"] for f in ref.get("fields", []) if "String" in f]
    if len(parts) == 1 and parts[0] in columns:
        return parts[0]
    if len(parts) == 2 and parts[0] in names and parts[1] in columns:
        return parts[1]
    return None


def filtered_columns(table: Table, columns: set[str], text: str) -> set[str]:
    """Columns of ``table`` a WHERE clause of ``text`` compares with something."""
    found: set[str] = set()
    for tree in parse(text) or ():
        names = _names(table, tree)
        if names is None:
            continue
        for node in _walk(tree):
            where = node.get("whereClause")
            for expr in _walk(where) if where else ():
                a = expr.get("A_Expr")
                if not a:
                    continue
                ops = {n["String"]["sval"] for n in a.get("name", []) if "String" in n}
                if a.get("kind") in ("AEXPR_OP", None) and not ops & _RANGE_OPS:
                    continue
                for side in (a.get("lexpr"), a.get("rexpr")):
                    if (column := _column(side, names, columns)) is not None:
                        found.add(column)
    return found


def _key(
    table: Table,
    types: dict[str, bool],
    statements: tuple[Statement, ...],
    tenants: tuple[str, ...],
) -> Key | None:
    by_column: dict[str, list[Statement]] = {}
    for st in statements:
        for column in filtered_columns(table, set(types), st.query):
            by_column.setdefault(column, []).append(st)
    keys = [
        Key(column, "time" if types[column] else "tenant", tuple(sts))
        for column, sts in by_column.items()
        if types[column] or column in tenants
    ]
    return max(keys, key=lambda k: (k.total_ms, k.kind == "time"), default=None)


def plan(
    conn: psycopg.Connection, ins: Inspection, s: InspectSettings, tenants: tuple[str, ...]
) -> list[Candidate]:
    """The candidates of ``ins``, largest first (``conn``: the inspected database, for the
    candidates' column types)."""
    growth = {g.qualified: g for g in ins.growth}
    out = []
    for table in sorted(ins.tables, key=lambda t: -t.total_bytes):
        why = _why(table, growth.get(table.qualified), s)
        if why is None:
            continue
        rows = conn.execute(COLUMNS, {"schema": table.schema, "name": table.name}).fetchall()
        key = _key(table, dict(rows), ins.statements or (), tenants)
        candidate = Candidate(
            table, why, growth.get(table.qualified), key, autovacuum_settings(table.rows)
        )
        out.append(_partitioned(conn, candidate) if key is not None else candidate)
    return out


PARTMAN = """select /* pgvet inspect */ n.nspname, e.extversion from pg_extension e
join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_partman'"""


def _partitioned(conn: psycopg.Connection, c: Candidate) -> Candidate:
    """``c`` with its online partitioning steps, or why there are none."""
    assert c.key is not None
    time_key = c.key.column if c.key.kind == "time" else None
    try:
        shape = read_shape(conn, c.table.schema, c.table.name, time_key)
        row = conn.execute(PARTMAN).fetchone()
        steps = generate(shape, c.key.column, c.key.kind, partman=tuple(row) if row else None)
    except (Blocked, LookupError) as exc:
        return replace(c, blocked=str(exc))
    return replace(c, partitioning=steps)
