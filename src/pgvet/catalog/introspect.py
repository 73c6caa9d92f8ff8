"""Read a server's ``pg_catalog`` into a :class:`~pgvet.catalog.model.Catalog`.

Why it is shaped this way:

* **One query per kind of object**, never one per table: a live Supabase project can have
  thousands of tables and a round trip each would dominate the run. Per-object details
  (index key positions, constraint columns, enum labels) come from correlated
  ``ARRAY(SELECT ...)`` / ``LATERAL`` sub-selects inside the one query; columns are
  grouped onto their tables in Python.
* **pg_catalog, not information_schema**: faster, and information_schema hides objects
  the current role does not own or has no privilege on.
* **One snapshot, fixed search_path, no JIT**: the queries run in one REPEATABLE READ,
  READ ONLY transaction (a savepoint when the caller is already in one) that is rolled back
  at the end, with ``search_path = pg_catalog`` and ``jit = off``. So the catalog is
  consistent, the connection is left as it was, JIT (which the sub-selects' cost estimates
  trigger) does not cost seconds, and ``pg_get_*def`` / ``format_type`` text is the same
  whatever search path the sandbox or the live role has: names outside ``pg_catalog`` are
  schema-qualified (``public.status``, ``auth.uid()``) except where PostgreSQL never
  qualifies (column names, the table of an index expression).

Which schemas:

* Schema names starting with ``pg_`` and ``information_schema`` are never read.
* ``exclude_schemas`` (default :data:`DEFAULT_EXCLUDED`: system schemas plus the
  Supabase-internal ones such as ``auth``, ``storage``, ``extensions``) are left out of
  schemas, tables, columns, constraints, indexes, policies, views, triggers, enums,
  privileges and sequences. Rules review the project's own objects, not Supabase's.
* Functions are the exception: all functions outside the system schemas are read, and
  those of excluded schemas have ``is_internal_schema=True``, because policy analysis must
  know what ``auth.uid()`` or ``auth.jwt()`` are (stable, SQL, security definer...).
  ``auth.users`` itself is not in ``tables``; rules that need it refer to it by name.
* Extensions are all reported. Objects that belong to an extension (``pg_depend`` type
  'e') are kept and marked with ``extension`` (functions, tables, views).

Works on PostgreSQL 14 and later (``pg_get_function_sqlbody``, ``typsubscript``); tested on
15 and 18. Version differences handled: 18 stores NOT NULL constraints in
``pg_constraint`` (filtered out by constraint type) and adds ``conenforced``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row, namedtuple_row

from pgvet.catalog.constraint_definitions import written_constraint_definition
from pgvet.catalog.index_keys import KEY_NAMES_SQL, Attribute, KeyNames, Quoted, index_of
from pgvet.catalog.model import (
    Bucket,
    Catalog,
    Column,
    ColumnPrivilege,
    Constraint,
    ConstraintKind,
    Enum,
    Extension,
    FkAction,
    FkMatch,
    Function,
    FunctionKind,
    Index,
    Policy,
    PolicyCommand,
    QualifiedName,
    Role,
    Schema,
    Sequence,
    Table,
    TableKind,
    TablePrivilege,
    Trigger,
    TriggerLevel,
    TriggerTiming,
    View,
    Volatility,
)
from pgvet.catalog.positional import positional
from pgvet.gc_pause import paused_gc
from pgvet.thread_switch import brief_switches

Row = dict[str, Any]

SYSTEM_SCHEMAS: frozenset[str] = frozenset({"pg_catalog", "information_schema", "pg_toast"})
"""Never read, whatever ``exclude_schemas`` says (with every ``pg_*`` schema)."""

SUPABASE_INTERNAL_SCHEMAS: frozenset[str] = frozenset(
    {
        "auth",
        "storage",
        "realtime",
        "_realtime",
        "extensions",
        "graphql",
        "graphql_public",
        "supabase_migrations",
        "supabase_functions",
        "vault",
        "pgsodium",
        "pgsodium_masks",
        "net",
        "cron",
        "pgbouncer",
        "pgtle",
        "_analytics",
        "_supavisor",
        "supabase_admin",
        "tiger",
        "tiger_data",
        "topology",
        "repack",
    }
)
"""Schemas that Supabase (or its extensions) owns: not the project's own objects."""

DEFAULT_EXCLUDED: frozenset[str] = SYSTEM_SCHEMAS | SUPABASE_INTERNAL_SCHEMAS

API_ROLES: frozenset[str] = frozenset({"anon", "authenticated"})
"""Roles whose table privileges are read by default (PUBLIC grants always are)."""

# Shared WHERE fragment: the relation's schema is one we review.
_REVIEWED = (
    "NOT starts_with(n.nspname, 'pg_') AND n.nspname <> 'information_schema'"
    " AND n.nspname <> ALL(%(excluded)s::text[])"
)

# Reads schemas: name, owner, comment.
SCHEMAS_SQL = f"""
SELECT n.nspname AS name,
       pg_get_userbyid(n.nspowner) AS owner,
       obj_description(n.oid, 'pg_namespace') AS comment
FROM pg_namespace n
WHERE {_REVIEWED}
ORDER BY n.nspname
"""

# Reads relations with columns (tables, partitioned, views, matviews, foreign tables):
# RLS flags, partitioning, owner, row estimate, comment, owning extension, storage
# parameters. Comments come from a join on pg_description, not obj_description(): that is
# a SQL function run once per row (a query of its own each time).
TABLES_SQL = f"""
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
       c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       pn.nspname AS parent_schema, pc.relname AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END
           AS partition_bound,
       pg_get_userbyid(c.relowner) AS owner, c.reltuples::float8 AS reltuples,
       ds.description AS comment,
       e.extname AS extension,
       coalesce(c.reloptions, '{{}}'::text[]) AS options
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
LEFT JOIN pg_extension e ON e.oid = d.refobjid
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
     AND ds.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_REVIEWED}
ORDER BY 1, 2
"""

