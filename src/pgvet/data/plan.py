"""What to generate: which tables, how many rows each, in which order.

Parents before children (foreign keys); a cycle is broken at a nullable foreign key, which
is left NULL while loading and filled afterwards. Row counts come from ``--rows N`` (every
table) or a scale file; the tenant table (the one ``clinic_id`` / ``tenant_id`` point at)
gets a few hundredth of that, and a table whose foreign key is also its key (a profile per
user) at most one row per parent. ``auth.users`` is generated too, as GoTrue would fill it,
since profiles and personas hang off it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from pgvet.catalog.model import Catalog, Column, Constraint, QualifiedName, Table
from pgvet.errors import InputError

AUTH_USERS: QualifiedName = ("auth", "users")
#: the tenant table gets rows / TENANT_RATIO rows (at least MIN_TENANTS)
TENANT_RATIO = 200
MIN_TENANTS = 3
MAX_TENANTS = 1000
#: the columns of auth.users pgvet fills (the rest keep their defaults or stay NULL)
AUTH_COLUMNS = (
    "instance_id",
    "id",
    "aud",
    "role",
    "email",
    "encrypted_password",
    "email_confirmed_at",
    "raw_app_meta_data",
    "raw_user_meta_data",
    "created_at",
    "updated_at",
)
AUTH_CONSTANTS = {
    "instance_id": "00000000-0000-0000-0000-000000000000",
    "aud": "authenticated",
    "role": "authenticated",
    "encrypted_password": "$2a$10$pgvetpgvetpgvetpgvetpeK6mU0Ff8lDPV1N7gV1mQw3o6mU0Ff8l",
    "raw_app_meta_data": '{"provider": "email", "providers": ["email"]}',
}


@dataclass(frozen=True)
class Scale:
    """Rows per table: ``tables`` (a scale file's ``[rows]``) first, then ``like`` (a live
    database's estimates, ``--like``; at most ``cap`` each), ``default`` for the rest."""

    default: int
    tables: dict[str, int] = field(default_factory=dict)
    like: dict[QualifiedName, int] = field(default_factory=dict)
    cap: int | None = None

    def rows_for(self, key: QualifiedName) -> int | None:
        schema, name = key
        explicit = self.tables.get(
            f"{schema}.{name}", self.tables.get(name) if schema == "public" else None
        )
        if explicit is None and key in self.like:
            live = self.like[key]
            return live if self.cap is None else min(live, self.cap)
        return explicit


def read_scale(path: Path) -> Scale:
    """A scale file: ``default = N`` and ``[rows]`` ``table = N`` (``schema.table`` for
    tables outside ``public``). Anything else is an error, as in every pgvet setting."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the scale file: {exc}") from exc
    unknown = set(data) - {"default", "rows"}
    if unknown:
        raise InputError(f"{path}: unknown keys {sorted(unknown)}", hint="use default and [rows]")
    default = data.get("default", 1000)
    rows = data.get("rows", {})
    if not _count(default) or not isinstance(rows, dict) or not all(map(_count, rows.values())):
        raise InputError(f"{path}: row counts must be whole numbers ≥ 0")
    return Scale(default, {str(k): int(v) for k, v in rows.items()})


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class TablePlan:
    """One table to fill: its rows, and the foreign key that makes it one row per parent."""

    table: Table
    rows: int
    one_to_one: Constraint | None = None


@dataclass
class Plan:
    """Tables in load order, the foreign keys filled after loading, the tenant table."""

    tables: list[TablePlan]
    deferred: list[Constraint]
    root: QualifiedName | None
    tenant_columns: tuple[str, ...]


def auth_users_table(conn: psycopg.Connection) -> Table:
    """``auth.users`` (outside the catalog, which skips Supabase's schemas) with the
    columns pgvet fills."""
    rows = conn.execute(
        """select a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), n.nspname,
                  t.typname, a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
           from pg_attribute a join pg_type t on t.oid = a.atttypid
           join pg_namespace n on n.oid = t.typnamespace
           left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
           where a.attrelid = 'auth.users'::regclass and a.attnum > 0 and not a.attisdropped
           order by a.attnum"""
    ).fetchall()
    columns = tuple(
        Column(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows if r[0] in AUTH_COLUMNS
    )
    return Table("auth", "users", "table", columns=columns)


def fillable(catalog: Catalog) -> list[Table]:
    """The tables that hold the project's rows: plain and partitioned tables of the
    project's schemas (partitions are filled through their parent)."""
    return [
        t
        for t in catalog.base_tables
        if t.kind in ("table", "partitioned") and t.parent is None and t.extension is None
    ]


def make_plan(
    catalog: Catalog,
    tables: Sequence[Table],
    scale: Scale,
    tenant_columns: Sequence[str],
) -> Plan:
    """Order ``tables`` parents first and give each its row count."""
    by_key = {t.key: t for t in tables}
    for name in scale.tables:
        key = tuple(name.split(".", 1)) if "." in name else ("public", name)
        if key not in by_key:
            raise InputError(f"scale file: no table {name} to fill")
    root = _tenant_root(catalog, tables, tenant_columns)
    order, deferred = _order(catalog, tables)
    counts: dict[QualifiedName, int] = {}
    plans = []
    for table in order:
        explicit = scale.rows_for(table.key)
        rows = explicit if explicit is not None else scale.default
        if table.key == root and explicit is None:
            rows = min(max(scale.default // TENANT_RATIO, MIN_TENANTS), MAX_TENANTS)
        one = _one_to_one(catalog, table)
        if one is not None:
            parent = (one.ref_schema or "public", one.ref_table or "")
            if table.key == AUTH_USERS or parent not in counts:
                one = None
            else:
                rows = min(rows, counts[parent])
        counts[table.key] = rows
        plans.append(TablePlan(table, rows, one))
    if AUTH_USERS in by_key:  # as many users as the biggest profile table that needs them
        profiles = [p.rows for p in plans if p.one_to_one and _refs(p.one_to_one) == AUTH_USERS]
        if profiles and scale.rows_for(AUTH_USERS) is None:
            users = max(profiles)
            plans = [
                TablePlan(p.table, users if p.table.key == AUTH_USERS else p.rows, p.one_to_one)
                for p in plans
            ]
    return Plan(plans, deferred, root, tuple(tenant_columns))


def _refs(fk: Constraint) -> QualifiedName:
    return (fk.ref_schema or "public", fk.ref_table or "")


def _tenant_root(
    catalog: Catalog, tables: Sequence[Table], tenant_columns: Sequence[str]
) -> QualifiedName | None:
    """The table most tenant columns point at (``clinics`` for ``clinic_id``)."""
    votes: dict[QualifiedName, int] = {}
    for table in tables:
        for fk in catalog.foreign_keys_of(table.schema, table.name):
            if len(fk.columns) == 1 and fk.columns[0] in tenant_columns[:1]:
                votes[_refs(fk)] = votes.get(_refs(fk), 0) + 1
    if not votes:
        for table in tables:
            for fk in catalog.foreign_keys_of(table.schema, table.name):
                if len(fk.columns) == 1 and fk.columns[0] in tenant_columns:
                    votes[_refs(fk)] = votes.get(_refs(fk), 0) + 1
    return max(votes, key=lambda k: votes[k]) if votes else None


def _one_to_one(catalog: Catalog, table: Table) -> Constraint | None:
    """The foreign key whose columns are also a key of ``table`` (one row per parent)."""
    keys = {
        frozenset(c.columns)
        for c in catalog.constraints_of(table.schema, table.name)
        if c.kind in ("primary", "unique")
    }
    keys |= {
        frozenset(i.columns)  # type: ignore[arg-type]
        for i in catalog.indexes_of(table.schema, table.name)
        if i.unique and i.predicate is None and None not in i.columns
    }
    for fk in catalog.foreign_keys_of(table.schema, table.name):
        if frozenset(fk.columns) in keys and _refs(fk) != table.key:
            return fk
    return None


def _order(catalog: Catalog, tables: Sequence[Table]) -> tuple[list[Table], list[Constraint]]:
    """Parents first (Kahn); a cycle is broken at a nullable foreign key, deferred."""
    keys = {t.key for t in tables}
    edges: dict[QualifiedName, list[Constraint]] = {t.key: [] for t in tables}
    for table in tables:
        for fk in catalog.foreign_keys_of(table.schema, table.name):
            if _refs(fk) in keys and _refs(fk) != table.key:
                edges[table.key].append(fk)
    by_key = {t.key: t for t in tables}
    done: set[QualifiedName] = set()
    order: list[Table] = []
    deferred: list[Constraint] = []
    pending = [t.key for t in tables]
    while pending:
        ready = [k for k in pending if all(_refs(fk) in done for fk in edges[k])]
        if not ready:
            key, fk = _breakable(catalog, pending, edges, done)
            edges[key].remove(fk)
            if fk is not None:
                deferred.append(fk)
            continue
        for key in ready:
            order.append(by_key[key])
            done.add(key)
        pending = [k for k in pending if k not in done]
    return order, deferred


def _breakable(
    catalog: Catalog,
    pending: list[QualifiedName],
    edges: dict[QualifiedName, list[Constraint]],
    done: set[QualifiedName],
) -> tuple[QualifiedName, Constraint]:
    for key in pending:
        table = catalog.table(*key)
        for fk in edges[key]:
            if _refs(fk) in done:
                continue
            if all(not (c := table.column(n)) or not c.not_null for n in fk.columns):
                return key, fk
    names = ", ".join(".".join(k) for k in pending)
    raise InputError(
        f"the foreign keys of {names} form a cycle of NOT NULL columns",
        hint="no row of them can be inserted first; make one of those columns nullable",
    )
