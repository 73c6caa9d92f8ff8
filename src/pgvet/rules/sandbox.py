"""What a rule may do on the replayed sandbox to confirm a claim before it makes it.

A finding that asserts a run-time failure ("every query on this table fails", "this fix
keeps the function working") needs evidence from the real server. Rules get it through
:class:`Sandbox`: one connection as the project's role (``postgres``, as migrations run on
Supabase; never pgvet's superuser: the checks run the project's own code - triggers fired,
functions called - and a plain function may ``RESET ROLE`` back to the session's user),
opened on first use, where every check runs inside a transaction that is **always
rolled back**, with a short
``statement_timeout`` and ``lock_timeout``, and where each rule has a cap on the number of
checks it runs (a project with 900 functions must not execute 900 of them). On a live
database (``lint --db``) there is no sandbox: such rules then say "not confirmed".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import psycopg.conninfo
import psycopg.sql

from pgvet.sandbox.platform import PROJECT_ROLE

#: Time each check may take on the sandbox (a generated row, one call, one read).
CHECK_TIMEOUT_MS = 2000
#: Checks a rule may run per lint (executions of functions, reads of tables).
CHECK_CAP = 50


@dataclass(frozen=True)
class Outcome:
    """What one statement did on the sandbox: rows on success, SQLSTATE and message on
    failure."""

    ok: bool
    sqlstate: str | None = None
    message: str = ""
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def error(self) -> str:
        """``SQLSTATE message`` of a failure (first line only), ``""`` on success."""
        return "" if self.ok else f"{self.sqlstate} {self.message.splitlines()[0]}".strip()


class Sandbox:
    """Bounded, rolled-back checks on the replayed database, for rules that confirm what
    they claim. ``open_admin`` returns a new connection to the replayed database as the
    project's role, which owns what the migrations created (so it may try an ``ALTER
    FUNCTION``) and is a member of the API roles (so it may act as them)."""

    def __init__(
        self,
        open_admin: Callable[[], psycopg.Connection],
        *,
        timeout_ms: int = CHECK_TIMEOUT_MS,
        cap: int = CHECK_CAP,
        watch: Callable[[psycopg.Connection], psycopg.Connection] | None = None,
    ) -> None:
        self._open = open_admin
        self._watch = watch  # the replay's watchdog: a check that turns its timeout off
        self._conn: psycopg.Connection | None = None
        self.timeout_ms = timeout_ms
        self.cap = cap
        self._used: dict[str, int] = {}

    @classmethod
    def beside(
        cls,
        conn: psycopg.Connection,
        watch: Callable[[psycopg.Connection], psycopg.Connection] | None = None,
        **limits: int,
    ) -> Sandbox:
        """The sandbox ``conn`` is connected to: connections to the same server and
        database as the project's role (timed by ``watch``, the replay's watchdog, when
        given: a project function can turn the statement timeout off)."""
        info = conn.info
        dsn = psycopg.conninfo.make_conninfo(
            host=info.host, port=info.port, dbname=info.dbname, user=PROJECT_ROLE
        )
        return cls(lambda: psycopg.connect(dsn, autocommit=True), watch=watch, **limits)

    @property
    def conn(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self._open()
            self._conn.autocommit = True
            if self._watch is not None:
                self._conn = self._watch(self._conn)
        return self._conn

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None

    def take(self, who: str) -> bool:
        """Count one check for ``who`` (a rule name); False once its cap is reached."""
        used = self._used.get(who, 0)
        if used >= self.cap:
            return False
        self._used[who] = used + 1
        return True

    @contextlib.contextmanager
    def rolled_back(self) -> Iterator[psycopg.Connection]:
        """A transaction on the sandbox connection that is rolled back at exit, whatever
        happened in it, with the check timeouts set locally."""
        conn = self.conn
        with conn.transaction(force_rollback=True):
            conn.execute(f"set local statement_timeout = {int(self.timeout_ms)}")
            conn.execute(f"set local lock_timeout = {int(self.timeout_ms)}")
            conn.execute("set local idle_in_transaction_session_timeout = 0")
            yield conn

    @staticmethod
    def attempt(conn: psycopg.Connection, sql: str, params: Any = None) -> Outcome:
        """Run ``sql`` in a savepoint of the current transaction (always rolled back): its
        rows, or its error without ending the transaction."""
        try:
            with conn.transaction(force_rollback=True), conn.cursor() as cur:
                cur.execute(sql, params)  # type: ignore[arg-type]
                rows = cur.fetchall() if cur.description is not None else []
            return Outcome(True, rows=rows)
        except psycopg.Error as exc:
            diag = exc.diag
            return Outcome(False, diag.sqlstate or "", diag.message_primary or str(exc))


# --- generated values ----------------------------------------------------------------------

_COLUMNS = """
select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typtype, t.typcategory,
       coalesce(bt.typname, t.typname)
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_type t on t.oid = a.atttypid
  left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
 where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped
   and (a.attnotnull or %s) and not a.atthasdef and a.attidentity = ''
   and a.attgenerated = ''
 order by a.attnum
