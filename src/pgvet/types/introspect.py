"""Read what the type generators need, one query per object kind, in their order.

The facts are the ones postgres-meta's generator reads (so the output can be identical):
schemas, tables, foreign tables, views (and whether PostgREST can write through them),
materialized views, columns, foreign keys (also as seen through views), functions with
their arguments, and every type of every schema. Privilege filters are the same too, so a
live database read by a role that cannot see a table gives the same file as postgres-meta
connected as that role. The queries only read ``pg_catalog``; the connection's state and
settings are left as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from pgvet.types.collation import collation_key
from pgvet.types.model import (
    Column,
    Function,
    FunctionArg,
    PgType,
    Relation,
    RelationKind,
    Relationship,
    TypesMeta,
)
from pgvet.types.viewdeps import ViewKeyDependency, expand_view_relationships, view_key_deps

Row = dict[str, Any]

_PRIVILEGED = """(pg_has_role(c.relowner, 'USAGE')
    OR has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
    OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))"""

SCHEMAS_SQL = """
SELECT n.nspname AS name FROM pg_namespace n
WHERE n.nspname = ANY(%(schemas)s) AND NOT starts_with(n.nspname, 'pg_')
  AND (pg_has_role(n.nspowner, 'USAGE') OR has_schema_privilege(n.oid, 'CREATE, USAGE'))
"""

# Tables, foreign tables, views and materialized views: only tables are privilege-filtered.
RELATIONS_SQL = f"""
SELECT c.oid::int8 AS id, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
       c.relkind = 'v' AND (pg_relation_is_updatable(c.oid, true) & 8) = 8 AS insert_enabled,
       c.relkind = 'v' AND (pg_relation_is_updatable(c.oid, true) & 4) = 4 AS update_enabled
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
  AND (c.relkind NOT IN ('r', 'p') OR (NOT pg_is_other_temp_schema(n.oid) AND {_PRIVILEGED}))
"""

# A view column is writable when PostgreSQL can update it, or when an INSTEAD OF
# INSERT/UPDATE trigger or an unconditional INSTEAD rule rewrites whole rows.
COLUMNS_SQL = """
SELECT c.oid::int8 AS table_id, a.attname AS name, a.attnum AS position,
       coalesce(bt.typname, t.typname) AS format,
       coalesce(nbt.nspname, nt.nspname) AS type_schema,
       NOT (a.attnotnull OR t.typtype = 'd' AND t.typnotnull) AS nullable,
       a.atthasdef AS has_default,
       CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity,
       a.attgenerated::text IN ('s', 'v') AS generated,
       (c.relkind IN ('r', 'p') OR c.relkind IN ('v', 'f') AND (
          pg_column_is_updatable(c.oid, a.attnum, false)
          OR EXISTS (SELECT 1 FROM pg_trigger tg WHERE tg.tgrelid = c.oid
                     AND tg.tgtype & 64 <> 0 AND tg.tgtype & 20 <> 0 AND NOT tg.tgisinternal)
          OR EXISTS (SELECT 1 FROM pg_rewrite rw WHERE rw.ev_class = c.oid AND rw.is_instead
                     AND rw.ev_type IN ('2', '3') AND rw.ev_qual::text = '<>'))) AS updatable
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace nc ON nc.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace nt ON nt.oid = t.typnamespace
LEFT JOIN (pg_type bt JOIN pg_namespace nbt ON nbt.oid = bt.typnamespace)
       ON t.typtype = 'd' AND bt.oid = t.typbasetype
WHERE nc.nspname = ANY(%(schemas)s) AND NOT pg_is_other_temp_schema(nc.oid)
  AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
  AND (pg_has_role(c.relowner, 'USAGE')
       OR has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))
