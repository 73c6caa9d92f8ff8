"""What several migration rules share: the migrations requirement, catalog questions,
index objects and CONCURRENTLY rewrites, type names.
"""

from __future__ import annotations

import re

from pgvet.analysis.history import Node, TableKey, key_sql, rel_key
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import Catalog

MIGRATIONS = ("migrations",)


def catalog_knows(catalog: Catalog, schema: str) -> bool:
    """Whether the catalog is complete for ``schema``, so an absent object is really gone
    (not a partial replay, not a Supabase-internal schema the catalog leaves out)."""
    return not catalog.partial and schema in catalog.schema_names()


def is_partitioned(catalog: Catalog, key: TableKey) -> bool:
    table = catalog.find_table(*key)
    return table is not None and table.kind == "partitioned"


_CREATE_INDEX = re.compile(r"^(\s*create\s+(?:unique\s+)?index)\s+(?!concurrently\b)", re.I)


def concurrent_sql(sql: str) -> str:
    """The statement with CONCURRENTLY added after ``create [unique] index``."""
    return _CREATE_INDEX.sub(r"\1 concurrently ", sql, count=1).rstrip().rstrip(";") + ";"


def index_object(node: Node) -> str:
    table = rel_key(node["relation"])
    name = node.get("idxname")
    return f"index {qualified(table[0], name)}" if name else key_sql(table)


def type_parts(type_name: Node | None) -> tuple[str, tuple[int, ...], bool] | None:
    """``(base name, integer typmods, is_array)`` of a TypeName, or None when unknown."""
    if not type_name:
        return None
    names = [p["String"]["sval"] for p in type_name.get("names", []) if "String" in p]
    if not names:
        return None
    mods: list[int] = []
    for mod in type_name.get("typmods", []):
        value = mod.get("A_Const", {}).get("ival")
        if value is None:
            return None
        mods.append(int(value.get("ival", 0)))
    return names[-1], tuple(mods), bool(type_name.get("arrayBounds"))


_TYPE_NAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "bpchar": "char",
}


def type_sql(type_name: Node | None) -> str:
    """A TypeName as SQL (``numeric(12,2)``, ``integer``, ``text[]``); ``?`` if unknown."""
    parts = type_parts(type_name)
    if parts is None:
        return "?"
    name, mods, is_array = parts
    text = _TYPE_NAMES.get(name, name)
    if mods:
        text += "(" + ",".join(str(m) for m in mods) + ")"
    return text + "[]" * is_array
