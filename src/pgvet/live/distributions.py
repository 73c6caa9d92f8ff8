"""How big a live database's tables are and how their values are spread, from the
planner's statistics only: ``pg_class.reltuples`` and ``pg_stats`` (``null_frac``,
``n_distinct``, most-common values and their frequencies).

``pgvet data --like URL`` makes a sandbox whose data has production's shape without
copying a row: these figures are what ``ANALYZE`` already keeps, read in two queries on a
read-only session. Most-common values *are* values (a status label, but possibly an
e-mail), so they go only into the sandbox, never into a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from pgvet.catalog.model import QualifiedName

_SYSTEM = "('pg_catalog', 'information_schema', 'pg_toast')"
ROWS_SQL = f"""
select n.nspname, c.relname, c.reltuples::float8
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname not in {_SYSTEM}
"""
# arrays' most-common values are whole arrays (multi-dimensional literals): left out
COLUMNS_SQL = f"""
select s.schemaname::text, s.tablename::text, s.attname::text, s.null_frac::float8,
       s.n_distinct::float8,
       case when t.typcategory <> 'A' then s.most_common_vals::text::text[] end,
       case when t.typcategory <> 'A' then s.most_common_freqs::float8[] end
from pg_stats s
join pg_namespace n on n.nspname = s.schemaname
join pg_class c on c.relnamespace = n.oid and c.relname = s.tablename
join pg_attribute a on a.attrelid = c.oid and a.attname = s.attname
join pg_type t on t.oid = a.atttypid
where not s.inherited and s.schemaname not in {_SYSTEM}
"""


@dataclass(frozen=True)
class ColumnShape:
    """One column's spread: share of NULLs, distinct values (negative: a fraction of the
    rows, as PostgreSQL says it), the most common values (text) and their shares of all
    rows."""

    null_frac: float
    n_distinct: float
    common: tuple[str, ...] = ()
    freqs: tuple[float, ...] = ()

    def distinct_for(self, rows: int) -> int:
        """Distinct non-NULL values among ``rows`` rows."""
        if self.n_distinct < 0:
            return max(1, round(-self.n_distinct * rows))
        return max(1, min(rows, round(self.n_distinct)))


@dataclass(frozen=True)
class TableShape:
    """A table's estimated rows (None: never analyzed) and its analyzed columns."""

    rows: int | None
    columns: dict[str, ColumnShape] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveShape:
    """Every user table of the live database, by ``(schema, table)``."""

    tables: dict[QualifiedName, TableShape]

    @property
    def columns(self) -> int:
        return sum(len(t.columns) for t in self.tables.values())


def read_shape(conn: psycopg.Connection) -> LiveShape:
    """Row estimates and column statistics of every user table (two queries)."""
    rows: dict[QualifiedName, int | None] = {
        (schema, name): (round(tuples) if tuples >= 0 else None)
        for schema, name, tuples in conn.execute(ROWS_SQL).fetchall()
    }
    columns: dict[QualifiedName, dict[str, ColumnShape]] = {}
    for schema, table, column, nulls, distinct, common, freqs in conn.execute(
        COLUMNS_SQL
    ).fetchall():
        shape = ColumnShape(
            float(nulls or 0.0),
            float(distinct or 0.0),
            tuple(common or ()),
            tuple(float(f) for f in freqs or ()),
        )
        columns.setdefault((schema, table), {})[column] = shape
    keys = set(rows) | set(columns)
    return LiveShape({k: TableShape(rows.get(k), columns.get(k, {})) for k in keys})