"""

#: The uuid of every generated row (and of the persona that reads it, policy-recursion).
GENERATED_UUID = "00000000-0000-4000-8000-0000009e7e70"
#: A value expression for a type, by name (the base type of a domain) or category: fixed
#: values, so that a run says the same thing every time (each row lives in a rolled-back
#: savepoint, so a unique key never sees two of them), chosen to be unlikely in a seed.
_BY_NAME = {
    "uuid": f"'{GENERATED_UUID}'",
    "bool": "false",
    "json": "'{}'::json",
    "jsonb": "'{}'::jsonb",
    "bytea": "'\\x00'::bytea",
    "inet": "'127.0.0.1'::inet",
    "cidr": "'127.0.0.0/8'::cidr",
    "date": "current_date",
    "time": "localtime",
    "timetz": "current_time",
    "interval": "interval '1 hour'",
}
_BY_CATEGORY = {
    "S": "'pgvet'",
    "N": "32001",
    "D": "pg_catalog.now()",
    "A": "'{}'",
}


def value_sql(type_sql: str, typtype: str, category: str, base: str) -> str | None:
    """An SQL expression of type ``type_sql`` a constraint-free column accepts, or None."""
    if typtype == "e":
        literal = "'" + type_sql.replace("'", "''") + "'"
        return (
            f"(select e.enumlabel from pg_catalog.pg_enum e where e.enumtypid = "
            f"{literal}::regtype order by e.enumsortorder limit 1)::{type_sql}"
        )
    expr = _BY_NAME.get(base) or _BY_CATEGORY.get(category)
    return None if expr is None else f"({expr})::{type_sql}"


def insert_row_sql(conn: psycopg.Connection, relation: str, every: bool = False) -> str | None:
    """``INSERT`` of one generated row into ``relation`` (a quoted, qualified name): every
    NOT NULL column without a default (``every``: every column without a default) gets a
    value of its type; None when some type has no generator. Constraints (checks, foreign
    keys, unique keys) may still reject it: the caller runs it in a rolled-back savepoint
    and reports what PostgreSQL said."""
    columns = conn.execute(_COLUMNS, (relation, every)).fetchall()
    names, values = [], []
    for name, type_sql, typtype, category, base in columns:
        value = value_sql(type_sql, typtype, category, base)
        if value is None:
            return None
        names.append(psycopg.sql.Identifier(name).as_string(conn))
        values.append(value)
    if not names:
        return f"insert into {relation} default values"
    return f"insert into {relation} ({', '.join(names)}) values ({', '.join(values)})"


# --- running a function the way its callers do ----------------------------------------------

_FUNCTION = """
select p.prokind, p.prorettype = 'pg_catalog.trigger'::regtype,
       p.prorettype = 'pg_catalog.event_trigger'::regtype,
       pg_catalog.format('%%I.%%I', n.nspname, p.proname)
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
 where p.oid = %s
"""
_ARGS = """
select pg_catalog.format_type(t.oid, null), t.typtype, t.typcategory,
       coalesce(bt.typname, t.typname)
  from unnest((select p.proargtypes::oid[] from pg_catalog.pg_proc p
                where p.oid = %s)) with ordinality a(oid, n)
  join pg_catalog.pg_type t on t.oid = a.oid
  left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
 order by a.n
