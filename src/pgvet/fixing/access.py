"""What the API roles may reach, before and after the fixes: a cheap stand-in for the
persona matrix of ``pgvet rls test``.

Per table, view and materialized view outside the platform's schemas: anon's and
authenticated's table privileges (``has_table_privilege``), whether RLS is on and forced,
a view's ``security_invoker``, and the policy set (command, roles, permissive or not,
conditions). A fix that widens any of these is never written; one that narrows them (a
revoke, RLS turned on) changes what the app may do and is written only when asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

ROLES = ("anon", "authenticated")
PRIVILEGES = ("select", "insert", "update", "delete")

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

#: ``( SELECT auth.uid() AS uid)`` is ``auth.uid()`` evaluated once: the same condition
_WRAPPED_CALL = re.compile(r"\(\s*SELECT\s+((?:auth|\w+)\.\w+\(\))\s+AS\s+\w+\)", re.I)


@dataclass(frozen=True)
class Access:
    """``grants``: (schema, table, role, privilege) held; ``rls``/``forced``/``invoker``:
    relations with RLS on, forced, views with security_invoker; ``policies``: per
    (schema, table, name) the normalised definition."""

    grants: frozenset[tuple[str, str, str, str]]
    rls: frozenset[tuple[str, str]]
    forced: frozenset[tuple[str, str]]
    invoker: frozenset[tuple[str, str]]
    policies: dict[tuple[str, str, str], tuple[str, ...]]


@dataclass(frozen=True)
class Change:
    """One difference in access: ``widens`` True when a role may now do more, False when
    less, None when it cannot be told cheaply (a policy rewritten)."""

    table: tuple[str, str]
    what: str
    widens: bool | None
    #: the policy added, removed or changed, when the change is one
    policy: str | None = None

    def __str__(self) -> str:
        return f"{self.table[0]}.{self.table[1]}: {self.what}"


def read_access(conn: psycopg.Connection) -> Access:
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
    return Access(
        frozenset(grants), frozenset(rls), frozenset(forced), frozenset(invoker), policies
    )


def _norm(expr: str) -> str:
    return re.sub(r"\s+", " ", _WRAPPED_CALL.sub(r"\1", expr)).strip()


def compare(before: Access, after: Access) -> list[Change]:
    """Every difference, each said as what a role gains or loses."""
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
