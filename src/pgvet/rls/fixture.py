"""Generate two tenants' worth of data: users, memberships and a row in every table.

Why generated data rather than the seed for isolation: pgvet must know, for every row,
which tenant it belongs to. Two *worlds* (A and B) are built the same way: each gets its
own users (one per membership role), its own tenant root row, and a row in every
tenant-scoped table whose foreign keys point only at rows of the same world (parents
first, in foreign-key order). Rows that triggers add along the way (profiles, personal
accounts) are found afterwards and belong to the world that caused them, so "tenant B's
rows" is exact.

Values come from :mod:`pgvet.rls.values`; a row that a check rejects is retried with the
next candidates of that check's columns. A table that cannot be filled is listed with the
reason (and so are the tables that needed it); nothing is skipped silently.

Everything is written as the connection's role (the superuser in a sandbox) inside the
caller's transaction, which the caller rolls back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import errors, sql

from pgvet.catalog.model import Catalog, Column, Constraint, QualifiedName, Table
from pgvet.rls.keys import KeySpec, key_spec
from pgvet.rls.tenancy import AUTH_USERS, Tenancy
from pgvet.rls.values import (
    DEFAULT,
    NULL,
    Candidate,
    Counter,
    TypeInfo,
    check_value_lists,
    load_types,
    materialize,
    typed_candidates,
)

WORLDS = ("A", "B")
MAX_ATTEMPTS = 40


@dataclass(frozen=True)
class FixtureUser:
    """A generated ``auth.users`` row: its world and the membership role it was made for."""

    id: str
    world: str
    role: str
    email: str


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

    def world_of(self, world: str) -> dict[QualifiedName, list[str]]:
        return self.rows.get(world, {})

    @property
    def tested_tables(self) -> list[QualifiedName]:
        """Tenant-scoped tables with rows in both worlds."""
        a, b = self.world_of("A"), self.world_of("B")
        return sorted(t for t in self.tenancy.scoped if a.get(t) and b.get(t))


class _Unfillable(Exception):
    """This row cannot be generated; the message says why."""


# --- table order ---------------------------------------------------------------------------


def insert_order(catalog: Catalog, tables: list[Table]) -> list[Table]:
    """Parents before children; cycles broken at a nullable foreign key when there is one."""
    by_key = {t.key: t for t in tables}
    deps: dict[QualifiedName, dict[QualifiedName, bool]] = {k: {} for k in by_key}
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


# --- the builder ---------------------------------------------------------------------------


@dataclass
class _Plan:
    columns: list[str]
    fixed: dict[str, Any]  # column → value (python, sent as text with a cast) or NULL
    options: dict[str, list[Candidate]]  # column → candidates (variable columns)


class _Builder:
    def __init__(self, conn: psycopg.Connection, catalog: Catalog, tenancy: Tenancy) -> None:
        self.conn = conn
        self.catalog = catalog
        self.tenancy = tenancy
        self.tables = [
            t
            for t in catalog.base_tables
            if t.parent is None and t.kind != "foreign" and t.extension is None
        ]
        self.by_key = {t.key: t for t in self.tables}
        self.types: dict[tuple[str, str], TypeInfo] = load_types(conn, self.tables)
        self.counter = Counter()
        self.fixture = Fixture(tenancy)
        self.fixture.keys = {t.key: key_spec(catalog, t) for t in self.tables}
        #: world → table → rows (as dicts) this builder inserted or adopted
        self.made: dict[str, dict[QualifiedName, list[dict[str, Any]]]] = {}
        self.recipes: dict[QualifiedName, dict[str, int]] = {}
        self.checks = {t.key: check_value_lists(catalog, t) for t in self.tables}
        self.memberships = {m.table: m for m in tenancy.memberships if not m.profile}
        self._acting: str | None = None

    # -- users --

    def make_users(self, world: str) -> list[FixtureUser]:
        users = []
        for role in self.tenancy.persona_roles:
            uid = str(uuid.uuid4())
            tag = "".join(ch if ch.isalnum() else "-" for ch in role.lower())
            email = f"pgvet.{world.lower()}.{tag}.{self.counter.next()}@example.test"
            self.conn.execute(
                "insert into auth.users (instance_id, id, aud, role, email, encrypted_password,"
                " email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at,"
                " updated_at) values ('00000000-0000-0000-0000-000000000000', %s, "
                "'authenticated', 'authenticated', %s, '', now(),"
                ' \'{"provider": "email", "providers": ["email"]}\', \'{}\', now(), now())',
                (uid, email),
            )
            users.append(FixtureUser(uid, world, role, email))
        return users

    # -- rows --

    def rows_of(self, world: str, table: QualifiedName) -> list[dict[str, Any]]:
        return self.made.get(world, {}).get(table, [])

    def parent_row(self, world: str, ref: QualifiedName) -> dict[str, Any] | None:
        rows = self.rows_of(world, ref) or self.rows_of("shared", ref)
        return rows[0] if rows else None

    def plan(
        self, table: Table, world: str, user: FixtureUser, fixed: dict[str, Any] | None = None
    ) -> _Plan:
        fixed = dict(fixed or {})
        options: dict[str, list[Candidate]] = {}
        user_tables = {AUTH_USERS, *self.tenancy.profiles}
        for fk in self.catalog.foreign_keys_of(table.schema, table.name):
            ref = (fk.ref_schema or "public", fk.ref_table or "")
            if any(c in fixed for c in fk.columns):
                continue
            values: dict[str, Any] | None = None
            if ref in user_tables and len(fk.columns) == 1:
                values = {fk.columns[0]: user.id}
            elif ref != table.key and (parent := self.parent_row(world, ref)) is not None:
                values = {c: parent.get(r) for c, r in zip(fk.columns, fk.ref_columns, strict=True)}
            if values is None:
                required = [c for c in fk.columns if (col := table.column(c)) and col.not_null]
                if required:
                    if ref == table.key:
                        raise _Unfillable(
                            f"{fk.columns[0]} must reference a row of the table itself"
                        )
                    why = self.fixture.unfilled.get(ref)
                    name = ".".join(ref)
                    raise _Unfillable(
                        f"needs a row in {name}" + (f" ({why})" if why else "")
                        if ref in self.by_key
                        else f"needs a row in {name}, which pgvet does not generate"
                    )
                values = dict.fromkeys(fk.columns, NULL)
            for c, v in values.items():
                fixed.setdefault(c, v)
        columns = []
        for col in table.columns:
            if col.generated or col.identity == "always":
                continue
            columns.append(col.name)
            if col.name in fixed:
                continue
            options[col.name] = self.candidates(table, col, world)
        return _Plan(columns, fixed, options)

    def candidates(self, table: Table, col: Column, world: str) -> list[Candidate]:
        default_is_sequence = bool(col.default and "nextval(" in col.default)
        if col.identity or default_is_sequence:
            return [DEFAULT]
        enum = self.catalog.enum(col.type_schema, col.type_name)
        typed = typed_candidates(
            col,
            self.types.get((col.type_schema, col.type_name)),
            self.checks.get(table.key, {}),
            enum.values if enum else None,
            world,
            self.counter,
        )
        out: list[Candidate] = []
        if col.default is not None:
            out.append(DEFAULT)
        if not col.not_null and col.default is None:
            out.append(NULL)
        return out + typed or [NULL]

    def act_for(self, user: FixtureUser | None) -> None:
        """Set ``request.jwt.claims`` to the row's user (role unchanged: still the
        superuser), so defaults and triggers that call ``auth.uid()`` fill in who did it,
        as they would when that user writes through the API."""
        uid = user.id if user is not None and user.world != "shared" else None
        if uid == self._acting:
            return
        claims = json.dumps({"sub": uid, "role": "authenticated"}) if uid else ""
        self.conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
        self._acting = uid

    def insert(
        self, table: Table, world: str, user: FixtureUser, fixed: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.act_for(user)
        plan = self.plan(table, world, user, fixed)
        variable = list(plan.options)
        state = dict.fromkeys(variable, 0)
        state.update({k: v for k, v in self.recipes.get(table.key, {}).items() if k in state})
        last_error = "no attempt"
        for _attempt in range(MAX_ATTEMPTS):
            values = {c: materialize(plan.options[c][state[c]]) for c in variable}
            values.update(plan.fixed)
            try:
                with self.conn.transaction():
                    row = self._insert(table, plan.columns, values)
                self.recipes[table.key] = dict(state)
                return row
            except errors.CheckViolation as exc:
                last_error = _message(exc)
                cols = self._constraint_columns(table, exc.diag.constraint_name)
                if not _advance(state, plan.options, [c for c in cols if c in state] or variable):
                    break
            except errors.NotNullViolation as exc:
                last_error = _message(exc)
                col = exc.diag.column_name or ""
                if col not in state:
                    break
                plan.options[col] = [c for c in plan.options[col] if c not in (DEFAULT, NULL)]
                if not plan.options[col]:
                    raise _Unfillable(f"no value pgvet can make for {col} ({last_error})") from None
                state[col] = 0
            except errors.UniqueViolation as exc:
                last_error = _message(exc)
                cols = self._constraint_columns(table, exc.diag.constraint_name)
                movable = [c for c in cols if c in state]
                if not movable:
                    found = self._adopt(table, {c: values.get(c) for c in cols})
                    if found is not None:
                        return found
                    break
                if not any(callable(plan.options[c][state[c]]) for c in movable) and not _advance(
                    state, plan.options, movable
                ):
                    break
            except errors.ForeignKeyViolation as exc:
                raise _Unfillable(_message(exc)) from None
            except (errors.DataError, errors.InvalidTextRepresentation) as exc:
                last_error = _message(exc)
                if not _advance(state, plan.options, variable):
                    break
            except psycopg.Error as exc:
                raise _Unfillable(_message(exc)) from None
        raise _Unfillable(f"no valid row found: {last_error}")

    def _insert(self, table: Table, columns: list[str], values: dict[str, Any]) -> dict[str, Any]:
        items = []
        params: list[Any] = []
        for name in columns:
            value = values[name]
            if value is DEFAULT:
                items.append(sql.SQL("default"))
            elif value is NULL or value is None:
                items.append(sql.SQL("null"))
            else:
                col = table.column(name)
                assert col is not None
                items.append(sql.SQL("%s::{}").format(sql.SQL(col.type)))
                params.append(value if isinstance(value, str) else _text(value))
        query = sql.SQL(
            "insert into {} as pgvet_row ({}) values ({}) returning to_jsonb(pgvet_row)"
        )
        stmt = query.format(
            sql.Identifier(table.schema, table.name),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(", ").join(items),
        )
        row = self.conn.execute(stmt, params).fetchone()
        assert row is not None
        return dict(row[0])

    def _adopt(self, table: Table, values: dict[str, Any]) -> dict[str, Any] | None:
        """A unique key made only of this world's references already exists (a trigger made
        the row): use that row."""
        if not values or any(v is NULL or v is None or v is DEFAULT for v in values.values()):
            return None
        where = sql.SQL(" and ").join(
            sql.SQL("{}::text = %s").format(sql.Identifier(c)) for c in values
        )
        query = sql.SQL("select to_jsonb(t) from {} t where {} limit 1").format(
            sql.Identifier(table.schema, table.name), where
        )
        row = self.conn.execute(query, [_text(v) for v in values.values()]).fetchone()
        return dict(row[0]) if row else None

    def _constraint_columns(self, table: Table, name: str | None) -> list[str]:
        for con in self.catalog.constraints_of(table.schema, table.name):
            if con.name == name:
                return list(con.columns)
        for idx in self.catalog.indexes_of(table.schema, table.name):
            if idx.name == name:
                return [c for c in idx.columns if c]
        return []

    # -- profiles --

    def profile_row(self, table: Table, world: str, user: FixtureUser) -> dict[str, Any]:
        """The profile of ``user``: the row a trigger made (pointed at this world), or a new one."""
        pk = self.catalog.primary_key(table.schema, table.name)
        assert pk is not None
        pk_col = pk.columns[0]
        mirrored = self._mirrored_role(table, user)
        existing = self.conn.execute(
            sql.SQL("select 1 from {} where {} = %s::uuid").format(
                sql.Identifier(table.schema, table.name), sql.Identifier(pk_col)
            ),
            (user.id,),
        ).fetchone()
        if existing is None:
            return self.insert(table, world, user, {pk_col: user.id, **mirrored})
        plan = self.plan(table, world, user, {pk_col: user.id})
        sets = {
            c: v for c, v in plan.fixed.items() if c != pk_col and v is not NULL and v is not None
        }
        sets.update(mirrored)
        assignments = [
            sql.SQL("{} = %s::{}").format(sql.Identifier(c), sql.SQL(table.column(c).type))  # type: ignore[union-attr]
            for c in sets
        ]
        if not assignments:
            query = sql.SQL("select to_jsonb(t) from {} t where {} = %s::uuid")
            stmt = query.format(sql.Identifier(table.schema, table.name), sql.Identifier(pk_col))
            row = self.conn.execute(stmt, (user.id,)).fetchone()
        else:
            query = sql.SQL("update {} as t set {} where {} = %s::uuid returning to_jsonb(t)")
            stmt = query.format(
                sql.Identifier(table.schema, table.name),
                sql.SQL(", ").join(assignments),
                sql.Identifier(pk_col),
            )
            try:
                with self.conn.transaction():
                    row = self.conn.execute(stmt, [*map(_text, sets.values()), user.id]).fetchone()
            except psycopg.Error as exc:
                raise _Unfillable(
                    f"could not point the profile at its tenant: {_message(exc)}"
                ) from None
        assert row is not None
        return dict(row[0])

    def _mirrored_role(self, table: Table, user: FixtureUser) -> dict[str, str]:
        """Give the profile the persona's role when its role column knows that value
        (``users.role = 'clinic_admin'`` for the clinic admin), so role checks that read
        the profile see the same person the membership describes."""
        if self.tenancy.mode != "membership":
            return {}
        out = {}
        for col in table.columns:
            low = col.name.lower()
            if not (low == "role" or low.endswith("_role")):
                continue
            enum = self.catalog.enum(col.type_schema, col.type_name)
            allowed = self.checks.get(table.key, {}).get(col.name) or (enum.values if enum else ())
            if user.role in allowed:
                out[col.name] = user.role
        return out


# --- entry point ---------------------------------------------------------------------------


def build_fixture(conn: psycopg.Connection, catalog: Catalog, tenancy: Tenancy) -> Fixture:
    """Build worlds A and B (and shared rows they need) in the current transaction."""
    b = _Builder(conn, catalog, tenancy)
    fixture = b.fixture
    order = insert_order(catalog, b.tables)
    lo = int(conn.execute("select pg_current_xact_id()::text::bigint % 4294967296").fetchone()[0])  # type: ignore[index]
    claimed: dict[QualifiedName, set[str]] = {}
    needed_shared = _needed_shared(catalog, tenancy, b.tables)
    shared_user = FixtureUser(str(uuid.UUID(int=0)), "shared", "member", "")
    for table in order:
        if table.key in needed_shared:
            existing = conn.execute(
                sql.SQL("select to_jsonb(t) from {} t limit 1").format(
                    sql.Identifier(table.schema, table.name)
                )
            ).fetchone()
            try:
                row = dict(existing[0]) if existing else b.insert(table, "shared", shared_user)
            except _Unfillable as exc:
                fixture.unfilled[table.key] = str(exc)
                continue
            b.made.setdefault("shared", {})[table.key] = [row]
            if existing is None:
                fixture.shared_filled.append(table.key)
    _snapshot(conn, b, lo, claimed)  # rows the shared phase made belong to nobody
    for world in WORLDS:
        users = b.make_users(world)
        fixture.users[world] = users
        for table in order:
            if table.key not in tenancy.scoped or table.key in needed_shared:
                continue
            try:
                rows = list(_fill(b, table, world, users))
            except _Unfillable as exc:
                fixture.unfilled.setdefault(table.key, str(exc))
                continue
            b.made.setdefault(world, {})[table.key] = rows
        fixture.rows[world] = _snapshot(conn, b, lo, claimed)
    b.act_for(None)
    _samples(conn, b)
    _tenant_values(b)
    for key in list(fixture.unfilled):
        if fixture.world_of("A").get(key) and fixture.world_of("B").get(key):
            del fixture.unfilled[key]  # a trigger filled it after all
    return fixture


def _fill(
    b: _Builder, table: Table, world: str, users: list[FixtureUser]
) -> Iterator[dict[str, Any]]:
    if table.key in b.tenancy.profiles:
        for user in users:
            yield b.profile_row(table, world, user)
        return
    membership = b.memberships.get(table.key)
    if membership is not None:
        for user in users:
            fixed: dict[str, Any] = {membership.user_column: user.id}
            if membership.role_column and user.role in membership.roles:
                fixed[membership.role_column] = user.role
            yield b.insert(table, world, user, fixed)
        return
    yield b.insert(table, world, users[0])


def _tenant_values(b: _Builder) -> None:
    wanted = {c for cols in b.tenancy.tenant_columns.values() for c in cols}
    for world in WORLDS:
        values: dict[str, str] = {}
        for fk in b.catalog.foreign_keys:
            if len(fk.columns) != 1 or fk.columns[0] not in wanted or fk.columns[0] in values:
                continue
            parent = b.rows_of(world, (fk.ref_schema or "public", fk.ref_table or ""))
            if parent and parent[0].get(fk.ref_columns[0]) is not None:
                values[fk.columns[0]] = str(parent[0][fk.ref_columns[0]])
        b.fixture.tenant_values[world] = values


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
    conn: psycopg.Connection, b: _Builder, lo: int, claimed: dict[QualifiedName, set[str]]
) -> dict[QualifiedName, list[str]]:
    """Keys of rows written since ``lo`` that no earlier phase claimed, per table."""
    parts = []
    for table in b.tables:
        spec = b.fixture.keys[table.key]
        parts.append(
            sql.SQL("select {}::text, {} from {} where xmin::text::bigint >= {}").format(
                sql.Literal(f"{table.schema}.{table.name}"),
                spec.expr(),
                spec.ident,
                sql.Literal(lo),
            )
        )
    out: dict[QualifiedName, list[str]] = {}
    if not parts:
        return out
    rows = conn.execute(sql.SQL(" union all ").join(parts)).fetchall()
    for name, key in rows:
        schema, _, bare = name.partition(".")
        tk = (schema, bare)
        seen = claimed.setdefault(tk, set())
        if key in seen:
            continue
        seen.add(key)
        out.setdefault(tk, []).append(key)
    return out


def _samples(conn: psycopg.Connection, b: _Builder) -> None:
    """One row per world and table, as JSON, for insert checks to copy."""
    for world, tables in b.fixture.rows.items():
        parts = []
        for key, keys in tables.items():
            spec = b.fixture.keys[key]
            parts.append(
                sql.SQL("(select {}::text, to_jsonb(t) from {} t where {} limit 1)").format(
                    sql.Literal(f"{key[0]}.{key[1]}"), spec.ident, spec.matches(keys[:1])
                )
            )
        if not parts:
            continue
        for name, row in conn.execute(sql.SQL(" union all ").join(parts)).fetchall():
            schema, _, bare = name.partition(".")
            b.fixture.samples.setdefault(world, {})[(schema, bare)] = dict(row)


def _advance(state: dict[str, int], options: dict[str, list[Candidate]], cols: list[str]) -> bool:
    """Odometer step over ``cols``' candidate indexes; False when every combination was tried."""
    for col in reversed(cols):
        if state[col] + 1 < len(options[col]):
            state[col] += 1
            return True
        state[col] = 0
    return False


def _message(exc: psycopg.Error) -> str:
    text = str(exc).strip().splitlines()
    state = exc.sqlstate or ""
    return f"{state} {text[0] if text else type(exc).__name__}".strip()


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


__all__ = ["WORLDS", "Fixture", "FixtureUser", "build_fixture", "insert_order"]
_ = Constraint  # re-exported type used in annotations by callers