"""

# Foreign keys (not the copies on partitions). One-to-one: the key's columns, in key
# order, are exactly the columns (in table order) of a primary key or unique constraint.
FOREIGN_KEYS_SQL = """
SELECT k.conname AS foreign_key_name, ns.nspname AS schema, tab.relname AS relation,
       cols.names AS columns, rns.nspname AS referenced_schema,
       other.relname AS referenced_relation, cols.refs AS referenced_columns,
       EXISTS (
         SELECT 1 FROM pg_constraint u
         WHERE u.contype IN ('p', 'u') AND u.conrelid = k.conrelid
           AND u.connamespace = k.connamespace
           AND u.connamespace::regnamespace::text <> 'pg_catalog'
           AND u.connamespace::regnamespace::text = ANY(%(schemas)s)
           AND ARRAY(SELECT a.attname::text FROM pg_attribute a
                     WHERE a.attrelid = u.conrelid AND a.attnum = ANY(u.conkey)
                     ORDER BY a.attnum) = cols.names
       ) AS one_to_one
FROM pg_constraint k
JOIN LATERAL (
  SELECT array_agg(ca.attname::text ORDER BY o) AS names,
         array_agg(ra.attname::text ORDER BY o) AS refs
  FROM unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(col, ref, o)
  JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.col
  JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = u.ref
  WHERE k.connamespace::regnamespace::text = ANY(%(schemas)s)
) cols ON cols.names IS NOT NULL
JOIN pg_namespace ns ON ns.oid = k.connamespace
JOIN pg_class tab ON tab.oid = k.conrelid
JOIN pg_class other ON other.oid = k.confrelid
JOIN pg_namespace rns ON rns.oid = other.relnamespace
WHERE k.contype = 'f' AND k.conparentid = 0 AND ns.nspname = ANY(%(schemas)s)
"""

# Plain functions. Defaults pair with arguments by position over *all* arguments (OUT
# ones included), as in postgres-meta: the output depends on that pairing.
FUNCTIONS_SQL = """
SELECT p.oid::int8 AS id, n.nspname AS schema, p.proname AS name,
       coalesce(p.proargmodes::text[], array_fill('i'::text, ARRAY[n_args.n])) AS modes,
       coalesce(p.proargnames, array_fill(''::text, ARRAY[n_args.n])) AS names,
       coalesce(p.proallargtypes, p.proargtypes::oid[])::int8[] AS types,
       p.pronargs - p.pronargdefaults AS required, p.pronargdefaults AS defaults,
       pg_get_function_arguments(p.oid) AS argument_types,
       pg_get_function_identity_arguments(p.oid) AS identity_argument_types,
       p.prorettype::int8 AS return_type_id, pg_get_function_result(p.oid) AS return_type,
       nullif(rt.typrelid::int8, 0) AS return_type_relation_id,
       p.proretset AS set_returning,
       CASE WHEN p.proretset THEN nullif(p.prorows, 0) END AS prorows
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_type rt ON rt.oid = p.prorettype
CROSS JOIN LATERAL (
  SELECT cardinality(coalesce(p.proallargtypes, p.proargtypes::oid[])) AS n
) n_args
WHERE n.nspname = ANY(%(schemas)s) AND p.prokind = 'f'
"""

# Every type of every schema (columns and arguments may use any of them), row types of
# relations included, with enum labels and composite attributes.
TYPES_SQL = """
SELECT t.oid::int8 AS id, t.typname AS name, n.nspname AS schema,
       format_type(t.oid, NULL) AS format,
       coalesce((SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                 FROM pg_enum e WHERE e.enumtypid = t.oid), '{}') AS enums,
       CASE WHEN c.relkind = 'c' THEN
         (SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
          FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped AND a.attnum > 0)
       END AS attribute_names,
       CASE WHEN c.relkind = 'c' THEN
         (SELECT coalesce(array_agg(a.atttypid::int8 ORDER BY a.attnum), '{}')
          FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped AND a.attnum > 0)
       END AS attribute_types,
       nullif(t.typrelid::int8, 0) AS relation_id
