"""Make one valid row of a table: values that satisfy types, enums, checks and NOT NULL.

:class:`RowMaker` is the workhorse of :mod:`pgvet.rls.fixture`. For a table it *plans*
a row (foreign keys point at rows of the same tenant world, user references at that
world's user, every other column gets candidates from :mod:`pgvet.rls.values`), then
inserts it and lets PostgreSQL judge: a violated check advances the candidates of that
check's columns (an odometer), a NOT NULL drops the NULL / DEFAULT candidates, a unique
key made only of references adopts the row a trigger already made. What worked is
remembered per table so the second world usually needs one attempt.

It also creates users the way GoTrue does (``auth.users``; sign-up triggers then make
profiles, personal accounts, …) and points trigger-made profiles at their tenant.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors, sql

from pgvet.catalog.model import Catalog, Column, QualifiedName, Table
from pgvet.rls.tenancy import AUTH_USERS, Tenancy
from pgvet.rls.values import (
    DEFAULT,
    NULL,
    Candidate,
    Counter,
    TypeInfo,
    check_value_lists,
    exact_lengths,
    json_required_keys,
    load_types,
    materialize,
    typed_candidates,
)

MAX_ATTEMPTS = 40
_NEW_USER = """
insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
  email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', %s, 'authenticated', 'authenticated', %s, '',
  now(), '{"provider": "email", "providers": ["email"]}', %s::jsonb, now(), now())
"""
_SIGNUP_TRIGGERS = """
select p.prosrc from pg_trigger t join pg_proc p on p.oid = t.tgfoid
where t.tgrelid = 'auth.users'::regclass and not t.tgisinternal
"""
_METADATA_KEY = re.compile(r"raw_user_meta_data\s*->>?\s*'([^']+)'")


@dataclass(frozen=True)
class FixtureUser:
    """A generated ``auth.users`` row: its world and the membership role it was made for."""

    id: str
    world: str
    role: str
    email: str


class Unfillable(Exception):
    """This row cannot be generated; the message says why."""


@dataclass
class _Plan:
    columns: list[str]
    fixed: dict[str, Any]  # column → value (python, sent as text with a cast) or NULL
    options: dict[str, list[Candidate]]  # column → candidates (variable columns)


class RowMaker:
    """Plans and inserts rows for the fixture, one tenant world at a time."""

    def __init__(
        self,
        conn: psycopg.Connection,
        catalog: Catalog,
        tenancy: Tenancy,
        tables: list[Table],
        unfilled: dict[QualifiedName, str],
    ) -> None:
        self.conn = conn
        self.catalog = catalog
        self.tenancy = tenancy
        self.tables = tables
        self.unfilled = unfilled  # the fixture's, to explain "needs a row in …"
        self.by_key = {t.key: t for t in self.tables}
        self.types: dict[tuple[str, str], TypeInfo] = load_types(conn, self.tables)
        self.counter = Counter()
        #: world → table → rows (as dicts) this builder inserted or adopted
        self.made: dict[str, dict[QualifiedName, list[dict[str, Any]]]] = {}
        self.recipes: dict[QualifiedName, dict[str, int]] = {}
        self.checks = {t.key: check_value_lists(catalog, t) for t in self.tables}
        self.json_keys = {t.key: json_required_keys(catalog, t) for t in self.tables}
        self.lengths = {t.key: exact_lengths(catalog, t) for t in self.tables}
        self.memberships = {m.table: m for m in tenancy.memberships if not m.profile}
        self._acting: str | None = None
        self._metadata_keys: list[str] | None = None

    # -- users --

    def make_users(self, world: str) -> list[FixtureUser]:
        """One ``auth.users`` row per persona role, as GoTrue would insert it.

        Sign-up triggers often read ``raw_user_meta_data`` (a handle, a display name); if
        the first, empty, attempt fails, the keys those triggers read are filled in."""
        users = []
        for role in self.tenancy.persona_roles:
            uid = str(uuid.uuid4())
            tag = "".join(ch if ch.isalnum() else "-" for ch in role.lower())
            n = self.counter.next()
            email = f"pgvet.{world.lower()}.{tag}.{n}@example.test"
            error = ""
            for metadata in ({}, self._signup_metadata(world, n)):
                try:
                    with self.conn.transaction():
                        self.conn.execute(_NEW_USER, (uid, email, json.dumps(metadata)))
                    break
                except psycopg.Error as exc:
                    error = _message(exc)
            else:
                raise Unfillable(f"creating a user in auth.users failed: {error}")
            users.append(FixtureUser(uid, world, role, email))
        return users

    def _signup_metadata(self, world: str, n: int) -> dict[str, str]:
        if self._metadata_keys is None:
            bodies = self.conn.execute(_SIGNUP_TRIGGERS).fetchall()
            keys = [k for (body,) in bodies for k in _METADATA_KEY.findall(body or "")]
            self._metadata_keys = list(dict.fromkeys(keys))
        out = {}
        for key in self._metadata_keys:
            low = key.lower()
            if "email" in low:
                out[key] = f"pgvet.{world.lower()}{n}@example.test"
            elif any(w in low for w in ("handle", "username", "slug")):
                out[key] = f"pgvet_{world.lower()}{n}"
            else:
                out[key] = f"pgvet {world} {n}"
        return out

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
                        raise Unfillable(
                            f"{fk.columns[0]} must reference a row of the table itself"
                        )
                    why = self.unfilled.get(ref)
                    name = ".".join(ref)
                    raise Unfillable(
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
            self.json_keys.get(table.key),
            self.lengths.get(table.key),
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
                last_error = self._check_message(table, exc)
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
                    raise Unfillable(f"no value pgvet can make for {col} ({last_error})") from None
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
                raise Unfillable(_message(exc)) from None
            except (errors.DataError, errors.InvalidTextRepresentation) as exc:
                last_error = _message(exc)
                if not _advance(state, plan.options, variable):
                    break
            except psycopg.Error as exc:
                raise Unfillable(_message(exc)) from None
        raise Unfillable(f"no valid row found: {last_error}")

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

    def _check_message(self, table: Table, exc: psycopg.Error) -> str:
        name = exc.diag.constraint_name
        for con in self.catalog.constraints_of(table.schema, table.name):
            if con.name == name:
                return f"check constraint {name} ({con.definition}) rejected every candidate"
        return _message(exc)

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
                raise Unfillable(
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
