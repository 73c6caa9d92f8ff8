"""What anon and authenticated may reach, before and after the fixes: the persona × table
matrix, and beside it the cheap grant/RLS/policy comparison that says which fix did it.

The verdict comes from the **matrix**: per relation of the exposed schemas, as ``anon``
and as ``authenticated`` (a user of the seed's ``auth.users``, else a generated one, set
up as ``pgvet rls test`` sets up its personas: role and JWT claims in the transaction),
the rows SELECT reads (``count(*)``), the rows UPDATE (``set c = c``) and DELETE would
touch, and whether INSERT of a copy of a row the persona reads gets past RLS, each where
the role holds the privilege (a missing privilege is "no"), each probe rolled back
(``pgvet.rls.runner``: one batch per persona and command, a statement timeout per
statement). A persona that reads, updates or deletes more rows, may now insert, or gains
a privilege *widens* access: such a fix is never written. The reverse *narrows* it (a
revoke, RLS turned on, a probe that now fails): written only when asked. A probe that
failed before (a policy recursion, 42P17, is what its fix removes) is not compared.

The comparison of privileges, RLS flags, ``security_invoker`` and the policy set
(:func:`compare_proxy`) no longer decides anything: it names the policy behind a change
of the matrix, so that the fix that rewrote it is the one dropped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from pgvet.config import Config
from pgvet.rls.personas import ANON, Persona
from pgvet.rls.runner import Outcome, Runner

ROLES = ("anon", "authenticated")
PRIVILEGES = ("select", "insert", "update", "delete")
COMMANDS = PRIVILEGES

#: Schemas PostgREST serves unless ``[lint] exposed_schemas`` says otherwise
DEFAULT_EXPOSED = ("public", "graphql_public")

#: each probe's budget; a batch of n probes gets n times this, and when it runs out the
#: probes run one by one with this budget each (a policy that never returns costs 3 s)
PROBE_TIMEOUT_MS = 3000

#: the signed-in persona's user when the seed has none: a fixed id, so before and after
#: act as the same user
GENERATED_USER = str(uuid.uuid5(uuid.NAMESPACE_URL, "pgvet:fix:authenticated"))

#: the platform's schemas: a fix never touches them, and reading them costs time
_SKIP = (
    "pg_catalog", "information_schema", "pg_toast", "auth", "storage", "realtime",
    "supabase_functions", "extensions", "graphql", "graphql_public", "vault", "pgsodium",
    "net", "cron", "supabase_migrations", "pgbouncer",
)  # fmt: skip

_RELATIONS = """
select n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,
       coalesce('security_invoker=true' = any(c.reloptions)
                or 'security_invoker=on' = any(c.reloptions), false),
       {privileges}
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname <> all(%s)
  and n.nspname not like 'pg\\_%%'
"""

_POLICIES = """
select schemaname, tablename, policyname, permissive, cmd, roles::text[],
       coalesce(qual, ''), coalesce(with_check, '')
from pg_policies where schemaname <> all(%s)
"""

#: per exposed relation and API role: the privileges (any column's will do: PostgREST
#: writes the columns it is given), the columns an INSERT copy may write and read, and a
#: column UPDATE may set
_EXPOSED = """
select n.nspname, c.relname, r.role,
       has_any_column_privilege(r.role, c.oid, 'SELECT'),
       has_any_column_privilege(r.role, c.oid, 'INSERT'),
       has_any_column_privilege(r.role, c.oid, 'UPDATE'),
       has_table_privilege(r.role, c.oid, 'DELETE'),
       array(select a.attname::text from pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
               and a.attgenerated = '' and a.attidentity <> 'a'
               and has_column_privilege(r.role, c.oid, a.attnum, 'INSERT')
               and has_column_privilege(r.role, c.oid, a.attnum, 'SELECT')
             order by a.attnum),
       (select a.attname::text from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          and a.attgenerated = '' and a.attidentity <> 'a'
          and has_column_privilege(r.role, c.oid, a.attnum, 'UPDATE')
        order by a.attnum limit 1)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
cross join unnest(%s::text[]) as r(role)
where c.relkind in ('r', 'p', 'v', 'm') and not c.relispartition and n.nspname = any(%s)
  and pg_has_role(current_user, r.role, 'MEMBER')