# pg_get_expr(expression, table) opens the table, and a backend that has not opened it
# before builds its relation-cache entry (columns, defaults, constraints, policies…): a
# 5,000-table catalog's policies took 0.73 s on a fresh connection and 0.27 s on one that
# had opened the tables. A default naming no column (now(), gen_random_uuid(), a constant:
# no Var in its node tree) prints the same without the table.
_TABLE_IF_NAMED = "CASE WHEN strpos(ad.adbin::text, '{VAR ') > 0 THEN ad.adrelid ELSE 0 END"

# Reads the columns of every relation above: type (element type for arrays), nullability,
# default / generated expression, identity, comment (joined, not col_description() per
# column: 38,000 columns of a 5,000-table catalog cost 0.2 s of server CPU that way); the
# type and collation oids, which write index definitions (pgvet.catalog.index_keys).
# Put in order on the client (sorting 38,000 wide rows was a third of the server's time).
# After the first COLUMN_FIELDS columns come Column's fields, in its order: a row becomes
# a Column in one call (tests/test_catalog_introspect.py holds the two orders together).
COLUMNS_SQL = f"""
SELECT n.nspname AS schema, c.relname AS table_name,
       a.atttypid AS type_oid, a.attcollation AS collation_oid,
       a.attname AS name, a.attnum AS position,
       format_type(a.atttypid, a.atttypmod) AS type,
       tn.nspname AS type_schema, et.typname AS type_name,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, {_TABLE_IF_NAMED}) END
           AS "default",
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END
           AS identity,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, {_TABLE_IF_NAMED}) END
           AS generated,
       (t.typsubscript = 'pg_catalog.array_subscript_handler'::regproc) AS is_array,
       ds.description AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type et ON et.oid = CASE
        WHEN t.typsubscript = 'pg_catalog.array_subscript_handler'::regproc THEN t.typelem
        ELSE t.oid END
JOIN pg_namespace tn ON tn.oid = et.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass
     AND ds.objsubid = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_REVIEWED}
"""

_TABLE_KINDS: dict[str, TableKind] = {
    "r": "table",
    "p": "partitioned",
    "v": "view",
    "m": "materialized_view",
    "f": "foreign",
}
_CONSTRAINT_KINDS: dict[str, ConstraintKind] = {
    "p": "primary",
    "u": "unique",
    "c": "check",
    "f": "foreign",
    "x": "exclusion",
}
_FK_ACTIONS: dict[str, FkAction] = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}
_FK_MATCH: dict[str, FkMatch] = {"s": "simple", "f": "full", "p": "partial"}
_POLICY_COMMANDS: dict[str, PolicyCommand] = {
    "*": "ALL",
    "r": "SELECT",
    "a": "INSERT",
    "w": "UPDATE",
    "d": "DELETE",
}


def _case(column: str, words: dict[str, str]) -> str:
    """SQL spelling out a one-letter catalog code as ``words`` does (NULL for others)."""
    whens = " ".join(f"WHEN '{code}' THEN '{word}'" for code, word in words.items())
    return f"CASE {column} {whens} END"


# Reads table constraints (primary, unique, check, foreign, exclusion) with key columns,
# referenced table and columns, whether a foreign key references a primary key, actions.
# {enforced} is conenforced on 18+, true before; {server_writes} what only 18 has. Key
# columns come as numbers (conkey, confkey) and are named on the client from the columns
# read in the same snapshot (the grouped pass joining every key to pg_attribute on the
# server was 0.25 s of a 5,000-table catalog's 0.6 s); the few the client lacks (a
# referenced auth.users, a system column) are asked in one query (ATTRIBUTE_NAMES_SQL).
# Definitions: pg_get_constraintdef only of what the client does not write
# (pgvet.catalog.constraint_definitions: CHECK, EXCLUDE, ON DELETE SET NULL (columns),
# INCLUDE, and on 18+ temporal and NOT ENFORCED ones; its catalog lookups were 0.3 s of a
# 5,000-table catalog on a fresh connection). Sorted on the client, as the indexes are.
# After the first CONSTRAINT_FIELDS columns come Constraint's fields in its order (codes
# spelled out here, the key columns' names and the definitions the client writes left
# NULL): a row becomes a Constraint in one call.
_CONSTRAINTS_TEMPLATE = f"""
SELECT con.conrelid AS relid, coalesce(con.conkey, '{{}}') AS attnums,
       con.confrelid AS ref_relid, coalesce(con.confkey, '{{}}') AS ref_attnums,
       con.oid, con.contype = 'u' AND ri.indnullsnotdistinct AS nulls_not_distinct,
       n.nspname AS schema, c.relname AS "table", con.conname AS name,
       {_case("con.contype", _CONSTRAINT_KINDS)} AS kind,
       NULL::text[] AS columns,
       CASE WHEN con.contype NOT IN ('p', 'u', 'f') OR con.confdelsetcols IS NOT NULL
                 OR (con.contype <> 'f' AND ri.indnatts > ri.indnkeyatts)
                 OR {{server_writes}}
            THEN pg_get_constraintdef(con.oid) END AS definition,
       con.convalidated AS validated, con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       rn.nspname AS ref_schema, rc.relname AS ref_table,
       NULL::text[] AS ref_columns,
       {_case("con.confupdtype", _FK_ACTIONS)} AS on_update,
       {_case("con.confdeltype", _FK_ACTIONS)} AS on_delete,
       {_case("con.confmatchtype", _FK_MATCH)} AS match,
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN ic.relname END AS index_name,
       (con.conparentid <> 0 OR NOT con.conislocal) AS inherited,
       {{enforced}} AS enforced,
       CASE WHEN con.contype = 'f' THEN ri.indisprimary END AS ref_primary
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_class ic ON ic.oid = con.conindid
LEFT JOIN pg_index ri ON ri.indexrelid = con.conindid
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND {_REVIEWED}
"""
CONSTRAINTS_SQL = _CONSTRAINTS_TEMPLATE.replace("{enforced}", "true").replace(
    "{server_writes}", "false"
)
CONSTRAINTS_SQL_18 = _CONSTRAINTS_TEMPLATE.replace("{enforced}", "con.conenforced").replace(
    "{server_writes}", "con.conperiod OR NOT con.conenforced"
)

