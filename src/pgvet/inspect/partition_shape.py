"""Everything about one table that partitioning it online must carry over, read from the
database (the live one, read-only, or a sandbox): columns, keys, indexes, foreign keys both
ways, policies, grants, triggers, dependent views, publications, sequences.

Expressions (policies, view bodies, index and trigger definitions) are read with
``search_path = ''`` so that PostgreSQL prints every name qualified: the generated
migration then means the same thing whatever search_path it runs with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from pgvet.analysis.sql.quote import ident

TAG = "/* pgvet inspect */"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # format_type
    not_null: bool
    generated: bool  # GENERATED ALWAYS AS (…) STORED: never written
    identity: str  # "" / "a" (always) / "d" (by default)
    has_default: bool = False  # a DEFAULT expression (atthasdef)


@dataclass(frozen=True)
class TableShape:
    schema: str
    name: str
    kind: str  # pg_class.relkind: "r" can be partitioned online here
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    uniques: tuple[tuple[str, str, tuple[str, ...]], ...]  # (constraint, index, columns)
    indexes: tuple[tuple[str, str], ...]  # (name, definition): valid, not behind a constraint
    foreign_keys: tuple[tuple[str, str], ...]  # outgoing: (name, definition)
    referenced_by: tuple[str, ...]  # incoming foreign keys: "schema.table.constraint"
    checks: int  # CHECK constraints (copied by LIKE … INCLUDING CONSTRAINTS)
    policies: tuple[str, ...]  # CREATE POLICY statements with the table as {table}
    rls: bool
    force_rls: bool
    grants: tuple[tuple[str, str], ...]  # (grantee or PUBLIC, privilege)
    triggers: tuple[str, ...]  # CREATE TRIGGER definitions
    views: tuple[tuple[str, str, str], ...]  # (qualified name, options, definition)
    matviews: tuple[str, ...]  # materialized views reading the table (cannot follow)
    publications: tuple[str, ...]
    serial_sequences: tuple[tuple[str, str], ...]  # (column, qualified sequence) owned
    key_min: datetime | None  # the partition key's smallest value, time keys only
    comment: str | None = None  # the table's own comment


SHAPE = f"""
select {TAG} c.relkind,
  (select coalesce(json_agg(json_build_object('name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
      'generated', a.attgenerated <> '', 'identity', a.attidentity,
      'has_default', a.atthasdef and a.attgenerated = '') order by a.attnum), '[]')
   from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
  (select coalesce(json_agg(a.attname order by k.ord), '[]')
   from pg_constraint p, unnest(p.conkey) with ordinality k(attnum, ord)
   join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
   where p.conrelid = c.oid and p.contype = 'p'),
  (select coalesce(json_agg(json_build_array(p.conname, p.conindid::regclass::text,
      (select json_agg(a.attname order by k.ord) from unnest(p.conkey) with ordinality
       k(attnum, ord) join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum))), '[]')
   from pg_constraint p where p.conrelid = c.oid and p.contype in ('u', 'x')),
  (select coalesce(json_agg(json_build_array(i.indexrelid::regclass::text,
      pg_get_indexdef(i.indexrelid))), '[]')
   from pg_index i where i.indrelid = c.oid and i.indisvalid
     and not exists (select from pg_constraint p where p.conindid = i.indexrelid
                     and p.conrelid = c.oid)),
  (select coalesce(json_agg(json_build_array(p.conname, pg_get_constraintdef(p.oid))), '[]')
   from pg_constraint p where p.conrelid = c.oid and p.contype = 'f'),
  (select coalesce(json_agg(p.conrelid::regclass::text || '.' || p.conname), '[]')
   from pg_constraint p where p.confrelid = c.oid and p.contype = 'f'),
  (select count(*) from pg_constraint p where p.conrelid = c.oid and p.contype = 'c'),
  (select coalesce(json_agg(json_build_array(p.policyname, p.permissive, p.cmd, p.roles,
      p.qual, p.with_check)), '[]')
   from pg_policies p where p.schemaname = n.nspname and p.tablename = c.relname),
  c.relrowsecurity, c.relforcerowsecurity,
  (select coalesce(json_agg(json_build_array(
      case when x.grantee = 0 then 'PUBLIC' else x.grantee::regrole::text end,
      x.privilege_type)), '[]')
   from aclexplode(c.relacl) x where x.grantee <> c.relowner),
  (select coalesce(json_agg(pg_get_triggerdef(t.oid)), '[]')
   from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal),
  (select coalesce(json_agg(json_build_array(v.oid::regclass::text, v.relkind,
      coalesce(array_to_string(v.reloptions, ', '), ''), pg_get_viewdef(v.oid))), '[]')
   from pg_class v where v.relkind in ('v', 'm') and v.oid in (
     select r.ev_class from pg_depend d join pg_rewrite r on r.oid = d.objid
     where d.classid = 'pg_rewrite'::regclass and d.refobjid = c.oid and r.ev_class <> c.oid)),
  (select coalesce(json_agg(p.pubname), '[]') from pg_publication_rel pr
   join pg_publication p on p.oid = pr.prpubid where pr.prrelid = c.oid),
  (select coalesce(json_agg(json_build_array(a.attname, d.objid::regclass::text)), '[]')
   from pg_depend d join pg_attribute a on a.attrelid = c.oid and a.attnum = d.refobjsubid
   where d.classid = 'pg_class'::regclass and d.refobjid = c.oid and d.deptype = 'a'
     and (select relkind from pg_class s where s.oid = d.objid) = 'S'),
  obj_description(c.oid, 'pg_class')
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = %(schema)s and c.relname = %(name)s
"""


def read_shape(conn: psycopg.Connection, schema: str, name: str, key: str | None) -> TableShape:
    """The table's shape, in one statement (plus the key's minimum for a time key)."""
    with conn.transaction():
        conn.execute("set local search_path = ''")
        row = conn.execute(SHAPE, {"schema": schema, "name": name}).fetchone()
        if row is None:
            raise LookupError(f"{schema}.{name} does not exist")
        key_min = _key_min(conn, schema, name, key) if key else None
    (kind, cols, pk, uniques, indexes, fks, refs, checks, pols, rls, force, grants, trigs,
     views, pubs, seqs, comment) = row  # fmt: skip
    columns = tuple(
        Column(c["name"], c["type"], c["not_null"], c["generated"], c["identity"], c["has_default"])
        for c in cols
    )
    return TableShape(
        schema,
        name,
        kind,
        columns,
        tuple(pk),
        tuple((u[0], u[1], tuple(u[2] or ())) for u in uniques),
        tuple((i[0], i[1]) for i in indexes),
        tuple((f[0], f[1]) for f in fks),
        tuple(refs),
        checks,
        tuple(_policy(p) for p in pols),
        rls,
        force,
        tuple((g[0], g[1]) for g in grants),
        tuple(trigs),
        tuple((v[0], v[2], v[3]) for v in views if v[1] == "v"),
        tuple(v[0] for v in views if v[1] == "m"),
        tuple(pubs),
        tuple((s[0], s[1]) for s in seqs),
        key_min,
        comment,
    )


def _policy(p: list) -> str:
    """CREATE POLICY for the table named ``{table}`` (filled in by the generator)."""
    name, permissive, cmd, roles, qual, check = p
    sql = f"create policy {ident(name)} on {{table}} as {permissive.lower()} for {cmd.lower()}"
    sql += " to " + ", ".join("public" if r == "public" else ident(r) for r in roles)
    if qual is not None:
        sql += f" using ({qual})"
    if check is not None:
        sql += f" with check ({check})"
    return sql + ";"


def _key_min(conn: psycopg.Connection, schema: str, name: str, key: str) -> datetime | None:
    """The time key's smallest value: ``min()`` (an index makes it instant), else nothing;
    rows older than the first partition land in the default partition anyway."""
    query = sql.SQL("select {tag} min({key})::timestamptz from {table}").format(
        tag=sql.SQL(TAG), key=sql.Identifier(key), table=sql.Identifier(schema, name)
    )
    try:
        with conn.transaction():
            conn.execute("set local statement_timeout = '5s'")
            row = conn.execute(query).fetchone()
    except psycopg.errors.QueryCanceled:
        return None
    return row[0] if row else None
