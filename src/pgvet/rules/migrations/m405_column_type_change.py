"""M405 column-type-change:
Column type changed on an existing table (rewrite under ACCESS EXCLUSIVE).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pgvet.analysis.history import History, Node, Step, TableKey, Visitor, alter_commands, key_sql
from pgvet.catalog.model import Catalog
from pgvet.rules.migrations.common import MIGRATIONS, type_parts, type_sql
from pgvet.rules.registry import Hit, LintContext, rule


def binary_coercible(old: Node | None, new: Node | None) -> bool:
    """Whether changing a column from ``old`` to ``new`` skips the table rewrite
    (varchar(n) → varchar(m ≥ n) / varchar / text, numeric(p, s) → numeric(q ≥ p, s) /
    numeric, text ↔ unbounded varchar, text / varchar ↔ citext, cidr → inet, or no change
    at all)."""
    a, b = type_parts(old), type_parts(new)
    if a is None or b is None or a[2] != b[2]:
        return False
    (old_name, old_mods, _), (new_name, new_mods, _) = a, b
    if (old_name, old_mods) == (new_name, new_mods):
        return True
    strings = {"varchar", "text"}
    if {old_name, new_name} <= strings | {"citext"} and "citext" in (old_name, new_name):
        return new_name in ("citext", "text") or not new_mods
    if old_name in strings and new_name in strings:
        if new_name == "text" or not new_mods:
            return True
        return old_name == "varchar" and bool(old_mods) and new_mods[0] >= old_mods[0]
    if old_name == new_name == "numeric" and old_mods:
        if not new_mods:
            return True
        old_scale = old_mods[1] if len(old_mods) > 1 else 0
        new_scale = new_mods[1] if len(new_mods) > 1 else 0
        return new_mods[0] >= old_mods[0] and new_scale == old_scale
    return (old_name, new_name) == ("cidr", "inet")


def _plain_using(sub: Node, column: str) -> bool:
    """No USING clause, or one that is just the column (maybe cast to the new type)."""
    using = sub.get("def", {}).get("ColumnDef", {}).get("raw_default")
    if using is None:
        return True
    cast = using.get("TypeCast")
    if cast is not None:
        using = cast.get("arg", {})
    fields = using.get("ColumnRef", {}).get("fields", [])
    return len(fields) == 1 and fields[0].get("String", {}).get("sval") == column


@rule(
    "column-type-change",
    "M405",
    "warn",
    "safety",
    "Column type changed on an existing table (rewrite under ACCESS EXCLUSIVE)",
    requires=MIGRATIONS,
    history=True,
)
def column_type_change(ctx: LintContext) -> Visitor:
    """``alter column ... type`` takes an ACCESS EXCLUSIVE lock and, unless the old type
    converts to the new one without changing the bytes (``varchar(n)`` to ``text`` or a
    longer ``varchar``, ``numeric(p, s)`` to a wider precision; ``timestamp`` ↔
    ``timestamptz`` too since PostgreSQL 12 when the session's TimeZone is UTC, as on
    Supabase, though indexes on the column are rebuilt), rewrites every row and
    rebuilds every index of the table: nothing can read or write it until that is done,
    and clients still sending the old type may break. pgvet follows each column's type
    through the migrations and stays quiet for the binary-coercible changes; when it cannot
    see the old type it says so. The safe route on a big table: add a new column, backfill
    it in batches, switch the application, then drop the old one.

    Bad:
    ```sql
    -- file: 20240101000000_create_services.sql
    create table public.services (
      id bigint generated always as identity primary key,
      name varchar(100) not null,
      price integer not null
    );
    -- file: 20240301000000_services_price_numeric.sql
    alter table public.services alter column price type numeric(12, 2);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_services.sql
    create table public.services (
      id bigint generated always as identity primary key,
      name varchar(100) not null,
      price integer not null
    );
    -- file: 20240301000000_services_name_text.sql
    alter table public.services alter column name type text;
    ```
    """
    assert ctx.project is not None
    types = _TypeEvents()

    def visit(step: Step, history: History) -> Iterator[Hit]:
        types.see(step)
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_AlterColumnType" or not history.existed(table):
                continue
            column = sub.get("name", "")
            new = sub.get("def", {}).get("ColumnDef", {}).get("typeName")
            old = history.column_type(table, column)
            plain = _plain_using(sub, column)
            change = types.change(old, new)
            if plain and binary_coercible(old, new):
                rebuilt = _rebuilt_indexes(ctx.catalog, table, column, old, new)
                if rebuilt:
                    yield _index_rebuild_hit(step, table, column, change, rebuilt)
                continue
            if plain and _timestamp_pair(old, new):
                rebuilt = _rebuilt_indexes(ctx.catalog, table, column, old, new, always=True)
                if rebuilt:
                    yield _utc_index_rebuild_hit(step, table, column, change, rebuilt)
                continue
            yield _type_change_hit(step, table, column, old, new, plain, change)

    return Visitor(ctx.project, visit, _TYPE_STATEMENTS | {"AlterTableStmt"})


_TIMESTAMPS = frozenset({"timestamp", "timestamptz"})


def _timestamp_pair(old: Node | None, new: Node | None) -> bool:
    """timestamp ↔ timestamptz (same precision, not arrays): binary-coercible since
    PostgreSQL 12 when the session's TimeZone is UTC (ATColumnChangeRequiresRewrite asks
    TimestampTimestampTzRequiresRewrite), which is Supabase's default and pgvet's
    sandbox's; indexes on the column are still rebuilt (their operator class changes)."""
    a, b = type_parts(old), type_parts(new)
    if a is None or b is None or a[2] or b[2]:
        return False
    return {a[0], b[0]} == _TIMESTAMPS and a[1] == b[1]