# Reads indexes: per key the column's attnum (0 for an expression), operator class and
# collation oids and option bits, named on the client (pgvet.catalog.index_keys: from the
# columns read in the same snapshot and one small query of names; joining every key to
# pg_attribute here was 0.5 s of a 5,000-table catalog); an expression key's text from
# pg_get_indexdef(index, column, true), asked only of indexes that have one; predicate;
# the definition, pg_get_indexdef(index), only of indexes with an expression, predicate,
# storage parameters or operator-class options (the others are written on the client,
# as are those whose keys turn out not to be plain there: INDEX_DEFINITIONS_SQL);
# backing constraint; size (from relpages, as of the index's build or the last
# VACUUM/ANALYZE: pg_relation_size opens every index, a lock and a relcache entry each,
# 0.2 s warm and 0.6 s cold for 15,000 indexes, and no rule reads the size).
# int2vector / oidvector cast to arrays start at 1 here, pg_get_indexdef's columns too.
# Sorted on the client (_INDEX_ORDER).
INDEXES_SQL = f"""
SELECT n.nspname AS schema, t.relname AS table_name, ic.relname AS name,
       i.indkey::int2[] AS attnums, i.indnkeyatts AS key_count,
       i.indclass::oid[] AS opclass_oids, i.indcollation::oid[] AS collation_oids,
       i.indoption::int2[] AS options,
       CASE WHEN 0 = ANY (i.indkey::int2[]) THEN
           ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                 FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k)
       END AS key_definitions,
       am.amname AS method,
       i.indisunique AS "unique", i.indisprimary AS "primary",
       i.indisvalid AS valid, i.indisready AS ready,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       i.indnullsnotdistinct AS nulls_not_distinct,
       CASE WHEN i.indexprs IS NOT NULL OR i.indpred IS NOT NULL
                 OR ic.reloptions IS NOT NULL
                 OR EXISTS (SELECT FROM pg_attribute o
                            WHERE o.attrelid = i.indexrelid AND o.attoptions IS NOT NULL)
            THEN pg_get_indexdef(i.indexrelid) END AS definition,
       i.indexrelid AS oid,
       con.conname AS constraint_name,
       ic.relkind = 'I' AS partitioned,
       ic.relpages::int8 * current_setting('block_size')::int8 AS size_bytes
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
     AND con.contype IN ('p', 'u', 'x')
WHERE {_REVIEWED}
"""

# The names of the columns a constraint's keys name that the client has not read.
ATTRIBUTE_NAMES_SQL = """
SELECT a.attrelid AS relid, a.attnum, a.attname AS name
FROM pg_attribute a
JOIN unnest(%(relids)s::oid[], %(attnums)s::int2[]) AS k(relid, attnum)
  ON a.attrelid = k.relid AND a.attnum = k.attnum
"""

# The definitions of the constraints whose keys the client could not name.
CONSTRAINT_DEFINITIONS_SQL = """
SELECT x.oid, pg_get_constraintdef(x.oid) AS definition FROM unnest(%(oids)s::oid[]) AS x(oid)
"""

# The definitions of the indexes whose keys the client could not write.
INDEX_DEFINITIONS_SQL = """
SELECT x.oid, pg_get_indexdef(x.oid) AS definition FROM unnest(%(oids)s::oid[]) AS x(oid)
"""

# Reads RLS policies; roles sorted, 'public' for PUBLIC (role oid 0).
POLICIES_SQL = f"""
SELECT n.nspname AS schema, c.relname AS table_name, p.polname AS name,
       p.polcmd::text AS cmd,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE pg_get_userbyid(r.oid)::text END
             FROM unnest(p.polroles) AS r(oid) ORDER BY 1) AS roles,
       p.polpermissive AS permissive,
       pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_REVIEWED}
ORDER BY 1, 2, 3
"""

# Reads functions, procedures and aggregates of every non-system schema (internal schemas
# flagged): signature, language, volatility, security, settings, body, owner's RLS bypass,
# owning extension, roles holding EXECUTE.
FUNCTIONS_SQL = """
SELECT n.nspname AS schema, p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS identity_args,
       pg_get_function_result(p.oid) AS result,
       l.lanname AS language, p.provolatile::text AS volatility,
       p.prosecdef AS security_definer, p.proleakproof AS leakproof,
       p.proisstrict AS strict,
       coalesce(p.proconfig, '{}'::text[]) AS settings,
       CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
            ELSE p.prosrc END AS body,
       pg_get_userbyid(p.proowner) AS owner, p.prokind::text AS prokind,
       coalesce(r.rolsuper OR r.rolbypassrls, false) AS owner_bypasses_rls,
       e.extname AS extension,
       n.nspname = ANY(%(excluded)s::text[]) AS is_internal_schema,
       ARRAY(SELECT DISTINCT CASE WHEN x.grantee = 0 THEN 'public'
                                  ELSE pg_get_userbyid(x.grantee)::text END
             FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS x
             WHERE x.privilege_type = 'EXECUTE' ORDER BY 1) AS executable_by,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_roles r ON r.oid = p.proowner
LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
LEFT JOIN pg_extension e ON e.oid = d.refobjid
WHERE NOT starts_with(n.nspname, 'pg_') AND n.nspname <> 'information_schema'
ORDER BY 1, 2, 3
"""

# Reads views and materialized views: definition, reloptions (security_invoker, ...), owner,
# the relations their rewrite rule depends on (auth.users included: any schema).
VIEWS_SQL = f"""
SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition,
       coalesce(c.reloptions, '{{}}'::text[]) AS options,
       pg_get_userbyid(c.relowner) AS owner,
       e.extname AS extension,
       ARRAY(SELECT DISTINCT ARRAY[rn.nspname::text, rc.relname::text]
             FROM pg_rewrite rw
             JOIN pg_depend rd ON rd.classid = 'pg_rewrite'::regclass AND rd.objid = rw.oid
                  AND rd.refclassid = 'pg_class'::regclass AND rd.deptype = 'n'
             JOIN pg_class rc ON rc.oid = rd.refobjid AND rc.oid <> c.oid
             JOIN pg_namespace rn ON rn.oid = rc.relnamespace
             WHERE rw.ev_class = c.oid ORDER BY 1) AS relations
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
LEFT JOIN pg_extension e ON e.oid = d.refobjid
WHERE c.relkind IN ('v', 'm') AND {_REVIEWED}
ORDER BY 1, 2
"""

