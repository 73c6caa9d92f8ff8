"""Generate two tenants' worth of data: users, memberships and a row in every table.

Why generated data rather than the seed for isolation: pgvet must know, for every row,
which tenant it belongs to. Two *worlds* (A and B) are built the same way: each gets its
own users (one per membership role), its own tenant root row, and a row in every
tenant-scoped table whose foreign keys point only at rows of the same world (parents
first, in foreign-key order). Rows that triggers add along the way (profiles, personal
accounts) are found afterwards and belong to the world that caused them, so "tenant B's
rows" is exact.

Rows come from :class:`pgvet.rls.rows.RowMaker` (values valid for types, enums, checks
and NOT NULL; a row a check rejects is retried with other candidates). A table that
cannot be filled is listed with the reason (and so are the tables that needed it);
nothing is skipped silently.

Everything is written as the connection's role (the superuser in a sandbox) inside the
caller's transaction, which the caller rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog.model import Catalog, QualifiedName, Table
from pgvet.rls.creators import create_through_function
from pgvet.rls.keys import KeySpec, key_spec
from pgvet.rls.rows import FixtureUser, RowMaker, Unfillable, tenant_value
from pgvet.rls.tenancy import Step, Tenancy

WORLDS = ("A", "B")
CHUNK = 100  # tables per UNION ALL: a deep statement would exhaust the server's stack


@dataclass
class Fixture:
    """The generated data, by world, with what could not be generated and why."""

    tenancy: Tenancy
    users: dict[str, list[FixtureUser]] = field(default_factory=dict)
    #: world → table → keys (as text) of that world's rows, incl. rows triggers added
    rows: dict[str, dict[QualifiedName, list[str]]] = field(default_factory=dict)
    #: world → table → one row of that world as JSON (copied for insert checks)
    samples: dict[str, dict[QualifiedName, dict[str, Any]]] = field(default_factory=dict)
    keys: dict[QualifiedName, KeySpec] = field(default_factory=dict)
    unfilled: dict[QualifiedName, str] = field(default_factory=dict)
    #: shared tables (no tenant) that got a row because tenant tables reference them
    shared_filled: list[QualifiedName] = field(default_factory=list)
    #: world → tenant column name → the id that world's rows carry in it (clinic_id → …)
    tenant_values: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: tables whose tenant value a trigger replaces on insert (pgvet set it again after)
    pinned: set[QualifiedName] = field(default_factory=set)

    def world_of(self, world: str) -> dict[QualifiedName, list[str]]:
        return self.rows.get(world, {})

    @property
    def tested_tables(self) -> list[QualifiedName]:
        """Tenant-scoped tables with rows in both worlds."""
        a, b = self.world_of("A"), self.world_of("B")
        return sorted(t for t in self.tenancy.scoped if a.get(t) and b.get(t))


# --- table order ---------------------------------------------------------------------------


def insert_order(
    catalog: Catalog, tables: list[Table], implied: tuple[Step, ...] = ()
) -> list[Table]:
    """Parents before children; cycles broken at a nullable foreign key when there is one.

    ``implied`` references (a column named after the root, no foreign key) order like
    foreign keys: the child copies the parent row's id, so the parent must exist first."""
    by_key = {t.key: t for t in tables}
    deps: dict[QualifiedName, dict[QualifiedName, bool]] = {k: {} for k in by_key}
    for step in implied:
        if step.table in by_key and step.ref in by_key and step.ref != step.table:
            deps[step.table][step.ref] = True
    for t in tables:
        for fk in catalog.foreign_keys_of(t.schema, t.name):
            ref = (fk.ref_schema or "public", fk.ref_table or "")
            if ref == t.key or ref not in by_key:
                continue
            nullable = any(not (c := t.column(n)) or not c.not_null for n in fk.columns)
            deps[t.key][ref] = deps[t.key].get(ref, True) and nullable
    order: list[Table] = []
    done: set[QualifiedName] = set()
    remaining = sorted(by_key)
    while remaining:
        ready = [k for k in remaining if all(d in done for d in deps[k])]
        if not ready:
            # a cycle: take a table whose missing parents are all optional, else any
            soft = [k for k in remaining if all(deps[k][d] for d in deps[k] if d not in done)]
            ready = [(soft or remaining)[0]]
        for k in ready:
            order.append(by_key[k])
            done.add(k)
        remaining = [k for k in remaining if k not in done]
    return order