order by 1, 2, 3
"""

#: the same user on every replay of a seed: seeds insert several users in one transaction
#: (one ``now()``) with ``gen_random_uuid()`` ids, so the e-mail decides, not the id
_FIRST_USER = """
select id::text from auth.users
order by created_at nulls last, email nulls last, phone nulls last, id limit 1
"""

#: ``( SELECT auth.uid() AS uid)`` is ``auth.uid()`` evaluated once: the same condition
_WRAPPED_CALL = re.compile(r"\(\s*SELECT\s+((?:auth|\w+)\.\w+\(\))\s+AS\s+\w+\)", re.I)


@dataclass(frozen=True)
class Cell:
    """One persona × relation × command: ``granted`` the privilege; ``rows`` what the
    probe reached (rows read, updated, deleted; for INSERT 1 when RLS let the copy
    through, 0 when it refused), None when not probed (no row to copy); ``error`` the
    probe's SQLSTATE and message when it failed otherwise."""

    granted: bool
    rows: int | None = None
    error: str | None = None


MatrixKey = tuple[str, str, str, str]  # schema, relation, persona, command


@dataclass(frozen=True)
class Access:
    """``grants``: (schema, table, role, privilege) held; ``rls``/``forced``/``invoker``:
    relations with RLS on, forced, views with security_invoker; ``policies``: per
    (schema, table, name) the normalised definition; ``matrix``: per (schema, relation,
    persona, command) what the persona reaches (None when not read); ``personas``: who
    acted, per persona name."""

    grants: frozenset[tuple[str, str, str, str]]
    rls: frozenset[tuple[str, str]]
    forced: frozenset[tuple[str, str]]
    invoker: frozenset[tuple[str, str]]
    policies: dict[tuple[str, str, str], tuple[str, ...]]
    matrix: Mapping[MatrixKey, Cell] | None = None
    personas: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One difference in access: ``widens`` True when a role may now do more, False when
    less, None when it cannot be told cheaply (a policy rewritten)."""

    table: tuple[str, str]
    what: str
    widens: bool | None
    #: the policy added, removed or changed, when the change is one (for a change of the
    #: matrix: a policy of its table that changed, the likely cause)
    policy: str | None = None

    def __str__(self) -> str:
        return f"{self.table[0]}.{self.table[1]}: {self.what}"


def exposed_schemas(config: Config | None) -> tuple[str, ...]:
    """``[lint] exposed_schemas`` (as the security rules read it), else PostgREST's
    default; the matrix reads these."""
    raw = config.raw if config is not None and isinstance(config.raw, dict) else {}
    lint = raw.get("lint", {})
    value = lint.get("exposed_schemas") if isinstance(lint, dict) else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return DEFAULT_EXPOSED


def read_access(
    conn: psycopg.Connection, schemas: Iterable[str] = DEFAULT_EXPOSED, *, matrix: bool = True
) -> Access:
    """The grants, flags and policies, and (unless ``matrix`` is False) the persona ×
    relation matrix of ``schemas``; nothing is left behind (rolled back)."""
    privileges = ", ".join(
        f"has_table_privilege('{role}', c.oid, '{priv}')" for role in ROLES for priv in PRIVILEGES
    )
    grants: set[tuple[str, str, str, str]] = set()
    rls, forced, invoker = set(), set(), set()
    skip = list(_SKIP)
    for row in conn.execute(_RELATIONS.format(privileges=privileges), (skip,)).fetchall():
        schema, table, on, force, inv, *held = row
        key = (schema, table)
        if on:
            rls.add(key)
        if force:
            forced.add(key)
        if inv:
            invoker.add(key)
        pairs = [(r, p) for r in ROLES for p in PRIVILEGES]
        grants |= {(schema, table, r, p) for (r, p), h in zip(pairs, held, strict=True) if h}
    policies = {
        (s, t, name): (perm, cmd, ",".join(sorted(roles)), _norm(qual), _norm(check))
        for s, t, name, perm, cmd, roles, qual, check in conn.execute(_POLICIES, (skip,))
    }
    cells: dict[MatrixKey, Cell] | None = None
    personas: dict[str, str] = {}
    if matrix:
        cells, personas = read_matrix(conn, tuple(schemas))
    return Access(
        frozenset(grants), frozenset(rls), frozenset(forced), frozenset(invoker), policies,
        cells, personas,
    )  # fmt: skip


# --- the persona × relation matrix ----------------------------------------------------------


class _ProbeRunner(Runner):
    """:class:`~pgvet.rls.runner.Runner` whose one-by-one fallback (after a batch ran out
    of time) gives each probe its own budget."""

    def _one_by_one(self, persona: Persona, statements: list, command: str) -> list[Outcome]:  # type: ignore[override]
        _timeout(self.conn, PROBE_TIMEOUT_MS)
        return super()._one_by_one(persona, statements, command)


def _timeout(conn: psycopg.Connection, ms: int) -> None:
    conn.execute("select set_config('statement_timeout', %s, true)", (f"{ms}ms",))


def personas(conn: psycopg.Connection) -> list[Persona]:
    """anon, and authenticated as the seed's first user (``auth.users`` by creation, then
    e-mail), or as a generated user when the seed has none; roles the connection cannot
    switch to are left out."""
    usable = {
        r
        for (r,) in conn.execute(
            "select rolname::text from pg_roles where rolname = any(%s)"
            " and pg_has_role(current_user, oid, 'MEMBER')",
            (list(ROLES),),
        )
    }
    found = conn.execute("select to_regclass('auth.users') is not null").fetchone()
    row = conn.execute(_FIRST_USER).fetchone() if found and found[0] else None
    user = str(row[0]) if row else GENERATED_USER
    signed_in = Persona(
        "authenticated",
        role="authenticated",
        user_id=user,
        description="the seed's first user" if row else "a generated user (no user in the seed)",
    )
    if found and found[0]:
        signed_in = signed_in.resolve(conn)
    return [p for p in (ANON, signed_in) if p.role in usable]


def _statement(
    command: str, ident: sql.Composable, insert_columns: list[str], update_column: str | None
) -> sql.Composable | None:
    """The probe of ``command``: its value is the rows reached (as text)."""
    if command == "select":
        return sql.SQL("select count(*)::text /*INTO*/ from {}").format(ident)
    if command == "insert":
        if not insert_columns:
            return None
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in insert_columns)
        body = sql.SQL("insert into {} ({}) select {} from {} limit 1 returning 1").format(
            ident, cols, cols, ident
        )
    elif command == "update":
        if update_column is None:
            return None
        col = sql.Identifier(update_column)
        body = sql.SQL("update {} set {} = {} returning 1").format(ident, col, col)
    else:
        body = sql.SQL("delete from {} returning 1").format(ident)
    return sql.SQL("with w as ({}) select count(*)::text /*INTO*/ from w").format(body)


def read_matrix(
    conn: psycopg.Connection, schemas: tuple[str, ...]
) -> tuple[dict[MatrixKey, Cell], dict[str, str]]:
    """Every relation of ``schemas`` probed as each persona, in one rolled-back
    transaction: one batch (one round trip) per persona and command."""
    cells: dict[MatrixKey, Cell] = {}
    with conn.transaction(force_rollback=True):
        cast = personas(conn)
        roles = sorted({p.role for p in cast})
        rows = conn.execute(_EXPOSED, (roles, list(schemas))).fetchall()
        runner = _ProbeRunner(conn)
        for persona in cast:
            mine = [r for r in rows if r[2] == persona.role]
            for n, command in enumerate(COMMANDS):
                probes: list[tuple[MatrixKey, str]] = []
                for schema, name, _role, *held, insert_cols, update_col in mine:
                    key = (schema, name, persona.name, command)
                    granted = bool(held[n])
                    probe = (
                        _statement(command, sql.Identifier(schema, name), insert_cols, update_col)
                        if granted and (command != "insert" or held[0])
                        else None
                    )
                    cells[key] = Cell(granted)
                    if probe is not None:
                        probes.append((key, probe.as_string(conn)))
                if not probes:
                    continue
                _timeout(conn, PROBE_TIMEOUT_MS * len(probes))
                compiled = runner.compile([("q", text) for _, text in probes])
                outcomes = runner.run_compiled(compiled, persona, command)
                for (key, _), outcome in zip(probes, outcomes, strict=True):
                    cells[key] = _cell(command, outcome)
    return cells, {p.name: p.summary() for p in cast}


def _cell(command: str, outcome: Outcome) -> Cell:
    """What a probe's outcome says. An INSERT refused by RLS (42501 "row-level security")
    reached nothing; one stopped by a constraint (23xxx) got past RLS, which checks the
    row first; an INSERT that copied no row (the persona reads none) says nothing."""
    if outcome.ok:
        rows = int(outcome.result or 0)
        if command == "insert":
            return Cell(True, 1 if rows else None)
        return Cell(True, rows)
    state, message = outcome.sqlstate or "", outcome.message or ""
    if command == "insert" and state == "42501" and "row-level security" in message:
        return Cell(True, 0)
    if command == "insert" and state.startswith("23"):
        return Cell(True, 1)
    return Cell(True, None, f"{state} {message}".strip())


_VERBS = {
    "select": ("reads", "rows"),
    "update": ("may update", "rows"),
    "delete": ("may delete", "rows"),
}


def _cell_change(who: str, command: str, old: Cell, new: Cell) -> tuple[str, bool] | None:
    """How one cell changed, as (what, widens), or None when it did not (or cannot be
    compared: the probe failed before, or had nothing to copy)."""
    verb = command.upper()
    if new.granted and not old.granted:
        reach = f": {_reach_text(command, new)}" if new.error is None else ""
        return f"{who} gains {verb}{reach}", True
    if old.granted and not new.granted:
        return f"{who} loses {verb}", False
    if not new.granted or old.error is not None:
        return None
    if new.error is not None:
        return f"{who}: {verb} now fails ({new.error})", False
    if old.rows is None or new.rows is None or old.rows == new.rows:
        return None
    widens = new.rows > old.rows
    if command == "insert":
        said = "may now insert" if widens else "may no longer insert"
        return f"{who} {said} (a copy of a row it reads)", widens
    return f"{who} {_reach_text(command, new)}, was {old.rows}", widens


def _reach_text(command: str, cell: Cell) -> str:
    if command == "insert":
        return "inserts a copy of a row it reads" if cell.rows else "inserts"
    verb, noun = _VERBS[command]
    return f"{verb} {cell.rows} {noun}" if cell.rows is not None else verb


def compare(before: Access, after: Access) -> list[Change]:
    """Every difference of the persona × relation matrix, each said as what a persona
    gains or loses, with the changed policy of its relation (if any) named as the likely
    cause. Without a matrix on both sides: the grant/RLS/policy comparison."""
    proxy = compare_proxy(before, after)
    if before.matrix is None or after.matrix is None:
        return proxy
    policy_of = {}
    for change in proxy:
        if change.policy is not None:
            policy_of.setdefault(change.table, change.policy)
    out: list[Change] = []
    for key in sorted(before.matrix.keys() | after.matrix.keys()):
        schema, name, persona, command = key
        old = before.matrix.get(key, Cell(False))
        new = after.matrix.get(key, Cell(False))
        found = _cell_change(persona, command, old, new)
        if found is None:
            continue
        what, widens = found
        out.append(Change((schema, name), what, widens, policy_of.get((schema, name))))
    return out


# --- the cheap stand-in: grants, flags, policies --------------------------------------------


def _norm(expr: str) -> str:
    return re.sub(r"\s+", " ", _WRAPPED_CALL.sub(r"\1", expr)).strip()


def compare_proxy(before: Access, after: Access) -> list[Change]:
    """Every difference of grants, RLS flags, ``security_invoker`` and policies, each said
    as what a role gains or loses (a rewritten policy: ``widens`` None)."""
    out: list[Change] = []
    for s, t, role, priv in sorted(after.grants - before.grants):
        out.append(Change((s, t), f"{role} gains {priv.upper()}", True))
    for s, t, role, priv in sorted(before.grants - after.grants):
        out.append(Change((s, t), f"{role} loses {priv.upper()}", False))
    for label, old, new in (
        ("row level security", before.rls, after.rls),
        ("forced row level security", before.forced, after.forced),
        ("security_invoker", before.invoker, after.invoker),
    ):
        out += [Change(k, f"{label} turned off", True) for k in sorted(old - new)]
        out += [Change(k, f"{label} turned on", False) for k in sorted(new - old)]
    for key in sorted(before.policies.keys() | after.policies.keys()):
        old, new = before.policies.get(key), after.policies.get(key)
        if old == new:
            continue
        table, name = key[:2], key[2]
        if old is None:
            assert new is not None
            out.append(Change(table, f"policy {name} added", new[0] == "PERMISSIVE", name))
        elif new is None:
            out.append(Change(table, f"policy {name} removed", old[0] != "PERMISSIVE", name))
        else:
            out.append(Change(table, f"policy {name} changed", None, name))
    return out