# Reads user triggers (not internal FK/constraint ones): type bits, function, state.
TRIGGERS_SQL = f"""
SELECT n.nspname AS schema, c.relname AS table_name, tg.tgname AS name,
       tg.tgtype::int AS tgtype, fn.nspname AS function_schema, f.proname AS function_name,
       tg.tgenabled::text AS enabled, pg_get_triggerdef(tg.oid) AS definition,
       ARRAY(SELECT a.attname
             FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS update_columns,
       tg.tgparentid <> 0 AS inherited
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc f ON f.oid = tg.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
WHERE NOT tg.tgisinternal AND {_REVIEWED}
ORDER BY 1, 2, 3
"""

# Reads enum types with their labels in sort order.
ENUMS_SQL = f"""
SELECT n.nspname AS schema, t.typname AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
             ORDER BY e.enumsortorder) AS labels
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND {_REVIEWED}
ORDER BY 1, 2
"""

# Reads installed extensions (all schemas), whether they can be moved to another schema,
# and the version the server's control file installs by default.
EXTENSIONS_SQL = """
SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version,
       e.extrelocatable AS relocatable, av.default_version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_available_extensions() AS av(name, default_version, comment)
     ON av.name = e.extname
ORDER BY 1
"""

# The given roles and PUBLIC (grantee 0), whose privileges are read: joined to each ACL
# entry, not pg_roles (a view) to every entry and then filtered (0.23 s → 0.1 s for a
# 5,000-table catalog, with the sort left to the client).
_WANTED_ROLES = """
WITH wanted AS (
    SELECT oid, rolname::text AS name FROM pg_roles WHERE rolname = ANY(%(roles)s::text[])
    UNION ALL
    SELECT 0, 'public'
)"""

# Reads table privileges of the given roles and PUBLIC, from relacl (or the default ACL
# when relacl is NULL, which grants nothing to others). Sorted on the client.
PRIVILEGES_SQL = f"""{_WANTED_ROLES}
SELECT n.nspname AS schema, c.relname AS table_name, w.name AS role,
       array_agg(x.privilege_type) AS privileges  -- a set: one per grantor, no sort
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS x
JOIN wanted w ON w.oid = x.grantee
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_REVIEWED}
GROUP BY 1, 2, 3
"""

# Reads column-level grants (attacl) of the given roles and PUBLIC.
COLUMN_PRIVILEGES_SQL = f"""{_WANTED_ROLES}
SELECT n.nspname AS schema, c.relname AS table_name, a.attname AS column_name,
       w.name AS role,
       array_agg(DISTINCT x.privilege_type ORDER BY x.privilege_type) AS privileges
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(a.attacl) AS x
JOIN wanted w ON w.oid = x.grantee
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_REVIEWED}
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
"""

# Reads sequences with their parameters and the column that owns them (serial/identity).
SEQUENCES_SQL = f"""
SELECT n.nspname AS schema, c.relname AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start, s.seqincrement AS increment,
       s.seqmin AS min_value, s.seqmax AS max_value, s.seqcycle AS cycle,
       tn.nspname AS owner_schema, tc.relname AS owner_table, ta.attname AS owner_column,
       coalesce(d.deptype = 'i', false) AS identity
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
     AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class tc ON tc.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
WHERE {_REVIEWED}
ORDER BY 1, 2
"""

# Reads roles (not the predefined pg_* ones) with the attributes RLS depends on.
ROLES_SQL = """
SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
       r.rolcanlogin AS can_login, r.rolinherit AS inherit,
       ARRAY(SELECT DISTINCT g.rolname::text FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid ORDER BY 1) AS member_of
FROM pg_roles r
WHERE NOT starts_with(r.rolname, 'pg_')
ORDER BY 1
"""

# Reads the RLS policies on storage.objects (the storage schema is otherwise not read), and
# whether storage.buckets exists and may be read (a one-row left join, so the answer comes
# even without policies; has_table_privilege of a NULL oid is NULL, not an error).
STORAGE_POLICIES_SQL = """
SELECT b.readable AS buckets_readable, pol.*
FROM (SELECT coalesce(has_table_privilege(to_regclass('storage.buckets'), 'SELECT'), false)
             AS readable) AS b
LEFT JOIN (
    SELECT n.nspname AS schema, c.relname AS table_name, p.polname AS name,
           p.polcmd::text AS cmd,
           ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public'
                             ELSE pg_get_userbyid(r.oid)::text END
                 FROM unnest(p.polroles) AS r(oid) ORDER BY 1) AS roles,
           p.polpermissive AS permissive,
           pg_get_expr(p.polqual, p.polrelid) AS using_expr,
           pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
    FROM pg_policy p
    JOIN pg_class c ON c.oid = p.polrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'storage' AND c.relname = 'objects'
) AS pol ON true
ORDER BY pol.name
"""

# Reads Supabase Storage's buckets: rows a project's migrations write (insert into
# storage.buckets), read so that rules can judge the policies on storage.objects. Run only
# when the query above says the table is there and readable.
BUCKETS_SQL = """
SELECT id::text AS id, name::text AS name, coalesce(public, false) AS public
FROM storage.buckets
ORDER BY id
"""

_VOLATILITY: dict[str, Volatility] = {"i": "immutable", "s": "stable", "v": "volatile"}
_FUNCTION_KINDS: dict[str, FunctionKind] = {
    "f": "function",
    "p": "procedure",
    "a": "aggregate",
    "w": "window",
}

# tgtype bits, from src/include/catalog/pg_trigger.h
_TRIGGER_ROW = 1 << 0
_TRIGGER_BEFORE = 1 << 1
_TRIGGER_INSERT = 1 << 2
_TRIGGER_DELETE = 1 << 3
_TRIGGER_UPDATE = 1 << 4
_TRIGGER_TRUNCATE = 1 << 5
_TRIGGER_INSTEAD = 1 << 6


