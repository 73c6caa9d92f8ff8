"""What the server says about each column's type, in one query: enough to encode it in
binary (its base type, element type oid, length limit) and to ask the server itself for
the binary form of a constant when pgvet has no encoder for the type."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

_FACTS_SQL = """
select c.relname, a.attname,
       coalesce(b.typname, t.typname)::text as base,
       coalesce(b.typcategory, t.typcategory)::text as category,
       t.typtype::text,
       coalesce(e.typname, '')::text as element,
       coalesce(e.oid, 0)::int8 as element_oid,
       case when a.atttypmod > 0 and coalesce(b.typname, t.typname) in ('varchar', 'bpchar')
            then a.atttypmod - 4
            when t.typtype = 'd' and t.typtypmod > 0 then t.typtypmod - 4 end as max_length,
       case when coalesce(b.typname, t.typname) = 'numeric' and a.atttypmod > 0
            then ((a.atttypmod - 4) >> 16) & 65535 end as precision,
       case when coalesce(b.typname, t.typname) = 'numeric' and a.atttypmod > 0
            then (a.atttypmod - 4) & 65535 end as scale
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid
left join pg_type b on t.typtype = 'd' and b.oid = t.typbasetype
left join pg_type e on e.oid = coalesce(b.typelem, t.typelem) and coalesce(b.typcategory,
     t.typcategory) = 'A'
where n.nspname = %s and a.attnum > 0 and not a.attisdropped
"""


@dataclass(frozen=True)
class TypeFacts:
    """One column's type as the encoders need it (domains resolved to their base)."""

    base: str
    category: str
    typtype: str
    element: str = ""
    element_oid: int = 0
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None


def column_facts(conn: psycopg.Connection, schema: str) -> dict[tuple[str, str], TypeFacts]:
    """``(table, column)`` → facts, for every table of ``schema``."""
    rows = conn.execute(_FACTS_SQL, (schema,)).fetchall()
    return {(r[0], r[1]): TypeFacts(*r[2:]) for r in rows}


def binary_constant(conn: psycopg.Connection, value: str, type_sql: str) -> bytes:
    """The binary COPY form of ``value::type``, made by the type's own send function, for
    the types pgvet has no encoder of its own for."""
    found = conn.execute(
        "select typsend::regproc::text from pg_type where oid = %s::regtype", (type_sql,)
    ).fetchone()
    assert found is not None
    query = sql.SQL("select {}(%s::{})").format(sql.SQL(found[0]), sql.SQL(type_sql))
    row = conn.execute(query, (value,)).fetchone()
    assert row is not None
    return bytes(row[0])