"""
_TRIGGER = """
select pg_catalog.format('%%I.%%I', n.nspname, c.relname), tg.tgname, tg.tgtype::int, c.relkind,
       (select a.attname from pg_catalog.pg_attribute a
         where a.attrelid = tg.tgrelid and a.attnum > 0 and not a.attisdropped
           and a.attgenerated = '' order by a.attnum limit 1)
  from pg_catalog.pg_trigger tg join pg_catalog.pg_class c on c.oid = tg.tgrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where tg.tgfoid = %s and not tg.tgisinternal and tg.tgenabled <> 'D'
 order by (tg.tgtype::int & 4 = 0), tg.tgname
 limit 1
"""
_INSERT, _DELETE, _UPDATE, _TRUNCATE = 4, 8, 16, 32


@dataclass(frozen=True)
class Exercise:
    """How to run a function as its callers would: ``sql`` (None when pgvet cannot: then
    ``how`` says why) and ``how`` in words."""

    how: str
    sql: str | None = None


_OID = """
select p.oid from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
 where n.nspname = %s and p.proname = %s
   and pg_catalog.pg_get_function_identity_arguments(p.oid) = %s
"""


def exercise(conn: psycopg.Connection, schema: str, name: str, identity_args: str) -> Exercise:
    """A statement that runs the function ``schema.name(identity_args)``: a trigger
    function is fired by writing a generated row to the table of one of its triggers; any
    other function is called with generated arguments. Run it only inside
    :meth:`Sandbox.rolled_back`, with ``search_path`` set to ``pg_catalog`` so that every
    name pgvet prints into the statement comes out qualified."""
    found = conn.execute(_OID, (schema, name, identity_args)).fetchone()
    if found is None:
        return Exercise("the function is not on the sandbox")
    signature = found[0]
    row = conn.execute(_FUNCTION, (signature,)).fetchone()
    if row is None:
        return Exercise("the function is not on the sandbox")
    prokind, is_trigger, is_event_trigger, name = row[0], row[1], row[2], row[3]
    if is_event_trigger:
        return Exercise("an event trigger function is not run by pgvet")
    if is_trigger:
        return _fire_trigger(conn, signature)
    values = []
    for type_sql, typtype, category, base in conn.execute(_ARGS, (signature,)).fetchall():
        value = value_sql(type_sql, typtype, category, base)
        if value is None or typtype == "p":
            return Exercise(f"pgvet generates no argument of type {type_sql}")
        values.append(value)
    call = f"{name}({', '.join(values)})"
    shown = f"{name}({'generated arguments' if values else ''})"
    if prokind == "p":
        return Exercise(f"call {shown}", f"call {call}")
    if prokind != "f":
        return Exercise("an aggregate or window function is not run by pgvet")
    # in FROM, so that it runs: an unused column of a sub-select is never computed
    return Exercise(f"select {shown}", f"select count(*) from {call} as pgvet_call")


def _fire_trigger(conn: psycopg.Connection, signature: int) -> Exercise:
    found = conn.execute(_TRIGGER, (signature,)).fetchone()
    if found is None:
        return Exercise("no enabled trigger uses it")
    relation, trigger, tgtype, relkind, column = found
    insert = insert_row_sql(conn, relation)
    if insert is None:
        return Exercise(f"pgvet cannot generate a row of {relation}")
    fires = f"fires trigger {psycopg.sql.Identifier(trigger).as_string(conn)}"
    if tgtype & _INSERT:
        return Exercise(f"inserting a generated row into {relation} {fires}", insert)
    if relkind not in ("r", "p") or column is None:
        return Exercise(f"trigger {trigger} on {relation} fires only on a table's update/delete")
    if tgtype & (_UPDATE | _DELETE):
        col = psycopg.sql.Identifier(column).as_string(conn)
        then = (
            f"update {relation} set {col} = {col} where ctid = r"
            if tgtype & _UPDATE
            else f"delete from {relation} where ctid = r"
        )
        verb = "updating" if tgtype & _UPDATE else "deleting"
        sql = f"do $pgvet$ declare r tid; begin {insert} returning ctid into r; {then}; end $pgvet$"
        return Exercise(f"{verb} a generated row of {relation} {fires}", sql)
    if tgtype & _TRUNCATE:
        return Exercise(f"truncating {relation} {fires}", f"truncate {relation}")
    return Exercise(f"trigger {trigger} on {relation} fires on no event pgvet runs")