# Fixed search_path for stable text; no JIT: the sub-selects inflate cost estimates past
# jit_above_cost and compiling then costs seconds (measured: 1.7 s of 2.2 s for 2000
# indexes) for queries that run in milliseconds. No parallel workers (starting them costs
# more than these scans of in-memory catalogs) and room for the sorts in memory (a
# 5,000-table catalog's constraints spilled to disk at 4 MB).
_SESSION_SQL = (
    "SELECT pg_catalog.set_config('search_path', 'pg_catalog', true),"
    " pg_catalog.set_config('jit', 'off', true),"
    " pg_catalog.set_config('max_parallel_workers_per_gather', '0', true),"
    " pg_catalog.set_config('work_mem', '64MB', true)"
)


Columns = dict[QualifiedName, tuple[Column, ...]]
#: each relation's columns by number, as index definitions need them
Attributes = dict[QualifiedName, dict[int, Attribute]]


#: the columns of COLUMNS_SQL before Column's fields: schema, table_name, type and
#: collation oids
COLUMN_FIELDS = 4
#: the columns of the constraints query before Constraint's fields: the table's oid and
#: key numbers, the referenced table's oid and key numbers, the constraint's oid, whether
#: a unique key's NULLs are not distinct
CONSTRAINT_FIELDS = 6
_COLUMNS_AT = [f.name for f in fields(Constraint)].index("columns")
_DEFINITION_AT = [f.name for f in fields(Constraint)].index("definition")
_REF_COLUMNS_AT = [f.name for f in fields(Constraint)].index("ref_columns")
# ORDER BY schema, table, name, sorted on the client: sorting wide rows on the server was
# a tenth of the index and constraint queries, and a ``name`` sorts by its bytes, as UTF-8
# text sorts by code points in Python
_CONSTRAINT_ORDER = operator.attrgetter("schema", "table", "name")
_INDEX_ORDER = operator.attrgetter("schema", "table_name", "name")


def _fetch_large(cur: psycopg.Cursor[Any], query: str, params: dict[str, Any]) -> list[Any]:
    """The rows of one of the large sets (columns, indexes, constraints, privileges:
    names, arrays, integers) as named tuples, loaded in binary: half the client's time of
    dicts from text. Not for the others: a float4 (reltuples) loads as its binary value,
    not as PostgreSQL prints it."""
    with cur.connection.cursor(row_factory=namedtuple_row, binary=True) as named:
        named.execute(query, params)  # type: ignore[arg-type]  # constants
        return named.fetchall()


def _policies_and_indexes(
    cur: psycopg.Cursor[Any], params: dict[str, Any], known: Future[_Known]
) -> tuple[tuple[Policy, ...], tuple[Index, ...]]:
    """The policies, then the indexes, their keys named from ``known`` (the other
    reader's). Both print expressions of their tables (pg_get_expr opens each one, see
    _TABLE_IF_NAMED): on one connection, each table is opened for the policies and found
    open for the predicates of its partial indexes."""
    cur.execute(POLICIES_SQL, params)  # type: ignore[arg-type]  # constants
    policies = tuple(map(_policy, cur.fetchall()))
    index_rows = _fetch_large(cur, INDEXES_SQL, params)
    attributes, names = known.result()
    return policies, _indexes(cur, index_rows, names, attributes)


class _Known(NamedTuple):
    """What the first reader hands the second: the columns by number, the names of
    operator classes and collations, and how the server quotes."""

    attributes: Attributes
    names: KeyNames


@dataclass(frozen=True)
class _Rest:
    """Everything but policies and indexes: model objects, and the rows of tables and
    views with their columns."""

    columns: Columns
    schema_rows: list[Row]
    table_rows: list[Row]
    view_rows: list[Row]
    constraints: tuple[Constraint, ...]
    functions: tuple[Function, ...]
    triggers: tuple[Trigger, ...]
    enums: tuple[Enum, ...]
    extensions: tuple[Extension, ...]
    privileges: tuple[TablePrivilege, ...]
    column_privileges: tuple[ColumnPrivilege, ...]
    sequences: tuple[Sequence, ...]
    roles: tuple[Role, ...]
    buckets: tuple[Bucket, ...]
    storage_policies: tuple[Policy, ...]


def _rest(
    cur: psycopg.Cursor[Any], params: dict[str, Any], version: int, read: Future[_Known]
) -> _Rest:
    """The columns and key names first (they go to ``read`` at once: the indexes wait for
    them), then everything but policies and indexes."""

    def fetch(query: str) -> list[Row]:
        cur.execute(query, params)  # type: ignore[arg-type]  # constants, not LiteralString
        return cur.fetchall()

    columns, attributes = _columns_by_relation(_fetch_large(cur, COLUMNS_SQL, params))
    names = KeyNames.of(fetch(KEY_NAMES_SQL))
    read.set_result(_Known(attributes, names))
    schema_rows = fetch(SCHEMAS_SQL)
    table_rows = fetch(TABLES_SQL)
    constraints_sql = CONSTRAINTS_SQL_18 if version >= 180000 else CONSTRAINTS_SQL
    constraints = _constraints(
        cur,
        _fetch_large(cur, constraints_sql, params),
        attributes,
        Quoted(names.keywords, names.quote_all),  # not shared with the index reader's
    )
    functions = tuple(map(_function, fetch(FUNCTIONS_SQL)))
    view_rows = fetch(VIEWS_SQL)
    triggers = tuple(map(_trigger, fetch(TRIGGERS_SQL)))
    enums = tuple(Enum(r["schema"], r["name"], tuple(r["labels"])) for r in fetch(ENUMS_SQL))
    extensions = tuple(
        Extension(r["name"], r["schema"], r["version"], r["relocatable"], r["default_version"])
        for r in fetch(EXTENSIONS_SQL)
    )
    privilege_rows = _fetch_large(cur, PRIVILEGES_SQL, params)
    privilege_rows.sort(key=_BY_ROLE)  # ORDER BY schema, table, role (roles by code point)
    privileges = tuple(
        _new_privilege(r.schema, r.table_name, r.role, frozenset(r.privileges))
        for r in privilege_rows
    )
    column_privileges = tuple(
        ColumnPrivilege(
            r["schema"], r["table_name"], r["column_name"], r["role"], frozenset(r["privileges"])
        )
        for r in fetch(COLUMN_PRIVILEGES_SQL)
    )
    sequences = tuple(map(_sequence, fetch(SEQUENCES_SQL)))
    roles = tuple(map(_role, fetch(ROLES_SQL)))
    storage_rows = fetch(STORAGE_POLICIES_SQL)
    bucket_rows = fetch(BUCKETS_SQL) if storage_rows[0]["buckets_readable"] else []
    return _Rest(
        columns=columns,
        schema_rows=schema_rows,
        table_rows=table_rows,
        view_rows=view_rows,
        constraints=constraints,
        functions=functions,
        triggers=triggers,
        enums=enums,
        extensions=extensions,
        privileges=privileges,
        column_privileges=column_privileges,
        sequences=sequences,
        roles=roles,
        buckets=tuple(Bucket(r["id"], r["name"], r["public"]) for r in bucket_rows),
        storage_policies=tuple(_policy(r) for r in storage_rows if r["name"] is not None),
    )


