"""Check primitives shared by the automatic and the declared tests.

Each check is one statement run as a persona by :class:`~pgvet.rls.runner.Runner`:

* a **read** returns the keys of the rows the persona can see (``json_agg`` of the key);
* an **update** (``set col = col``) and a **delete** return the keys they touched;
* an **insert** copies a row (fresh primary / unique values) and reports the row count.

Outcomes are read the way PostgreSQL orders its work: an INSERT's RLS ``WITH CHECK`` runs
*before* constraints and unique indexes, so a unique or foreign-key violation means RLS
let the row through (a leak that only a constraint stopped); ``42501`` means refused.
What allowed a leak is worked out in :mod:`pgvet.rls.attribution`.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgvet.catalog.model import Catalog, QualifiedName, Table
from pgvet.rls.keys import KeySpec, key_spec
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
            from pgvet.analysis.policy_graph import build_policy_graph, cycles_through
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


API_ROLE = "authenticated"


def granted_columns(catalog: Catalog, table: Table, privilege: str) -> set[str] | None:
    """Columns the signed-in API role may write with ``privilege``, when it only holds
    column-level grants (``grant insert (a, b)``); None when the grant is table-wide or
    absent (then PostgreSQL's own answer, refused or not, is the right one)."""
    if privilege in catalog.table_privileges(table.schema, table.name, API_ROLE):
        return None
    cols = {
        p.column
        for p in catalog.column_privileges
        if p.schema == table.schema
        and p.table == table.name
        and p.role in (API_ROLE, "public")
        and privilege in p.privileges
    }
    return cols or None


def touch_column(table: Table, catalog: Catalog) -> str:
    """A column to ``set col = col``: one the API role may update, plain data before
    keys, never generated. Picking a column the role may not update would make every
    update "refused" by privileges and hide what RLS allows."""
    fk_cols = {c for fk in catalog.foreign_keys_of(table.schema, table.name) for c in fk.columns}
    pk = catalog.primary_key(table.schema, table.name)
    key_cols = set(pk.columns) if pk else set()
    allowed = granted_columns(catalog, table, "UPDATE")
    usable = [
        c
        for c in table.columns
        if not c.generated and c.identity != "always" and (allowed is None or c.name in allowed)
    ]
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
    one statement serves every persona ("add myself to tenant B"). With column-level
    INSERT grants only the granted columns are written, as an API client would.
    """
    allowed = granted_columns(ctx.catalog, table, "INSERT")
    cols = [
        c.name
        for c in table.columns
        if (c.name in row or c.name in caller_columns) and (allowed is None or c.name in allowed)
    ]
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
