"""What a database holds, reduced to comparable facts: catalog, row counts, content hashes.

Each side of a comparison (the source database, the restored one, a PITR restore) is read
into a :class:`Snapshot` on its own connection, so the two can be read at the same time and
compared as plain values afterwards.

The content hash is computed by the server: a 64-bit hash of each row's text
(``hashtextextended(ROW(cols)::text, 0)``, columns in their table order; five times
cheaper than md5 on a million rows, and the same on every major since 11), summed
exactly (as numeric). A sum is order-independent (a restore writes rows in another
physical order) and, unlike ``xor``, counts duplicates (two equal rows in a table without
a key do not cancel out). The session pins every setting that changes a value's text
(``DateStyle``, ``TimeZone``, ``extra_float_digits``, ``bytea_output``,
``IntervalStyle``, ``lc_monetary``), and all of it is read in one repeatable-read
snapshot. Tables of at most :data:`ROW_DETAIL_LIMIT` rows also get per-row hashes keyed
by primary key, so a difference can name its rows and columns; row values themselves are
never read into a report (backups hold personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog import Catalog, read_catalog

#: Tables up to this many rows are hashed row by row too (to name differing rows).
ROW_DETAIL_LIMIT = 10_000
#: Schemas ``supabase db dump --data-only`` leaves out (the platform's), besides pg_*.
DATA_EXCLUDED_SCHEMAS = frozenset(
    [
        "information_schema",
        "graphql",
        "graphql_public",
        "pgsodium",
        "pgsodium_masks",
        "pgtle",
        "repack",
        "tiger",
        "tiger_data",
        "topology",
        "vault",
        "etl",
        "extensions",
        "pgbouncer",
        "realtime",
        "supabase_migrations",
        "_analytics",
        "_realtime",
        "_supavisor",
    ]
)
#: Tables it leaves out: the platform services' own migration history.
DATA_EXCLUDED_TABLES = frozenset(
    {
        ("auth", "schema_migrations"),
        ("storage", "migrations"),
        ("supabase_functions", "migrations"),
    }
)
#: Roles the platform manages (the Supabase CLI's reserved roles): never in a roles dump.
RESERVED_ROLES = frozenset(
    [
        "anon",
        "authenticated",
        "authenticator",
        "dashboard_user",
        "pgbouncer",
        "postgres",
        "service_role",
        "supabase_admin",
        "supabase_auth_admin",
        "supabase_functions_admin",
        "supabase_read_only_user",
        "supabase_realtime_admin",
        "supabase_replication_admin",
        "supabase_storage_admin",
        "supabase_etl_admin",
        "pgsodium_keyholder",
        "pgsodium_keyiduser",
        "pgsodium_keymaker",
        "pgtle_admin",
    ]
)
#: Settings that decide how values print, pinned so both sides write the same text.
TEXT_SETTINGS = {
    "datestyle": "ISO, YMD",
    "intervalstyle": "postgres",
    "timezone": "UTC",
    "extra_float_digits": "3",
    "bytea_output": "hex",
    "lc_monetary": "C",
}

QualifiedName = tuple[str, str]


@dataclass(frozen=True)
class TableData:
    """One table's rows as a count and a hash; per-row hashes for small tables."""

    columns: tuple[str, ...]
    key: tuple[str, ...]
    count: int
    digest: str
    #: primary-key text → (row hash, column → value hash); None for big tables
    rows: dict[tuple[str, ...], tuple[str, dict[str, str | None]]] | None = None


@dataclass
class Snapshot:
    """Everything compared about one database."""

    label: str
    catalog: Catalog
    tables: dict[QualifiedName, TableData] = field(default_factory=dict)
    sequences: dict[QualifiedName, int | None] = field(default_factory=dict)
    roles: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    server_version: int = 0
    #: columns whose values differ between two replays of the same project (now(), random
    #: keys): left out of the content comparison with that project
    volatile: dict[QualifiedName, frozenset[str]] = field(default_factory=dict)


_TABLES = """
select n.nspname, c.relname,
  array(select a.attname::text from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum),
  array(select a.attname::text from pg_index i
        cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
        where i.indrelid = c.oid and i.indisprimary order by k.ord)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'r' and c.relpersistence <> 't'
  and n.nspname !~ '^pg_' and n.nspname <> all(%(excluded)s::text[])
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                  and d.objid = c.oid and d.deptype = 'e')
order by 1, 2
"""
_SEQUENCES = """
select schemaname::text, sequencename::text, last_value from pg_sequences
where schemaname !~ '^pg_' and schemaname <> all(%(excluded)s::text[])
"""
_ROLES = """
select r.rolname::text, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
  r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit,
  array(select b.rolname::text from pg_auth_members m join pg_roles b on b.oid = m.roleid
        where m.member = r.oid order by 1)
from pg_roles r
where r.rolname !~ '^pg_' and r.rolname <> all(%(reserved)s::text[])
"""
ROLE_FIELDS = (
    "superuser",
    "inherit",
    "createrole",
    "createdb",
    "login",
    "replication",
    "bypassrls",
    "connection limit",
    "member of",
)