def _read_elsewhere(
    connect: Callable[[], psycopg.Connection[Any]],
    snapshot: str,
    params: dict[str, Any],
    known: Future[_Known],
) -> tuple[tuple[Policy, ...], tuple[Index, ...]]:
    """:func:`_policies_and_indexes`, read on a connection of their own in ``snapshot``
    (while the first connection reads the rest)."""
    with connect() as other, other.cursor(row_factory=dict_row) as cur:
        other.autocommit = True
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cur.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            cur.execute(_SESSION_SQL)
            return _policies_and_indexes(cur, params, known)
        finally:
            cur.execute("ROLLBACK")


def read_catalog(
    conn: psycopg.Connection[Any],
    *,
    exclude_schemas: frozenset[str] = DEFAULT_EXCLUDED,
    privilege_roles: frozenset[str] = API_ROLES,
    second: Callable[[], psycopg.Connection[Any]] | None = None,
) -> Catalog:
    """Read the database behind ``conn`` into a :class:`Catalog`.

    Runs a fixed number of queries (one per object kind) whatever the database size; the
    cyclic garbage collector is paused while the rows become model objects
    (:mod:`pgvet.gc_pause`), and the two readers take turns with the interpreter lock
    often (:mod:`pgvet.thread_switch`).
    ``exclude_schemas`` are left out (functions excepted, see the module docstring);
    ``privilege_roles`` are the roles whose table and column privileges are read, besides
    PUBLIC. The connection's transaction state and settings are left unchanged.

    ``second`` opens another connection to the same database (a sandbox's): when ``conn``
    is idle, everything but the columns, indexes and policies is read there, in a
    thread, in the same snapshot (``pg_export_snapshot``), while ``conn`` reads those
    three (:class:`_Relations` says why they stay together): the server's work, most of
    the time of a large catalog, then runs on two cores (measured on a 5,000-table
    catalog: see bench/lint.py).
    """
    with paused_gc(), brief_switches():
        return _read_catalog(conn, exclude_schemas, privilege_roles, second)


def _read_catalog(
    conn: psycopg.Connection[Any],
    exclude_schemas: frozenset[str],
    privilege_roles: frozenset[str],
    second: Callable[[], psycopg.Connection[Any]] | None,
) -> Catalog:
    status = conn.info.transaction_status
    if status not in (TransactionStatus.IDLE, TransactionStatus.INTRANS):
        raise psycopg.ProgrammingError(
            f"read_catalog needs an idle connection or an open transaction, not {status.name}"
        )
    params = {
        "excluded": sorted(exclude_schemas),
        "roles": sorted(privilege_roles),
    }
    version = conn.info.server_version
    with conn.transaction(force_rollback=True), conn.cursor(row_factory=dict_row) as cur:
        if status == TransactionStatus.IDLE:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute(_SESSION_SQL)
        read: Future[_Known] = Future()
        with ThreadPoolExecutor(1) as pool:
            elsewhere = None
            if second is not None and status == TransactionStatus.IDLE:
                snapshot = cur.execute("SELECT pg_catalog.pg_export_snapshot() AS id").fetchone()
                assert snapshot is not None
                elsewhere = pool.submit(_read_elsewhere, second, snapshot["id"], params, read)
            try:
                rest = _rest(cur, params, version, read)
            except BaseException as error:
                if not read.done():  # the other thread must not wait for it forever
                    read.set_exception(error)
                raise
            # the snapshot lives as long as this transaction
            policies, indexes = (
                elsewhere.result()
                if elsewhere is not None
                else _policies_and_indexes(cur, params, read)
            )

    columns = rest.columns
    return Catalog(
        server_version=version,
        schemas=tuple(Schema(r["name"], r["owner"], r["comment"]) for r in rest.schema_rows),
        tables=tuple(_table(r, columns.get((r["schema"], r["name"]), ())) for r in rest.table_rows),
        constraints=rest.constraints,
        indexes=indexes,
        policies=policies,
        functions=rest.functions,
        views=tuple(_view(r, columns.get((r["schema"], r["name"]), ())) for r in rest.view_rows),
        triggers=rest.triggers,
        enums=rest.enums,
        extensions=rest.extensions,
        privileges=rest.privileges,
        column_privileges=rest.column_privileges,
        sequences=rest.sequences,
        roles=rest.roles,
        buckets=rest.buckets,
        storage_policies=rest.storage_policies,
    )


# --- row converters ------------------------------------------------------------------------

_POSITION = operator.attrgetter("position")
_BY_ROLE = operator.attrgetter("schema", "table_name", "role")

# the model objects made by the thousand, every field positionally (pgvet.catalog.positional)
_new_column = positional(Column)
_new_table = positional(Table)
_new_constraint = positional(Constraint)
_new_policy = positional(Policy)
_new_privilege = positional(TablePrivilege)


