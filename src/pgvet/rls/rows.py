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
from pgvet.data.constraints import (
    TypeInfo,
    check_value_lists,
    exact_lengths,
    json_required_keys,
    load_types,
    unprivileged_first,
)
from pgvet.rls.tenancy import AUTH_USERS, Membership, Tenancy
from pgvet.rls.values import (
    DEFAULT,
    NULL,
    Candidate,
    Counter,
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


WORLD_NAMES = ("A", "B")


def tenant_value(world: str, type_name: str) -> str:
    """The value world A's (B's) rows carry in a tenant column that references nothing:
    a uuid, a number or a text, as the column's type needs."""
    if type_name == "uuid":
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"pgvet:tenant:{world}"))
    if type_name in ("int2", "int4", "int8", "numeric"):
        return str(1000 + WORLD_NAMES.index(world) + 1)
    return f"pgvet-tenant-{world.lower()}"


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
        self._as_auth_admin: bool | None = None
        self._role_ids: dict[str, str] = {}
        #: tables whose tenant value a trigger replaced and pgvet set again after insert
        self.pinned: set[QualifiedName] = set()

    # -- users --

    def make_users(self, world: str, roles: tuple[str, ...]) -> list[FixtureUser]:
        """One ``auth.users`` row per persona role, inserted as Supabase Auth does it: by
        the auth admin role (``supabase_auth_admin``) with no one's claims set, so
        sign-up triggers run as they do in production and never see an earlier user.

        Sign-up triggers often read ``raw_user_meta_data`` (a handle, a display name); if
        the first, empty, attempt fails, the keys those triggers read are filled in."""
        users = []
        for role in roles:
            uid = str(uuid.uuid4())
            tag = "".join(ch if ch.isalnum() else "-" for ch in role.lower())
            n = self.counter.next()
            email = f"pgvet.{world.lower()}.{tag}.{n}@example.test"
            error = ""
            self.reset_actor()
            for metadata in ({}, self._signup_metadata(world, n)):
                try:
                    with self.conn.transaction():
                        if self._auth_admin():
                            self.conn.execute("set local role supabase_auth_admin")
                        self.conn.execute(_NEW_USER, (uid, email, json.dumps(metadata)))
                        self.conn.execute("reset role")
                    break
                except psycopg.Error as exc:
                    error = _message(exc)
            else:
                who = "supabase_auth_admin" if self._auth_admin() else "the connection's role"
                raise Unfillable(f"creating a user in auth.users as {who} failed: {error}")
            users.append(FixtureUser(uid, world, role, email))
        return users

    def _claim_type(self) -> str:
        for key, column in self.tenancy.value_columns.items():
            col = self.by_key[key].column(column) if key in self.by_key else None
            if col is not None:
                return col.type_name
        return "text"

    def persona_roles(self) -> tuple[str, ...]:
        """The roles to make one user for: the membership's role values, else the names
        in its roles table (``rbac.roles``; at most four, unprivileged first)."""
        primary = self.tenancy.primary
        if self.tenancy.mode != "membership" or primary is None:
            return ("member",)
        if primary.roles:
            return primary.roles
        self._role_ids = dict(self._role_rows(primary))
        names = unprivileged_first(tuple(self._role_ids))
        return names[:4] or ("member",)

    def _role_rows(self, membership: Membership) -> list[tuple[str, str]]:
        """(name, value stored in the membership) for each row of the roles table."""
        if membership.role_table is None or membership.role_table not in self.by_key:
            return []
        table = self.by_key[membership.role_table]
        pk = self.catalog.primary_key(*table.key)
        label = "name" if table.column("name") else (pk.columns[0] if pk else None)
        if label is None or pk is None or len(pk.columns) != 1:
            return []
        query = sql.SQL("select {}::text, {}::text from {} order by 1 limit 20").format(
            sql.Identifier(label), sql.Identifier(pk.columns[0]), sql.Identifier(*table.key)
        )
        # the row pgvet itself made for the shared phase is no role of the project's
        ours = {str(r.get(pk.columns[0])) for r in self.rows_of("shared", table.key)}
        return [(a, b) for a, b in self.conn.execute(query).fetchall() if b not in ours]

    def role_value(self, membership: Membership, role: str) -> str | None:
        """What the membership's role column holds for ``role`` (a label, an array of
        one name, a roles-table id), or None when it has no such role."""
        if membership.role_column is None:
            return None
        if membership.roles:
            return role if role in membership.roles else None
        value = self._role_ids.get(role) if membership.role_table else None
        if membership.role_array:
            return "{" + json.dumps(role) + "}" if value is not None else None
        return value

    def _auth_admin(self) -> bool:
        """Whether users can be made as ``supabase_auth_admin`` (always in a sandbox; a
        ``--db`` server may not let the connection switch to it)."""
        if self._as_auth_admin is None:
            row = self.conn.execute(
                "select exists (select from pg_roles where rolname = 'supabase_auth_admin')"
                " and pg_has_role(current_user, 'supabase_auth_admin', 'MEMBER')"
                " and has_table_privilege('supabase_auth_admin', 'auth.users', 'INSERT')"
            ).fetchone()
            self._as_auth_admin = bool(row and row[0])
        return self._as_auth_admin

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
        fixed = {**self._tenant_fixed(table, world, user), **(fixed or {})}
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

    def _tenant_fixed(self, table: Table, world: str, user: FixtureUser) -> dict[str, Any]:
        """Columns that say whose row it is without a foreign key: a tenant value
        (``tenant_id text``), a column named after the root (``owned_by_group``), a
        profile's email (matched to ``auth.users`` by it)."""
        out: dict[str, Any] = {}
        column = self.tenancy.value_columns.get(table.key)
        if column is not None and world in WORLD_NAMES:
            col = table.column(column)
            out[column] = tenant_value(world, col.type_name if col else "text")
        for step in self.tenancy.implied:
            if step.table == table.key and (root := self.parent_row(world, step.ref)):
                out[step.columns[0]] = root.get(step.ref_columns[0])
        for profile in self.tenancy.profile_info:
            if profile.table == table.key and profile.email_column and user.email:
                out[profile.email_column] = user.email
        return out

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
        payload: dict[str, Any] = {"sub": uid, "role": "authenticated"}
        if self.tenancy.claim and user is not None and user.world in WORLD_NAMES:
            payload[self.tenancy.claim] = tenant_value(user.world, self._claim_type())
        claims = json.dumps(payload) if uid else ""
        self.conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
        self._acting = uid

    def reset_actor(self) -> None:
        """No one's claims and the connection's own role, whatever ran before."""
        self.conn.execute("select set_config('request.jwt.claims', '', true)")
        self.conn.execute("reset role")
        self._acting = None

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
                    row = self._pin_tenant(table, plan.fixed, row)
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

    def _pin_tenant(
        self, table: Table, fixed: dict[str, Any], row: dict[str, Any]
    ) -> dict[str, Any]:
        """Put the world's tenant value back when a trigger replaced it.

        Triggers that copy ``tenant_id`` from a parent can leave it NULL (vcon-mcp's look the
        parent up by ``vcons.id`` while the foreign key targets ``vcons.uuid``), which would
        make the row nobody's and leave the table untested. The application's service role
        writes such rows with their tenant, so pgvet does too, by an UPDATE after the insert,
        and says so (:attr:`pinned`)."""
        column = self.tenancy.value_columns.get(table.key)
        want = fixed.get(column) if column else None
        if column is None or not isinstance(want, str) or str(row.get(column)) == want:
            return row
        col = table.column(column)
        assert col is not None
        stmt = sql.SQL(
            "update {t} as pgvet_row set {c} = %s::{type} where ctid = (select ctid from {t} "
            "as x where to_jsonb(x) = %s::jsonb limit 1) returning to_jsonb(pgvet_row)"
        ).format(t=sql.Identifier(*table.key), c=sql.Identifier(column), type=sql.SQL(col.type))
        updated = self.conn.execute(stmt, (want, json.dumps(row))).fetchone()
        if updated is None:
            return row
        self.pinned.add(table.key)
        return dict(updated[0])

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