# --- entry point ---------------------------------------------------------------------------


def build_fixture(conn: psycopg.Connection, catalog: Catalog, tenancy: Tenancy) -> Fixture:
    """Build worlds A and B (and shared rows they need) in the current transaction."""
    tables = [
        t
        for t in catalog.base_tables
        if t.parent is None and t.kind != "foreign" and t.extension is None
    ]
    fixture = Fixture(tenancy)
    fixture.keys = {t.key: key_spec(catalog, t) for t in tables}
    b = RowMaker(conn, catalog, tenancy, tables, fixture.unfilled)
    order = insert_order(catalog, tables, tenancy.implied)
    lo = int(conn.execute("select pg_current_xact_id()::text::bigint % 4294967296").fetchone()[0])  # type: ignore[index]
    claimed: dict[QualifiedName, set[str]] = {}
    needed_shared = _needed_shared(catalog, tenancy, b.tables)
    shared_user = FixtureUser(str(uuid.UUID(int=0)), "shared", "member", "")
    for table in order:
        if table.key in needed_shared:
            # a row of our own, so the fixture never locks rows it did not write (the
            # configured phase may be updating those on another connection); an existing
            # row only when none can be made
            try:
                row = b.insert(table, "shared", shared_user)
                fixture.shared_filled.append(table.key)
            except Unfillable as exc:
                existing = conn.execute(
                    sql.SQL("select to_jsonb(t) from {} t limit 1").format(
                        sql.Identifier(table.schema, table.name)
                    )
                ).fetchone()
                if existing is None:
                    fixture.unfilled[table.key] = str(exc)
                    continue
                row = dict(existing[0])
            b.made.setdefault("shared", {})[table.key] = [row]
    _snapshot(conn, fixture, tables, lo, claimed)  # the shared phase's rows: nobody's
    roles = b.persona_roles()
    for world in WORLDS:
        try:
            users = b.make_users(world, roles)
        except Unfillable as exc:
            for key in sorted(tenancy.scoped):
                if key[0] != "auth":
                    fixture.unfilled.setdefault(key, str(exc))
            fixture.notes.append(str(exc))
            break
        fixture.users[world] = users
        for table in order:
            if table.key not in tenancy.scoped or table.key in needed_shared:
                continue
            try:
                rows = list(_fill(b, table, world, users))
            except Unfillable as exc:
                made = None
                if table.key in tenancy.roots:
                    made = create_through_function(b, table, world, creator(users))
                if made is None:
                    fixture.unfilled.setdefault(table.key, str(exc))
                    continue
                how = made.pop("__pgvet_function")
                rows = [made]
                fixture.notes.append(f"tenant {world}: {'.'.join(table.key)} made by {how}")
            b.made.setdefault(world, {})[table.key] = rows
        fixture.rows[world] = _snapshot(conn, fixture, tables, lo, claimed)
    b.act_for(None)
    fixture.pinned = set(b.pinned)
    if b.pinned:
        fixture.notes.append(
            "tenant value set after insert (a trigger had replaced it) on "
            + ", ".join(".".join(k) for k in sorted(b.pinned))
        )
    _samples(conn, fixture)
    _tenant_values(b, fixture)
    for key in list(fixture.unfilled):
        if fixture.world_of("A").get(key) and fixture.world_of("B").get(key):
            del fixture.unfilled[key]  # a trigger filled it after all
    return fixture


def _fill(
    b: RowMaker, table: Table, world: str, users: list[FixtureUser]
) -> Iterator[dict[str, Any]]:
    if table.key in b.tenancy.profiles:
        for user in users:
            yield b.profile_row(table, world, user)
        return
    membership = b.memberships.get(table.key)
    if membership is not None:
        for user in users:
            fixed: dict[str, Any] = {membership.user_column: user.id}
            role = b.role_value(membership, user.role)
            if membership.role_column and role is not None:
                fixed[membership.role_column] = role
            yield b.insert(table, world, user, fixed)
        return
    yield b.insert(table, world, creator(users) if table.key in b.tenancy.roots else users[0])