def _columns_by_relation(rows: list[Any]) -> tuple[Columns, Attributes]:
    """Each relation's columns in order (by number), and their numbers, names, types."""
    out: dict[QualifiedName, list[Column]] = {}
    attributes: Attributes = {}
    rows.sort(key=_POSITION)  # stable: each relation's columns come out in order
    for r in rows:
        relation = (r[0], r[1])
        attributes.setdefault(relation, {})[r.position] = (r.name, r.type_oid, r.collation_oid)
        out.setdefault(relation, []).append(_new_column(*r[COLUMN_FIELDS:]))
    return {k: tuple(v) for k, v in out.items()}, attributes


def _table(r: Row, columns: tuple[Column, ...]) -> Table:
    parent = (r["parent_schema"], r["parent_name"]) if r["parent_name"] is not None else None
    return _new_table(
        r["schema"],
        r["name"],
        _TABLE_KINDS[r["relkind"]],
        r["rls_enabled"],
        r["rls_forced"],
        r["partition_key"],
        parent,
        r["partition_bound"],
        r["owner"],
        r["reltuples"],
        r["comment"],
        columns,
        r["extension"],
        tuple(r["options"]),
    )


def _constraints(
    cur: psycopg.Cursor[Any], rows: list[Any], attributes: Attributes, quoted: Quoted
) -> tuple[Constraint, ...]:
    """The constraint rows as model objects, their key columns named from ``attributes``
    (and, for the few it lacks, by one query: a referenced auth.users, a system column),
    their definitions written here where the server left them out
    (:mod:`pgvet.catalog.constraint_definitions`), ``quoted`` quoting names as it does."""
    no_columns: dict[int, Attribute] = {}
    rows.sort(key=_CONSTRAINT_ORDER)
    # most keys are columns the catalog read: named in one pass, the rest after the query
    named: list[tuple[tuple[str, ...], tuple[str, ...]] | None] = []
    for r in rows:
        try:
            columns = tuple([attributes[r.schema, r.table][a][0] for a in r.attnums])
            ref_columns = (
                tuple([attributes[r.ref_schema, r.ref_table][a][0] for a in r.ref_attnums])
                if r.kind == "foreign"
                else ()
            )
            named.append((columns, ref_columns))
        except KeyError:
            named.append(None)
    lacking = [r for r, names in zip(rows, named, strict=True) if names is None]
    asked: dict[tuple[int, int], str] = {}
    missing = {
        (relid, a)
        for r in lacking
        for relation, relid, attnums in (
            ((r.schema, r.table), r.relid, r.attnums),
            ((r.ref_schema, r.ref_table), r.ref_relid, r.ref_attnums),
        )
        for a in attnums
        if a != 0 and a not in attributes.get(relation, no_columns)
    }
    if missing:
        relids, attnums = zip(*sorted(missing), strict=True)
        cur.execute(ATTRIBUTE_NAMES_SQL, {"relids": list(relids), "attnums": list(attnums)})
        asked = {(a["relid"], a["attnum"]): a["name"] for a in cur.fetchall()}

    def names(relation: QualifiedName, relid: int, attnums: list[int]) -> tuple[str, ...]:
        known = attributes.get(relation, no_columns)
        out = []
        for a in attnums:  # an exclusion constraint's expression (0) has no name
            name = known[a][0] if a in known else asked.get((relid, a))
            if name is not None:
                out.append(name)
        return tuple(out)

    keys = [
        names_
        if names_ is not None
        else (
            names((r.schema, r.table), r.relid, r.attnums),
            names((r.ref_schema, r.ref_table), r.ref_relid, r.ref_attnums)
            if r.kind == "foreign"
            else (),
        )
        for r, names_ in zip(rows, named, strict=True)
    ]
    # a key the client could not name (none expected): the server writes that definition
    unnamed = [
        r.oid
        for r, (columns, ref_columns) in zip(rows, keys, strict=True)
        if r.definition is None
        and (len(columns) != len(r.attnums) or len(ref_columns) != len(r.ref_attnums))
    ]
    server_wrote: dict[int, str] = {}
    if unnamed:
        cur.execute(CONSTRAINT_DEFINITIONS_SQL, {"oids": unnamed})
        server_wrote = {w["oid"]: w["definition"] for w in cur.fetchall()}
    return tuple(
        _constraint(r, columns, ref_columns, server_wrote.get(r.oid), quoted)
        for r, (columns, ref_columns) in zip(rows, keys, strict=True)
    )


def _constraint(
    r: Any,
    columns: tuple[str, ...],
    ref_columns: tuple[str, ...],
    server_wrote: str | None,
    quoted: Quoted,
) -> Constraint:
    """A row of the constraints query as a Constraint (its fields in order after
    CONSTRAINT_FIELDS others), with its key columns' names and its definition: the
    server's (in the row, or ``server_wrote``) or written here."""
    definition = r.definition or server_wrote
    if definition is None:
        definition = written_constraint_definition(
            r.kind,
            ", ".join(map(quoted.__getitem__, columns)),
            nulls_not_distinct=r.nulls_not_distinct,
            references=_referenced(r, quoted),
            ref_columns=", ".join(map(quoted.__getitem__, ref_columns)),
            match=r.match,
            on_update=r.on_update,
            on_delete=r.on_delete,
            deferrable=r.deferrable,
            deferred=r.deferred,
            validated=r.validated,
        )
    values = list(r[CONSTRAINT_FIELDS:])
    values[_COLUMNS_AT] = columns
    values[_DEFINITION_AT] = definition
    values[_REF_COLUMNS_AT] = ref_columns
    return _new_constraint(*values)


def _referenced(r: Any, quoted: Quoted) -> str:
    """A foreign key's referenced table as the server writes it: schema-qualified unless
    visible, which with search_path = pg_catalog (the read's) only pg_catalog is."""
    if r.kind != "foreign":
        return ""
    if r.ref_schema == "pg_catalog":
        return quoted[r.ref_table]
    return f"{quoted[r.ref_schema]}.{quoted[r.ref_table]}"