FROM pg_type t
LEFT JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typrelid = 0 OR c.relkind IN ('c', 'r', 'v', 'm', 'p', 'f')
"""

# The target list of each view's query (which table column each view column shows).
VIEW_RULES_SQL = """
SELECT c.oid::int8 AS view_id, n.nspname AS view_schema, c.relname AS view_name,
       r.ev_action::text AS action,
       (SELECT array_agg(a.attnum ORDER BY a.attnum) FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0) AS column_nums,
       (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0) AS column_names
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_rewrite r ON r.ev_class = c.oid
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%(schemas)s)
"""

# Primary and foreign key columns (and the referenced columns of foreign keys), which
# views can carry over.
KEY_COLUMNS_SQL = """
SELECT DISTINCT k.contype::text AS contype, k.conname AS name, array_length(k.conkey, 1) AS ncol,
       k.conrelid::int8 AS table_id, u.col AS col, u.ord AS ord
FROM pg_constraint k LEFT JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(col, ord) ON true
WHERE k.contype IN ('p', 'f')
UNION
SELECT DISTINCT 'f_ref', k.conname, array_length(k.confkey, 1), k.confrelid::int8, u.col, u.ord
FROM pg_constraint k LEFT JOIN LATERAL unnest(k.confkey) WITH ORDINALITY AS u(col, ord) ON true
WHERE k.contype = 'f' AND k.connamespace::regnamespace::text = ANY(%(schemas)s)
"""

# Names of the tables and columns those keys are on.
KEY_TABLE_COLUMNS_SQL = """
SELECT c.oid::int8 AS table_id, n.nspname AS schema, c.relname AS name,
       array_agg(a.attnum ORDER BY a.attnum) AS nums,
       array_agg(a.attname::text ORDER BY a.attnum) AS cols
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
WHERE c.oid = ANY(%(ids)s::oid[])
GROUP BY 1, 2, 3
"""

_KINDS: dict[str, RelationKind] = {
    "r": "table",
    "p": "table",
    "f": "foreign",
    "v": "view",
    "m": "materialized_view",
}
_TRIGGER_RESULTS = ("trigger", "event_trigger")
_MODES = {"i": "in", "o": "out", "b": "inout", "v": "variadic", "t": "table"}


def read_types_meta(conn: psycopg.Connection[Any], schemas: Sequence[str]) -> TypesMeta:
    """Read the facts for ``schemas`` (types of every schema) in one read-only snapshot."""
    params: dict[str, Any] = {"schemas": list(schemas)}
    idle = conn.info.transaction_status == TransactionStatus.IDLE
    with conn.transaction(force_rollback=True), conn.cursor(row_factory=dict_row) as cur:
        if idle:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # The session's own search_path stays: type names print qualified or not by it,
        # exactly as they do for postgres-meta connected the same way.
        cur.execute("SELECT pg_catalog.set_config('jit', 'off', true)")

        def fetch(query: str, values: dict[str, Any] = params) -> list[Row]:
            cur.execute(sql.SQL(query), values)  # type: ignore[arg-type]
            return cur.fetchall()

        schema_rows = fetch(SCHEMAS_SQL)
        relation_rows = fetch(RELATIONS_SQL)
        column_rows = fetch(COLUMNS_SQL)
        fk_rows = fetch(FOREIGN_KEYS_SQL)
        function_rows = fetch(FUNCTIONS_SQL)
        type_rows = fetch(TYPES_SQL)
        view_rows = fetch(VIEW_RULES_SQL)
        deps: list[ViewKeyDependency] = []
        if view_rows:
            key_rows = fetch(KEY_COLUMNS_SQL)
            ids = sorted({r["table_id"] for r in key_rows})
            names = fetch(KEY_TABLE_COLUMNS_SQL, {"ids": ids})
            deps = view_key_deps(view_rows, key_rows, names)
    return _assemble(
        schema_rows, relation_rows, column_rows, fk_rows, function_rows, type_rows, deps
    )


def _by_schema_name(item: Relation | PgType) -> tuple[Any, ...]:
    return (collation_key(item.schema), collation_key(item.name), item.id)


def _assemble(
    schema_rows: list[Row],
    relation_rows: list[Row],
    column_rows: list[Row],
    fk_rows: list[Row],
    function_rows: list[Row],
    type_rows: list[Row],
    deps: list[ViewKeyDependency],
) -> TypesMeta:
    relations = sorted(
        (
            Relation(
                r["id"],
                r["schema"],
                r["name"],
                _KINDS[r["relkind"]],
                r["insert_enabled"],
                r["update_enabled"],
            )
            for r in relation_rows
        ),
        key=_by_schema_name,
    )
    by_id = {r.id: r for r in relations}
    columns = [
        Column(
            r["table_id"],
            r["name"],
            r["position"],
            r["format"],
            r["type_schema"],
            r["nullable"],
            r["has_default"],
            r["identity"],
            r["generated"],
            r["updatable"],
        )
        for r in column_rows
    ]
    columns.sort(
        key=lambda c: (
            collation_key(by_id[c.table_id].schema),
            collation_key(by_id[c.table_id].name),
            collation_key(c.name),
        )
    )
    table_fks = [
        Relationship(
            r["foreign_key_name"],
            r["schema"],
            r["relation"],
            tuple(r["columns"]),
            r["one_to_one"],
            r["referenced_schema"],
            r["referenced_relation"],
            tuple(r["referenced_columns"]),
        )
        for r in fk_rows
    ]
    relationships = table_fks + expand_view_relationships(table_fks, deps)
    relationships.sort(
        key=lambda r: (
            collation_key(r.foreign_key_name),
            collation_key(r.referenced_relation),
            collation_key(_json_list(r.referenced_columns)),
        )
    )
    functions = sorted(
        (_function(r) for r in function_rows if r["return_type"] not in _TRIGGER_RESULTS),
        key=lambda f: (
            collation_key(f.schema),
            collation_key(f.name),
            collation_key(f.identity_argument_types),
            f.id,
        ),
    )
    types = sorted((_type(r) for r in type_rows), key=_by_schema_name)
    return TypesMeta(
        schemas=tuple(sorted((r["name"] for r in schema_rows), key=collation_key)),
        tables=tuple(r for r in relations if r.kind == "table"),
        foreign_tables=tuple(r for r in relations if r.kind == "foreign"),
        views=tuple(r for r in relations if r.kind == "view"),
        materialized_views=tuple(r for r in relations if r.kind == "materialized_view"),
        columns=tuple(columns),
        relationships=tuple(relationships),
        functions=tuple(functions),
        types=tuple(types),
    )


def _json_list(items: Iterable[str]) -> str:
    """``JSON.stringify`` of a list of names (the tie-breaker postgres-meta sorts by)."""
    return json.dumps(list(items), ensure_ascii=False, separators=(",", ":"))


def _function(r: Row) -> Function:
    required: int = r["required"]
    defaults: int = r["defaults"]
    flags = [False] * required + [True] * defaults
    args = [
        FunctionArg(
            _MODES.get(mode, "table"),  # type: ignore[arg-type]
            name,
            type_id,
            flags[i] if i < len(flags) else None,
        )
        for i, (mode, name, type_id) in enumerate(
            zip(r["modes"], r["names"], r["types"], strict=False)
        )
    ]
    args.sort(key=lambda a: collation_key(a.name))
    return Function(
        id=r["id"],
        schema=r["schema"],
        name=r["name"],
        args=tuple(args),
        argument_types=r["argument_types"],
        identity_argument_types=r["identity_argument_types"],
        return_type_id=r["return_type_id"],
        return_type=r["return_type"],
        return_type_relation_id=r["return_type_relation_id"],
        set_returning=r["set_returning"],
        prorows=r["prorows"],
    )


def _type(r: Row) -> PgType:
    names = r["attribute_names"] or []
    type_ids = r["attribute_types"] or []
    return PgType(
        id=r["id"],
        name=r["name"],
        schema=r["schema"],
        format=r["format"],
        enums=tuple(r["enums"]),
        attributes=tuple(zip(names, type_ids, strict=True)),
        relation_id=r["relation_id"],
    )
