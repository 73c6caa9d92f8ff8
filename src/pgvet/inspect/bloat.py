"""Table and index bloat: estimated from the planner's statistics, exact with pgstattuple.

The estimate needs no extension and reads nothing but the catalog: a table's expected
size is its row estimate times the average row width (pg_stats' ``avg_width`` and
``null_frac`` per column, plus the 23-byte tuple header, the null bitmap, alignment and the
4-byte line pointer) over the usable part of a page; a B-tree's is its entry count times
the key width (8-byte index tuple header, alignment, line pointer) over a page filled to
the default 90 %. What the relation occupies beyond that is the estimated waste. Such
estimates are rough (the Supabase CLI calls its own "very rough"), so the objects they
flag are measured with pgstattuple when it is installed and callable: dead tuples plus free
space for tables (``pgstattuple_approx``, which unlike ``pgstattuple`` is no sequential scan
and so leaves the seq_scan counters alone), leaf density for B-trees (``pgstatindex``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import psycopg
from psycopg import sql

from pgvet.inspect import queries
from pgvet.inspect.model import Bloat, Index, Table
from pgvet.inspect.settings import InspectSettings

TUPLE_HEADER = 23
LINE_POINTER = 4
PAGE_HEADER = 24
BTREE_SPECIAL = 16
INDEX_TUPLE_HEADER = 8
MAXALIGN = 8
BTREE_FILL = 0.90


def _align(n: float) -> float:
    return math.ceil(n / MAXALIGN) * MAXALIGN


ColumnStats = dict[tuple[str, str], dict[str, tuple[float, int]]]


def column_stats(rows: Iterable[tuple[str, str, str, float, int]]) -> ColumnStats:
    """``(schema, table) → column → (null_frac, avg_width)`` from the COLUMN_STATS rows."""
    out: ColumnStats = {}
    for schema, table, column, null_frac, width in rows:
        out.setdefault((schema, table), {})[column] = (null_frac or 0.0, width or 0)
    return out


def estimate_table(table: Table, stats: ColumnStats, block_size: int) -> Bloat | None:
    """Estimated waste of a table, or None without statistics (never analyzed)."""
    cols = stats.get((table.schema, table.name))
    if not cols or table.reltuples <= 0 or table.relpages == 0:
        return None
    data = sum((1 - nf) * width for nf, width in cols.values())
    bitmap = math.ceil(len(cols) / 8) if any(nf > 0 for nf, _ in cols.values()) else 0
    row = _align(TUPLE_HEADER + bitmap) + _align(data) + LINE_POINTER
    expected = math.ceil(table.reltuples * row / (block_size - PAGE_HEADER))
    waste = max(0, table.relpages - expected) * block_size
    return Bloat("table", table.schema, table.name, table.heap_bytes, waste, "estimate")


def estimate_index(index: Index, stats: ColumnStats, block_size: int) -> Bloat | None:
    """Estimated waste of a B-tree on plain columns, or None when it cannot be estimated."""
    cols = stats.get((index.schema, index.table))
    if (
        index.method != "btree"
        or index.expression_or_partial
        or not cols
        or not index.columns
        or any(c not in cols for c in index.columns)
        or index.reltuples <= 0
        or index.relpages <= 1
    ):
        return None
    key = sum((1 - cols[c][0]) * cols[c][1] for c in index.columns)
    entry = _align(INDEX_TUPLE_HEADER + key) + LINE_POINTER
    usable = (block_size - PAGE_HEADER - BTREE_SPECIAL) * BTREE_FILL
    leaves = math.ceil(index.reltuples * entry / usable)
    expected = 1 + leaves + math.ceil(leaves / 100)  # metapage, leaves, upper levels
    waste = max(0, index.relpages - expected) * block_size
    return Bloat("index", index.schema, index.name, index.size_bytes, waste, "estimate")


def exact(
    conn: psycopg.Connection, flagged: list[Bloat], schema: str, block_size: int
) -> list[Bloat]:
    """The flagged objects measured with pgstattuple (installed in ``schema``): tables with
    ``pgstattuple_approx``, B-trees with ``pgstatindex``. Each reads every page of its object, so
    the caller limits how many; the session's statement timeout bounds the rest."""
    ext = sql.Identifier(schema).as_string(conn)
    out: list[Bloat] = []
    for kind, query in (("table", queries.EXACT_TABLE_BLOAT), ("index", queries.EXACT_INDEX_BLOAT)):
        objects = [b for b in flagged if b.kind == kind]
        if not objects:
            continue
        names = [sql.Identifier(b.schema, b.name).as_string(conn) for b in objects]
        for row in conn.execute(query.format(schema=ext), {"relations": names}).fetchall():
            b = objects[row[0] - 1]
            if kind == "table":
                size, waste = int(row[1]), int(row[2])
                out.append(Bloat(kind, b.schema, b.name, size, waste, "pgstattuple_approx"))
            else:
                size, leaves, density = int(row[1]), int(row[2]), float(row[3] or 0)
                waste = int(leaves * block_size * max(0.0, 1 - density / (BTREE_FILL * 100)))
                out.append(Bloat(kind, b.schema, b.name, size, waste, "pgstatindex"))
    return out


def bloated(b: Bloat, settings: InspectSettings) -> bool:
    """Past both thresholds: the share of the object and the absolute waste."""
    return b.percent >= settings.bloat_percent and b.waste_bytes >= settings.bloat_min_mb * 2**20
