"""Check primitives shared by the automatic and the declared tests.

Each check is one statement run as a persona by :class:`~pgvet.rls.runner.Runner`:

* a **read** returns the keys of the rows the persona can see (``json_agg`` of the key);
* an **update** (``set col = col``) and a **delete** return the keys they touched;
* an **insert** copies a row (fresh primary / unique values) and reports the row count.

Outcomes are read the way PostgreSQL orders its work: an INSERT's RLS ``WITH CHECK`` runs
*before* constraints and unique indexes, so a unique or foreign-key violation means RLS
let the row through (a leak that only a constraint stopped); ``42501`` means refused.
When something leaked, :func:`attribute` evaluates each candidate policy's expression as
the persona against the exposed row to name the policy that allowed it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog.model import Catalog, Policy, QualifiedName, Table
from pgvet.rls.acting import set_persona
from pgvet.rls.keys import KeySpec, key_spec
from pgvet.rls.personas import Persona
from pgvet.rls.runner import Outcome, Runner
from pgvet.rls.values import Counter

_RELATION = re.compile(r'relation "([^"]+)"')
ROW_SAMPLE = 3


@dataclass
class Context:
    """What every check needs: the connection, the catalog, a runner and key specs."""

    conn: psycopg.Connection
    catalog: Catalog
    runner: Runner
    counter: Counter = field(default_factory=Counter)
    _keys: dict[QualifiedName, KeySpec] = field(default_factory=dict)
    _graph: Any = None
    _cycles: dict[QualifiedName, str | None] = field(default_factory=dict)
    public_cache: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)
    rows_cache: dict[tuple[Any, ...], tuple[str, ...]] = field(default_factory=dict)

    def spec(self, table: Table) -> KeySpec:
        if table.key not in self._keys:
            self._keys[table.key] = key_spec(self.catalog, table)
        return self._keys[table.key]

    def text(self, query: sql.Composable) -> str:
        return query.as_string(self.conn)

    # -- recursion --

    def recursion_path(self, table: Table, message: str | None) -> str | None:
        """The policy cycle behind a 42P17 on ``table`` (from the lint rule's graph)."""
        named = _RELATION.search(message or "")
        target = table.key
        if named:
            found = [t.key for t in self.catalog.tables if t.name == named.group(1)]
            if found:
                target = table.key if table.key in found else found[0]
        if target not in self._cycles:
            self._cycles[target] = self._find_cycle(target, table.key)
        return self._cycles[target]

    def _find_cycle(self, target: QualifiedName, queried: QualifiedName) -> str | None:
        try:
            from pgvet.policy_graph import build_policy_graph, cycles_through
        except ImportError:  # pragma: no cover - the graph module ships with pgvet
            return None
        if self._graph is None:
            self._graph = build_policy_graph(self.catalog)
        for key in (target, queried):
            cycles = cycles_through(self._graph, *key)
            if cycles:
                return cycles[0].path
        return None


# --- statements ----------------------------------------------------------------------------


def read_keys(ctx: Context, table: Table, keys: list[str] | None = None) -> str:
    """Keys of the visible rows (all rows, or only those in ``keys``) as a JSON array."""
    spec = ctx.spec(table)
    where = spec.matches(keys) if keys is not None else sql.SQL("true")
    query = sql.SQL(
        "select coalesce(json_agg(k)::text, '[]') /*INTO*/ from (select {} as k from {} where {}) s"
    ).format(spec.expr(), spec.ident, where)
    return ctx.text(query)


def count_rows(ctx: Context, table: Table) -> str:
    query = sql.SQL("select count(*)::text /*INTO*/ from {}").format(
        sql.Identifier(table.schema, table.name)
    )
    return ctx.text(query)


def touch_column(table: Table, catalog: Catalog) -> str:
    """A column to ``set col = col``: plain data first, keys last (never generated)."""
    fk_cols = {c for fk in catalog.foreign_keys_of(table.schema, table.name) for c in fk.columns}
    pk = catalog.primary_key(table.schema, table.name)
    key_cols = set(pk.columns) if pk else set()
    usable = [c for c in table.columns if not c.generated and c.identity != "always"]
    for col in usable:
        if col.name not in fk_cols and col.name not in key_cols:
            return col.name
    return usable[0].name if usable else table.columns[0].name


def write_keys(ctx: Context, table: Table, command: str, keys: list[str]) -> str:
    """UPDATE (no-op assignment) or DELETE of the rows in ``keys``, returning what it hit."""
    spec = ctx.spec(table)
    if command == "update":
        col = sql.Identifier(touch_column(table, ctx.catalog))
        body = sql.SQL("update {} set {} = {} where {} returning {} as k").format(
            spec.ident, col, col, spec.matches(keys), spec.expr()
        )
    else:
        body = sql.SQL("delete from {} where {} returning {} as k").format(
            spec.ident, spec.matches(keys), spec.expr()
        )
    query = sql.SQL(
        "with w as ({}) select coalesce(json_agg(k)::text, '[]') /*INTO*/ from w"
    ).format(body)
    return ctx.text(query)


def copy_row(
    ctx: Context, table: Table, sample: dict[str, Any], overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``sample`` with fresh values in primary-key / unique columns that are not references
    (references decide whose row it is and stay), ready to insert again."""
    row = dict(sample)
    fk_cols = {
        c for fk in ctx.catalog.foreign_keys_of(table.schema, table.name) for c in fk.columns
    }
    unique_cols = {
        c
        for con in ctx.catalog.constraints_of(table.schema, table.name)
        if con.kind in ("primary", "unique")
        for c in con.columns
    } | {
        c
        for idx in ctx.catalog.indexes_of(table.schema, table.name)
        if idx.unique
        for c in idx.columns
        if c
    }
    for col in table.columns:
        if col.generated or col.identity == "always":
            row.pop(col.name, None)
            continue
        if col.name in fk_cols or col.name not in unique_cols:
            continue
        if col.default is not None or col.identity:
            row.pop(col.name, None)
            continue
        row[col.name] = _fresh(ctx, col.type_name, col.type, row.get(col.name))
    row.update(overrides or {})
    return row


_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "citext", "name"})


def _fresh(ctx: Context, type_name: str, type_text: str, old: Any) -> Any:
    """A value unlikely to clash with ``old`` in a unique key. Types pgvet cannot vary
    safely keep their value: a unique violation is raised *after* RLS has judged the
    row, so the check still learns whether RLS allowed it."""
    n = ctx.counter.next()
    if type_name == "uuid":
        return str(uuid.uuid4())
    if isinstance(old, bool):
        return old
    if isinstance(old, int | float):
        return old + 100000 + n
    if type_name in _TEXT_TYPES and (isinstance(old, str) or old is None):
        limited = "(" in type_text
        return f"p{n}" if limited or old is None else f"{old}-pgvet{n}"
    return old


CALLER_ID = "(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')"


def insert_copy(
    ctx: Context, table: Table, row: dict[str, Any], caller_columns: tuple[str, ...] = ()
) -> str:
    """INSERT of ``row`` (a JSON object) with PostgreSQL parsing every value.

    ``caller_columns`` take the acting user's id from the claims at run time instead, so
    one statement serves every persona ("add myself to tenant B").
    """
    cols = [c.name for c in table.columns if c.name in row or c.name in caller_columns]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    values = sql.SQL(", ").join(
        sql.SQL("{}::{}").format(sql.SQL(CALLER_ID), sql.SQL(table.column(c).type))  # type: ignore[union-attr]
        if c in caller_columns
        else sql.Identifier(c)
        for c in cols
    )
    query = sql.SQL(
        "insert into {} ({}) select {} from jsonb_populate_record(null::{}, {}::jsonb)"
    ).format(
        sql.Identifier(table.schema, table.name),
        names,
        values,
        sql.Identifier(table.schema, table.name),
        sql.Literal(json.dumps(row, default=str)),
    )
    return ctx.text(query)


# --- reading outcomes ----------------------------------------------------------------------


def keys_of(outcome: Outcome) -> list[str]:
    """The JSON key array a read / write check returned."""
    if not outcome.ok or outcome.result is None:
        return []
    return [str(k) for k in json.loads(outcome.result)]


def write_verdict(outcome: Outcome, command: str) -> tuple[str, list[str]]:
    """``refused`` / ``allowed`` / ``error`` for a write, with the rows it touched."""
    if outcome.ok:
        if command == "insert":
            return ("allowed" if outcome.result not in (None, "0") else "refused"), []
        touched = keys_of(outcome)
        return ("allowed" if touched else "refused"), touched
    state = outcome.sqlstate or ""
    if state == "42501":
        return "refused", []
    if state.startswith("23"):
        return "allowed", []  # RLS passed; a constraint stopped it afterwards
    return "error", []


# --- attribution ---------------------------------------------------------------------------


def candidate_policies(catalog: Catalog, table: Table, role: str, command: str) -> list[Policy]:
    """Permissive policies that could let ``role`` run ``command`` on ``table``."""
    cmd = command.upper()
    return [
        p
        for p in catalog.policies_of(table.schema, table.name)
        if p.permissive and p.applies_to(role) and p.command in ("ALL", cmd)
    ]


def _policy_expr(policy: Policy, command: str) -> str | None:
    if command == "insert":
        return policy.with_check or (policy.using if policy.command == "ALL" else None)
    return policy.using


@dataclass(frozen=True)
class Allowed:
    """A policy whose expression is true for the exposed row(s)."""

    name: str
    command: str
    expr: str
    public: bool = False  # also true for a stranger: the policy means "everyone may read"

    def label(self) -> str:
        return f'"{self.name}" ({self.command.lower()}: {_short(self.expr)})'


def _eval_policy(
    ctx: Context,
    persona: Persona,
    table: Table,
    expr: str,
    keys: list[str] | None,
    row: dict[str, Any] | None,
    agg: str = "bool_or",
) -> bool:
    ident = sql.Identifier(table.schema, table.name)
    alias = sql.Identifier(table.name)
    if row is not None:
        source = sql.SQL("jsonb_populate_record(null::{}, {}::jsonb) as {}").format(
            ident, sql.Literal(json.dumps(row, default=str)), alias
        )
        where: sql.Composable = sql.SQL("true")
    else:
        source = sql.SQL("{} as {}").format(ident, alias)
        where = ctx.spec(table).matches((keys or [])[:ROW_SAMPLE])
    query = sql.SQL("select {}(coalesce(({}), false)) from {} where {}").format(
        sql.SQL(agg),
        sql.SQL(expr),
        source,
        where,  # type: ignore[arg-type]
    )
    try:
        with ctx.conn.transaction(force_rollback=True):
            set_persona(ctx.conn, persona)
            hit = ctx.conn.execute(query).fetchone()
    except psycopg.Error:
        return False
    return bool(hit and hit[0])


def allowed_by(
    ctx: Context,
    persona: Persona,
    table: Table,
    command: str,
    keys: list[str] | None = None,
    row: dict[str, Any] | None = None,
) -> list[Allowed]:
    """The policies that let ``persona`` see / write the rows, evaluated as the persona.

    For SELECT, each is also tried as a *stranger* (same role, a user id nobody knows):
    true for the stranger means the policy grants the rows to everyone in the role, i.e.
    a public read written on purpose, not a tenant leak.
    """
    out: list[Allowed] = []
    stranger = Persona("stranger", role=persona.role, user_id=str(uuid.uuid4()), _user_row={})
    if persona.role == "anon":
        stranger = persona
    for policy in candidate_policies(ctx.catalog, table, persona.role, command):
        expr = _policy_expr(policy, command)
        if expr is None:
            out.append(Allowed(policy.name, policy.command, "true"))
            continue
        if not _eval_policy(ctx, persona, table, expr, keys, row):
            continue
        public = (
            command == "select"
            and policy.command == "SELECT"
            and row is None
            and _eval_policy(ctx, stranger, table, expr, keys, None, "bool_and")
        )
        out.append(Allowed(policy.name, policy.command, expr, public))
    return out


def public_policies(ctx: Context, role: str, table: Table, keys: list[str]) -> list[Allowed]:
    """SELECT policies through which *any* user of ``role`` (a stranger with no tenant)
    sees the rows: a public read written on purpose. Cached: persona-independent."""
    cache_key = (table.key, role, tuple(keys[:ROW_SAMPLE]))
    if cache_key in ctx.public_cache:
        return ctx.public_cache[cache_key]
    stranger = (
        Persona("anon", role="anon")
        if role == "anon"
        else Persona("stranger", role=role, user_id=str(uuid.uuid4()), _user_row={})
    )
    found = [
        Allowed(p.name, p.command, p.using or "true", True)
        for p in candidate_policies(ctx.catalog, table, role, "select")
        if p.command == "SELECT"
        and _eval_policy(ctx, stranger, table, p.using or "true", keys, None, "bool_and")
    ]
    ctx.public_cache[cache_key] = found
    return found


def attribute(
    ctx: Context,
    persona: Persona,
    table: Table,
    command: str,
    keys: list[str] | None = None,
    row: dict[str, Any] | None = None,
) -> tuple[str, ...]:
    """Name what let ``persona`` see / write the rows: RLS off, or the policies whose
    expression is true for the exposed row, evaluated as the persona."""
    if not table.rls_enabled:
        return ("RLS is disabled on this table",)
    candidates = candidate_policies(ctx.catalog, table, persona.role, command)
    if not candidates:
        return ("no policy (the role bypasses RLS or owns the table)",)
    found = allowed_by(ctx, persona, table, command, keys, row)
    if found:
        return tuple(a.label() for a in found)
    return tuple(f'one of "{p.name}"' for p in candidates)


def describe_rows(ctx: Context, table: Table, keys: list[str]) -> tuple[str, ...]:
    """A few exposed rows, read as the superuser, in one line each."""
    if not keys:
        return ()
    cache_key = (table.key, tuple(keys[:ROW_SAMPLE]))
    if cache_key in ctx.rows_cache:
        return ctx.rows_cache[cache_key]
    spec = ctx.spec(table)
    query = sql.SQL("select {}, to_jsonb(t) from {} t where {} limit {}").format(
        spec.expr(), spec.ident, spec.matches(keys[:ROW_SAMPLE]), sql.Literal(ROW_SAMPLE)
    )
    out = []
    for key, data in ctx.conn.execute(query).fetchall():
        out.append(f"{spec.describe(key)}: {_row_line(dict(data), spec.columns)}")
    ctx.rows_cache[cache_key] = tuple(out)
    return tuple(out)


def describe_row(table: Table, row: dict[str, Any]) -> str:
    """The row an insert tried to write, in one line."""
    return _row_line(row, ())


def _row_line(data: dict[str, Any], skip: tuple[str, ...]) -> str:
    parts = []
    for name, value in data.items():
        if name in skip or value in (None, "", {}, []):
            continue
        text = json.dumps(value, default=str) if not isinstance(value, str) else value
        parts.append(f"{name}={text[:40]}")
        if len(parts) == 5:
            break
    return ", ".join(parts)


def _short(expr: str, limit: int = 90) -> str:
    flat = " ".join(expr.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
