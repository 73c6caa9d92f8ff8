"""How a generated row is recognised again: its primary key, a unique key, or its ctid.

Checks find "tenant B's rows" by key, so a key must be cheap to match (an index on the
primary key, typed arrays rather than text comparison where possible) and readable in a
report (``id=3f2a…`` rather than ``(0,7)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from pgvet.catalog.model import Catalog, Table


@dataclass(frozen=True)
class KeySpec:
    """The columns that identify a row of one table (empty: use ``ctid``)."""

    schema: str
    table: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    row_hash: bool = False  # views: no key, no ctid; the row's text, hashed

    @property
    def ident(self) -> sql.Composable:
        return sql.Identifier(self.schema, self.table)

    def expr(self) -> sql.Composable:
        """SQL giving the row's key as text."""
        if self.row_hash:
            return sql.SQL("md5({}::text)").format(sql.Identifier(self.table))
        if not self.columns:
            return sql.SQL("ctid::text")
        if len(self.columns) == 1:
            return sql.SQL("{}::text").format(sql.Identifier(self.columns[0]))
        return sql.SQL("row({})::text").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in self.columns)
        )

    def matches(self, keys: list[str]) -> sql.Composable:
        """A predicate true for exactly the rows whose key is in ``keys``."""
        if not keys:
            return sql.SQL("false")
        items = sql.SQL(", ").join(sql.Literal(k) for k in keys)
        if self.row_hash:
            return sql.SQL("{} = any(array[{}]::text[])").format(self.expr(), items)
        if not self.columns:
            return sql.SQL("ctid = any(array[{}]::tid[])").format(items)
        if len(self.columns) == 1:
            return sql.SQL("{} = any(array[{}]::{}[])").format(
                sql.Identifier(self.columns[0]), items, sql.SQL(self.types[0])
            )
        return sql.SQL("{} = any(array[{}]::text[])").format(self.expr(), items)

    def describe(self, key: str) -> str:
        """``id=…`` for reports."""
        if self.row_hash:
            return f"row md5 {key[:12]}"
        if not self.columns:
            return f"ctid={key}"
        if len(self.columns) == 1:
            return f"{self.columns[0]}={key}"
        return f"({', '.join(self.columns)})={key}"


def key_spec(catalog: Catalog, table: Table) -> KeySpec:
    """Primary key, else the first unique constraint over NOT NULL columns, else ctid
    (views: a hash of the whole row)."""
    if table.is_view:
        return KeySpec(table.schema, table.name, (), (), row_hash=True)
    cols: tuple[str, ...] = ()
    pk = catalog.primary_key(table.schema, table.name)
    if pk is not None and pk.columns:
        cols = pk.columns
    else:
        for con in catalog.constraints_of(table.schema, table.name):
            if con.kind != "unique" or not con.columns:
                continue
            if all((c := table.column(n)) is not None and c.not_null for n in con.columns):
                cols = con.columns
                break
    types = tuple(_type_of(table, c) for c in cols)
    return KeySpec(table.schema, table.name, cols, types)


def _type_of(table: Table, name: str) -> str:
    col = table.column(name)
    if col is None:
        return "text"
    return col.type