def _indexes(
    cur: psycopg.Cursor[Any], rows: list[Any], names: KeyNames, attributes: Attributes
) -> tuple[Index, ...]:
    """The index rows as model objects, their keys named from ``attributes`` (read in the
    same snapshot) and ``names``, their definitions as the server wrote them or written
    here (and asked of the server, in one query, where the keys are not plain)."""
    no_columns: dict[int, Attribute] = {}
    by_table: dict[QualifiedName, dict[int, str]] = {}
    made: list[Index | None] = []
    rows.sort(key=_INDEX_ORDER)
    for r in rows:
        table = (r.schema, r.table_name)
        table_attributes = attributes.get(table, no_columns)
        attnames = by_table.get(table)
        if attnames is None:
            attnames = by_table[table] = {n: a[0] for n, a in table_attributes.items()}
        made.append(index_of(r, names, table_attributes, attnames, None))
    asked = [r.oid for r, index in zip(rows, made, strict=True) if index is None]
    if asked:
        cur.execute(INDEX_DEFINITIONS_SQL, {"oids": asked})
        written = {w["oid"]: w["definition"] for w in cur.fetchall()}
        made = [
            index
            or index_of(
                r,
                names,
                attributes.get((r.schema, r.table_name), no_columns),
                by_table[(r.schema, r.table_name)],
                written[r.oid],
            )
            for r, index in zip(rows, made, strict=True)
        ]
    return tuple(made)  # type: ignore[arg-type]  # each one made


def _policy(r: Row) -> Policy:
    return _new_policy(
        r["schema"],
        r["table_name"],
        r["name"],
        _POLICY_COMMANDS[r["cmd"]],
        tuple(r["roles"]),
        r["permissive"],
        r["using_expr"],
        r["with_check"],
    )


def search_path_of(settings: Iterable[str]) -> str | None:
    """The ``search_path`` value in a ``proconfig`` list, as stored, or None."""
    for entry in settings:
        name, sep, value = entry.partition("=")
        if sep and name.strip().lower() == "search_path":
            return value
    return None


def _function(r: Row) -> Function:
    settings = tuple(r["settings"])
    return Function(
        schema=r["schema"],
        name=r["name"],
        identity_args=r["identity_args"],
        result=r["result"],
        language=r["language"],
        volatility=_VOLATILITY[r["volatility"]],
        security_definer=r["security_definer"],
        leakproof=r["leakproof"],
        strict=r["strict"],
        settings=settings,
        search_path=search_path_of(settings),
        body=r["body"] or "",
        owner=r["owner"],
        kind=_FUNCTION_KINDS[r["prokind"]],
        owner_bypasses_rls=r["owner_bypasses_rls"],
        extension=r["extension"],
        is_internal_schema=r["is_internal_schema"],
        executable_by=frozenset(r["executable_by"]),
        comment=r["comment"],
    )


_TRUE_WORDS = frozenset({"true", "on", "yes", "1"})
_FALSE_WORDS = frozenset({"false", "off", "no", "0"})


def parse_pg_bool(text: str) -> bool | None:
    """PostgreSQL's boolean parsing (``parse_bool``): true/false/yes/no/on/off/1/0 and
    unique prefixes of true/false/yes/no, any case. None when it is not a boolean."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _TRUE_WORDS:
        return True
    if value in _FALSE_WORDS or value == "of":
        return False
    if "true".startswith(value) or "yes".startswith(value):
        return True
    if "false".startswith(value) or "no".startswith(value):
        return False
    return None


def reloptions(options: Iterable[str]) -> dict[str, str]:
    """``{'security_invoker': 'true', ...}`` from ``pg_class.reloptions``."""
    out: dict[str, str] = {}
    for entry in options:
        name, _, value = entry.partition("=")
        out[name.strip().lower()] = value
    return out


def _view(r: Row, columns: tuple[Column, ...]) -> View:
    opts = reloptions(r["options"])
    return View(
        schema=r["schema"],
        name=r["name"],
        materialized=r["materialized"],
        definition=r["definition"],
        security_invoker=bool(parse_pg_bool(opts.get("security_invoker", "false"))),
        security_barrier=bool(parse_pg_bool(opts.get("security_barrier", "false"))),
        check_option=opts.get("check_option"),
        owner=r["owner"],
        columns=columns,
        extension=r["extension"],
        relations=tuple((schema, name) for schema, name in r["relations"]),
    )


def _trigger(r: Row) -> Trigger:
    tgtype: int = r["tgtype"]
    timing: TriggerTiming
    if tgtype & _TRIGGER_INSTEAD:
        timing = "INSTEAD OF"
    elif tgtype & _TRIGGER_BEFORE:
        timing = "BEFORE"
    else:
        timing = "AFTER"
    events = tuple(
        event
        for bit, event in (
            (_TRIGGER_INSERT, "INSERT"),
            (_TRIGGER_DELETE, "DELETE"),
            (_TRIGGER_UPDATE, "UPDATE"),
            (_TRIGGER_TRUNCATE, "TRUNCATE"),
        )
        if tgtype & bit
    )
    level: TriggerLevel = "ROW" if tgtype & _TRIGGER_ROW else "STATEMENT"
    return Trigger(
        schema=r["schema"],
        table=r["table_name"],
        name=r["name"],
        timing=timing,
        events=events,
        level=level,
        function_schema=r["function_schema"],
        function_name=r["function_name"],
        definition=r["definition"],
        enabled=r["enabled"] != "D",
        update_columns=tuple(r["update_columns"]),
        inherited=r["inherited"],
    )


def _sequence(r: Row) -> Sequence:
    owned_by = (
        (r["owner_schema"], r["owner_table"], r["owner_column"])
        if r["owner_column"] is not None
        else None
    )
    return Sequence(
        schema=r["schema"],
        name=r["name"],
        data_type=r["data_type"],
        start=r["start"],
        increment=r["increment"],
        min_value=r["min_value"],
        max_value=r["max_value"],
        cycle=r["cycle"],
        owned_by=owned_by,
        identity=r["identity"],
    )


def _role(r: Row) -> Role:
    return Role(
        name=r["name"],
        superuser=r["superuser"],
        bypass_rls=r["bypass_rls"],
        can_login=r["can_login"],
        inherit=r["inherit"],
        member_of=tuple(r["member_of"]),
    )
