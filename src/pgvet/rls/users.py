"""Which tables stand for users: ``auth.users`` and the project's profile tables.

Real projects link their own ``users`` / ``profiles`` table to Supabase Auth in three
ways, and a reference to any of them holds a user id:

* a primary key that is a foreign key to ``auth.users(id)`` (the textbook shape);
* a table a **sign-up trigger** on ``auth.users`` inserts ``new.id`` into (liam's
  ``public.users`` has no foreign key at all: ``handle_new_user()`` makes its rows);
* a table named like a user table (``users``, ``profiles``, …) with a uuid primary key
  and an ``email`` column: matched by id, its email copied from ``auth.users``.

The sign-up triggers live on ``auth.users``, which the catalog leaves out (a platform
schema), so their bodies are read from the server once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from pgvet.catalog.model import Catalog, Constraint, QualifiedName

AUTH_USERS: QualifiedName = ("auth", "users")
_USER_NAMES = ("users", "profiles", "user_profiles", "profile", "accounts_users")
_INSERT = re.compile(r'insert\s+into\s+(?:"?(\w+)"?\s*\.\s*)?"?(\w+)"?', re.I)
SIGNUP_TRIGGERS = """
select p.proname::text, p.prosrc from pg_trigger t join pg_proc p on p.oid = t.tgfoid
where t.tgrelid = 'auth.users'::regclass and not t.tgisinternal
  and t.tgtype & 4 = 4  -- on INSERT
order by t.tgname
"""


@dataclass(frozen=True)
class Profile:
    """A table whose rows are users; ``column`` holds the ``auth.users`` id."""

    table: QualifiedName
    column: str
    how: str  # "foreign key", "sign-up trigger handle_new_user()", "id and email"
    email_column: str | None = None


@dataclass(frozen=True)
class Signup:
    """A trigger function that runs when Supabase Auth creates a user."""

    function: str
    body: str

    def inserts_into(self) -> list[QualifiedName]:
        return [(s or "public", t) for s, t in _INSERT.findall(self.body)]


def read_signups(conn: psycopg.Connection) -> tuple[Signup, ...]:
    """The INSERT trigger functions on ``auth.users`` (none when there is no such table)."""
    exists = conn.execute("select to_regclass('auth.users') is not null").fetchone()
    if not exists or not exists[0]:
        return ()
    return tuple(Signup(n, b or "") for n, b in conn.execute(SIGNUP_TRIGGERS).fetchall())


def single_fk_target(con: Constraint) -> QualifiedName | None:
    if con.kind != "foreign" or len(con.columns) != 1 or con.ref_table is None:
        return None
    return (con.ref_schema or "public", con.ref_table)


def find_profiles(
    catalog: Catalog, signups: tuple[Signup, ...], roots: frozenset[QualifiedName] = frozenset()
) -> tuple[Profile, ...]:
    """Every table standing for users, with how it was recognised. ``roots`` (tables
    tenant columns point at) are never profiles by trigger or name: basejump's sign-up
    trigger makes a personal *account*, a tenant whose id happens to be the user's."""
    made_by = {t: s.function for s in signups for t in s.inserts_into()}
    out: list[Profile] = []
    for table in catalog.base_tables:
        pk = catalog.primary_key(table.schema, table.name)
        if pk is None or len(pk.columns) != 1 or table.key == AUTH_USERS:
            continue
        col = table.column(pk.columns[0])
        email = next((c.name for c in table.columns if c.name.lower() == "email"), None)
        if any(
            fk.columns == pk.columns and single_fk_target(fk) == AUTH_USERS
            for fk in catalog.foreign_keys_of(table.schema, table.name)
        ):
            out.append(Profile(table.key, pk.columns[0], "foreign key", email))
        elif table.key in roots or any(
            single_fk_target(fk) == AUTH_USERS
            for fk in catalog.foreign_keys_of(table.schema, table.name)
        ):
            continue  # linked to auth.users by another column: an ordinary user table
        elif col is not None and col.type_name == "uuid" and table.key in made_by:
            how = f"sign-up trigger {made_by[table.key]}()"
            out.append(Profile(table.key, pk.columns[0], how, email))
        elif (
            col is not None
            and col.type_name == "uuid"
            and email
            and table.name.lower() in _USER_NAMES
        ):
            out.append(Profile(table.key, pk.columns[0], "id and email", email))
    return tuple(out)