def creator(users: list[FixtureUser]) -> FixtureUser:
    """Who creates the tenant root: its owner (else an admin), because triggers such as
    "the creator becomes an owner" make the creator's membership; had the viewer created
    the group, the viewer persona would really be an owner."""
    for word in ("owner", "admin"):
        for user in users:
            if word in user.role.lower():
                return user
    return users[0]


def _tenant_values(b: RowMaker, fixture: Fixture) -> None:
    wanted = {c for cols in b.tenancy.tenant_columns.values() for c in cols}
    for world in WORLDS:
        values: dict[str, str] = {}
        for fk in b.catalog.foreign_keys:
            if len(fk.columns) != 1 or fk.columns[0] not in wanted or fk.columns[0] in values:
                continue
            parent = b.rows_of(world, (fk.ref_schema or "public", fk.ref_table or ""))
            if parent and parent[0].get(fk.ref_columns[0]) is not None:
                values[fk.columns[0]] = str(parent[0][fk.ref_columns[0]])
        for key, column in b.tenancy.value_columns.items():
            col = b.by_key[key].column(column) if key in b.by_key else None
            values.setdefault(column, tenant_value(world, col.type_name if col else "text"))
        fixture.tenant_values[world] = values


def _needed_shared(catalog: Catalog, tenancy: Tenancy, tables: list[Table]) -> set[QualifiedName]:
    """Shared tables that tenant tables reference (they need a row to point at)."""
    keys = {t.key for t in tables}
    out: set[QualifiedName] = set()
    changed = True
    while changed:  # shared parents of needed shared tables are needed too
        changed = False
        for fk in catalog.foreign_keys:
            src = (fk.schema, fk.table)
            ref = (fk.ref_schema or "public", fk.ref_table or "")
            wanted = src in tenancy.scoped or src in out
            if wanted and ref in keys and ref not in tenancy.scoped and ref not in out:
                out.add(ref)
                changed = True
    return out


def _snapshot(
    conn: psycopg.Connection,
    fixture: Fixture,
    tables: list[Table],
    lo: int,
    claimed: dict[QualifiedName, set[str]],
) -> dict[QualifiedName, list[str]]:
    """Keys of rows written since ``lo`` (our transaction's first xid) that no earlier
    phase claimed, per table: the rows this phase inserted plus what triggers added."""
    parts = []
    for table in tables:
        spec = fixture.keys[table.key]
        parts.append(
            sql.SQL("select {}::text, {}::text, {} from {} where xmin::text::bigint >= {}").format(
                sql.Literal(table.schema),
                sql.Literal(table.name),
                spec.expr(),
                spec.ident,
                sql.Literal(lo),
            )
        )
    out: dict[QualifiedName, list[str]] = {}
    for schema, bare, key in _union(conn, parts):
        tk = (schema, bare)
        seen = claimed.setdefault(tk, set())
        if key in seen:
            continue
        seen.add(key)
        out.setdefault(tk, []).append(key)
    return out


def _union(conn: psycopg.Connection, parts: list[sql.Composable]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``parts`` joined by UNION ALL, :data:`CHUNK` at a time: one statement
    over 10,000 tables nests so deep that the server runs out of stack."""
    for start in range(0, len(parts), CHUNK):
        yield from conn.execute(sql.SQL(" union all ").join(parts[start : start + CHUNK]))


def _samples(conn: psycopg.Connection, fixture: Fixture) -> None:
    """One row per world and table, as JSON, for insert checks to copy."""
    for world, tables in fixture.rows.items():
        parts = []
        for key, keys in tables.items():
            spec = fixture.keys[key]
            parts.append(
                sql.SQL(
                    "(select {}::text, {}::text, to_jsonb(t) from {} t where {} limit 1)"
                ).format(
                    sql.Literal(key[0]), sql.Literal(key[1]), spec.ident, spec.matches(keys[:1])
                )
            )
        for schema, bare, row in _union(conn, parts):
            fixture.samples.setdefault(world, {})[(schema, bare)] = dict(row)


__all__ = ["WORLDS", "Fixture", "FixtureUser", "build_fixture", "insert_order"]