def _row_text(columns: tuple[str, ...]) -> sql.Composable:
    return sql.SQL("ROW({})::text").format(
        sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in columns)
    )


def table_digest(
    conn: psycopg.Connection[Any], name: QualifiedName, columns: tuple[str, ...]
) -> tuple[int, str]:
    """Row count and order-independent content hash of ``name``, computed by the server."""
    query = sql.SQL("select count(*), coalesce(sum(hashtextextended({}, 0)), 0) from {} t").format(
        _row_text(columns), sql.Identifier(*name)
    )
    count, total = conn.execute(query).fetchone()  # type: ignore[misc]
    return int(count), f"{int(total):x}"


def _row_hashes(
    conn: psycopg.Connection[Any],
    name: QualifiedName,
    columns: tuple[str, ...],
    key: tuple[str, ...],
) -> dict[tuple[str, ...], tuple[str, dict[str, str | None]]]:
    """Per-row hashes keyed by primary key (by the row's own hash without one)."""
    keys = key or ()
    key_sql = (
        sql.SQL("array[{}]").format(
            sql.SQL(", ").join(sql.SQL("t.{}::text").format(sql.Identifier(k)) for k in keys)
        )
        if keys
        else sql.SQL("array[md5({})]").format(_row_text(columns))
    )
    col_hashes = sql.SQL(", ").join(
        sql.SQL("md5(t.{}::text)").format(sql.Identifier(c)) for c in columns
    )
    query = sql.SQL("select {}, md5({}), array[{}]::text[] from {} t").format(
        key_sql, _row_text(columns), col_hashes, sql.Identifier(*name)
    )
    out: dict[tuple[str, ...], tuple[str, dict[str, str | None]]] = {}
    for row_key, row_hash, hashes in conn.execute(query):
        k = tuple(row_key)
        if not keys and k in out:  # identical rows without a key: count them apart
            k = (*k, str(sum(1 for x in out if x[0] == k[0])))
        out[k] = (row_hash, dict(zip(columns, hashes, strict=True)))
    return out


def take_snapshot(
    conn: psycopg.Connection[Any],
    label: str,
    *,
    on_table: Callable[[str], None] | None = None,
) -> Snapshot:
    """Read the catalog, every table's rows, sequences and roles behind ``conn``.

    One repeatable-read, read-only transaction: a live source being written to is read as of
    one instant; the pinned settings are local to it.
    """
    params = {"excluded": sorted(DATA_EXCLUDED_SCHEMAS), "reserved": sorted(RESERVED_ROLES)}
    with conn.transaction(force_rollback=True):
        conn.execute("set transaction isolation level repeatable read, read only")
        snap = Snapshot(label, read_catalog(conn), server_version=conn.info.server_version)
        for key, value in TEXT_SETTINGS.items():
            conn.execute("select set_config(%s, %s, true)", (key, value))
        tables = conn.execute(_TABLES, params).fetchall()
        for schema, name, columns, pk in tables:
            if (schema, name) in DATA_EXCLUDED_TABLES:
                continue
            if on_table is not None:
                on_table(f"{schema}.{name}")
            cols, key = tuple(columns), tuple(pk)
            count, digest = table_digest(conn, (schema, name), cols)
            rows = (
                _row_hashes(conn, (schema, name), cols, key) if count <= ROW_DETAIL_LIMIT else None
            )
            snap.tables[(schema, name)] = TableData(cols, key, count, digest, rows)
        for schema, name, last in conn.execute(_SEQUENCES, params):
            snap.sequences[(schema, name)] = last
        for name, *attrs in conn.execute(_ROLES, params):
            snap.roles[name] = (*attrs[:-1], tuple(attrs[-1]))
    return snap


def volatile_columns(first: Snapshot, second: Snapshot) -> dict[QualifiedName, frozenset[str]]:
    """Columns whose values differ between two snapshots of the same replay (per table, the
    multiset of each column's value hashes): what ``now()``, ``gen_random_uuid()`` and the
    like wrote. Tables too big for per-row hashes are not measured."""
    out: dict[QualifiedName, frozenset[str]] = {}
    for key, a in first.tables.items():
        b = second.tables.get(key)
        if b is None or a.rows is None or b.rows is None or a.columns != b.columns:
            continue
        changed = frozenset(
            c
            for c in a.columns
            if sorted(map(str, (v[1][c] for v in a.rows.values())))
            != sorted(map(str, (v[1][c] for v in b.rows.values())))
        )
        if changed:
            out[key] = changed
    return out
