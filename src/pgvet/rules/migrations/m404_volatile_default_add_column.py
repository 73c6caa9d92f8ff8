"""M404 volatile-default-add-column:
Column added to an existing table with a volatile default (table rewrite).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pgvet.analysis.exprs import plain_call_sql
from pgvet.analysis.history import (
    DEFAULT_SCHEMA,
    History,
    Node,
    Step,
    Visitor,
    alter_commands,
    key_sql,
)
from pgvet.analysis.sql.parse import nodes
from pgvet.catalog.model import Catalog
from pgvet.replay.project import Statement
from pgvet.rules.migrations.common import MIGRATIONS, type_sql
from pgvet.rules.registry import Hit, LintContext, rule

#: Built-in and common extension functions whose pg_proc.provolatile is 'v' (checked on
#: PostgreSQL 15; random_normal is 16+, uuidv4 / uuidv7 18+). txid_current() and now() are
#: STABLE: a default calling them is evaluated once and stored, no rewrite.
VOLATILE_BUILTINS = frozenset(
    {
        "random",
        "random_normal",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "setval",
        "gen_random_bytes",
        "gen_salt",
    }
)

_SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


def _func_calls(node: Any) -> Iterator[Node]:
    if isinstance(node, dict):
        call = node.get("FuncCall")
        if call is not None:
            yield call
        for value in node.values():
            yield from _func_calls(value)
    elif isinstance(node, list):
        for value in node:
            yield from _func_calls(value)


def is_volatile_call(catalog: Catalog, call: Node) -> bool:
    """Whether a function call in a default is VOLATILE (pg_catalog list, else catalog)."""
    parts = [p["String"]["sval"] for p in call.get("funcname", []) if "String" in p]
    if not parts:
        return False
    name = parts[-1]
    schemas = [parts[-2]] if len(parts) > 1 else ["pg_catalog", DEFAULT_SCHEMA, "extensions"]
    if name in VOLATILE_BUILTINS and schemas[0] in ("pg_catalog", DEFAULT_SCHEMA, "extensions"):
        return True
    overloads = [f for s in schemas for f in catalog.functions_named(s, name)]
    return bool(overloads) and all(f.volatility == "volatile" for f in overloads)


def _volatile_reason(catalog: Catalog, col: Node) -> str | None:
    """Why adding this column rewrites the table, or None."""
    type_name = [p["String"]["sval"] for p in col.get("typeName", {}).get("names", [])]
    if type_name and type_name[-1] in _SERIAL_TYPES:
        return f"the {type_name[-1]} type (a nextval() default, volatile)"
    for con in col.get("constraints", []):
        body = con.get("Constraint", {})
        if body.get("contype") == "CONSTR_IDENTITY":
            return "an identity (each row draws from a sequence)"
        if body.get("contype") == "CONSTR_DEFAULT":
            for call in _func_calls(body.get("raw_expr", {})):
                if is_volatile_call(catalog, call):
                    fname = [p["String"]["sval"] for p in call["funcname"] if "String" in p]
                    return f"the volatile default {'.'.join(fname)}()"
    return None


@rule(
    "volatile-default-add-column",
    "M404",
    "warn",
    "safety",
    "Column added to an existing table with a volatile default (table rewrite)",
    requires=MIGRATIONS,
    history=True,
)
def volatile_default_add_column(ctx: LintContext) -> Visitor:
    """Since PostgreSQL 11, ``add column ... default <constant>`` is instant: the default is
    stored once in the catalog, and so is a STABLE one such as ``now()`` (evaluated once).
    A VOLATILE default (``gen_random_uuid()``, ``random()``, ``clock_timestamp()``,
    ``uuid_generate_v4()``, a serial or identity column's ``nextval()``) must be computed
    for each row, so PostgreSQL rewrites the whole table and its indexes while holding an
    ACCESS EXCLUSIVE lock: nothing can read or write the table until it is done. Add the
    column without a default, set the default in a second statement (it applies to new
    rows only, instantly), and backfill the existing rows in batches.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_public_id.sql
    alter table public.bookings add column public_id uuid not null default gen_random_uuid();
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_public_id.sql
    alter table public.bookings add column public_id uuid;
    alter table public.bookings alter column public_id set default gen_random_uuid();
    alter table public.bookings add column created_at timestamptz not null default now();
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_AddColumn" or not history.existed(table):
                continue
            col = sub.get("def", {}).get("ColumnDef", {})
            name = col.get("colname", "")
            if sub.get("missing_ok") and name in history.columns.get(table, {}):
                continue  # add column if not exists of a column that is there: a no-op
            reason = _volatile_reason(ctx.catalog, col)
            if reason is None:
                continue
            target = key_sql(table)
            yield Hit(
                object=target,
                message=(
                    f"adding column {name} to {target} with {reason} rewrites every row of "
                    f"{target} and its indexes under an ACCESS EXCLUSIVE lock (no reads or "
                    "writes until done): each row needs its own value. Add the column without "
                    "a default, then `alter column ... set default` (new rows only, instant), "
                    "and backfill existing rows in batches."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                fix=_volatile_fix(step.stmt, target, col),
                detail=name,
            )

    return Visitor(ctx.project, visit, frozenset({"AlterTableStmt"}))


def _default_sql(stmt_text: str, col: Node) -> str | None:
    """The default expression of ``add column <column>`` in a statement, printed back: a
    plain call (``gen_random_uuid()``) from the tree, anything else by pglast's printer."""
    for con in col.get("constraints", []):
        default = con.get("Constraint", {})
        if default.get("contype") == "CONSTR_DEFAULT":
            call = default.get("raw_expr", {}).get("FuncCall")
            plain = plain_call_sql(call) if call is not None else None
            if plain is not None:
                return plain
            break
    column = col.get("colname", "")
    try:
        from pglast.enums import ConstrType
        from pglast.stream import RawStream

        for cmd in (nodes(stmt_text) or (None,))[0].stmt.cmds or ():
            col = cmd.def_
            if getattr(col, "colname", None) != column:
                continue
            for con in col.constraints or ():
                if con.contype == ConstrType.CONSTR_DEFAULT:
                    return str(RawStream()(con.raw_expr))
    except Exception:
        return None
    return None


def _volatile_fix(stmt: Statement, target: str, col: Node) -> str | None:
    name = col.get("colname", "")
    default_sql = _default_sql(stmt.text, col)
    if default_sql is None or not col.get("typeName"):
        return None
    return (
        f"alter table {target} add column {name} {type_sql(col['typeName'])};\n"
        f"alter table {target} alter column {name} set default {default_sql};\n"
        f"-- then backfill in batches, repeated until no row is left:\n"
        f"update {target} set {name} = {default_sql} where ctid in "
        f"(select ctid from {target} where {name} is null limit 10000);"
    )