_TYPE_STATEMENTS = frozenset(
    {"RenameStmt", "CreateEnumStmt", "CompositeTypeStmt", "CreateDomainStmt"}
)


@dataclass
class _TypeEvents:
    """Type renames and creations seen so far, to tell what a change between two types
    of the same name is (``alter type x rename to x_old; create type x ...``)."""

    renamed: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (new, where)
    created: dict[str, str] = field(default_factory=dict)  # name -> where

    def see(self, step: Step) -> None:
        if step.kind not in _TYPE_STATEMENTS:
            return
        where = f"{step.stmt.file}:{step.stmt.line}"
        node = step.node
        if step.kind == "RenameStmt" and node.get("renameType") in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
            items = node.get("object", {}).get("List", {}).get("items", [])
            names = [i["String"]["sval"] for i in items if "String" in i]
            if names and node.get("newname"):
                self.renamed[names[-1]] = (node["newname"], where)
        elif step.kind in ("CreateEnumStmt", "CompositeTypeStmt", "CreateDomainStmt"):
            names = node.get("typeName") or node.get("domainname") or []
            if step.kind == "CompositeTypeStmt":
                names = [{"String": {"sval": node.get("typevar", {}).get("relname", "")}}]
            parts = [n["String"]["sval"] for n in names if "String" in n]
            if parts:
                self.created[parts[-1]] = where

    def change(self, old: Node | None, new: Node | None) -> str:
        """``from A to B`` in words that say what changed: the schemas when only they
        differ, the rename and re-creation when a type of the same name was rebuilt."""
        if old is None:
            return f"to {type_sql(new)}"
        before, after = type_sql(old), type_sql(new)
        if before != after:
            return f"from {before} to {after}"
        old_schema, new_schema = _schema_of(old), _schema_of(new)
        if old_schema != new_schema:
            return (
                f"from {old_schema or 'the search_path'}'s {before} to "
                f"{new_schema or 'the search_path'}'s {after}"
            )
        name = (type_parts(new) or ("",))[0]
        renamed = self.renamed.get(name)
        if renamed is not None:
            created = self.created.get(name)
            again = f" (created again at {created})" if created else ""
            return (
                f"from the old {before} (renamed to {renamed[0]} at {renamed[1]}) to the new "
                f"{after}{again}"
            )
        return f"from {before} to {after} (the same type name: a type recreated since)"


def _schema_of(node: Node | None) -> str | None:
    names = [p["String"]["sval"] for p in (node or {}).get("names", []) if "String" in p]
    return names[-2] if len(names) >= 2 and names[-2] != "pg_catalog" else None


def _rebuilt_indexes(
    catalog: Catalog,
    table: TableKey,
    column: str,
    old: Node | None,
    new: Node | None,
    always: bool = False,
) -> list[str]:
    """Indexes on ``column`` that a binary-coercible type change still rebuilds: the ones
    whose operator class changes with the type (text / varchar ↔ citext; ``always`` for
    timestamp ↔ timestamptz)."""
    names = {(type_parts(old) or ("",))[0], (type_parts(new) or ("",))[0]}
    if not always and ("citext" not in names or len(names) == 1):
        return []
    word = re.compile(rf"\b{re.escape(column)}\b")
    return [
        index.name
        for index in catalog.indexes_of(*table)
        if column in index.columns
        or any(word.search(e) for e in index.expressions)
        or (index.predicate is not None and word.search(index.predicate))
    ]


def _utc_index_rebuild_hit(
    step: Step, table: TableKey, column: str, change: str, rebuilt: list[str]
) -> Hit:
    target = key_sql(table)
    return Hit(
        object=target,
        message=(
            f"changing the type of {target}.{column} {change} does not rewrite the table "
            "when the session's TimeZone is UTC (Supabase's default; since PostgreSQL 12 "
            "the two types are binary-coercible then, and existing values are read as UTC), "
            f"but {', '.join(rebuilt)} is rebuilt under an ACCESS EXCLUSIVE lock on "
            f"{target}: no reads or writes until done. With another TimeZone the whole table "
            "is rewritten. On a large table, build the new index concurrently under another "
            "name first."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        detail=column,
    )


def _index_rebuild_hit(
    step: Step, table: TableKey, column: str, change: str, rebuilt: list[str]
) -> Hit:
    target = key_sql(table)
    return Hit(
        object=target,
        message=(
            f"changing the type of {target}.{column} {change} "
            "does not rewrite the table (binary-coercible), but the operator class changes, "
            f"so {', '.join(rebuilt)} is rebuilt under an ACCESS EXCLUSIVE lock on {target}: "
            "no reads or writes until done. On a large table, build the new index "
            "concurrently under another name first."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        detail=column,
    )


def _type_change_hit(
    step: Step,
    table: TableKey,
    column: str,
    old: Node | None,
    new: Node | None,
    plain: bool,
    change: str,
) -> Hit:
    target = key_sql(table)
    if old is not None or not plain:
        using = " (its USING expression computes a new value for every row)" * (not plain)
        effect = (
            f"rewrites every row and rebuilds every index of the table{using} under an "
            "ACCESS EXCLUSIVE lock: no reads or writes until it is done"
        )
    else:
        effect = (
            "takes an ACCESS EXCLUSIVE lock and, unless the change is binary-coercible "
            "(varchar(n) to text or a longer varchar), rewrites every row and rebuilds every "
            "index while holding it (pgvet could not see the column's previous type)"
        )
    return Hit(
        object=target,
        message=(
            f"changing the type of {target}.{column} {change} {effect}. On a large table: add "
            "a new column, backfill it in batches, switch the application, then drop the old "
            "column."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        detail=column,
    )
