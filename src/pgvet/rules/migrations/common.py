"""What several migration rules share: the migrations requirement, catalog questions,
the replay's facts (which file created a table, which files failed), index objects and
CONCURRENTLY rewrites, type names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pgvet.analysis.history import Node, Step, TableKey, key_sql, rel_key, statements_of
from pgvet.analysis.memo import memo
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import Catalog
from pgvet.replay.definitions import RELATION_STATEMENTS, Place, relation_places
from pgvet.replay.project import Project
from pgvet.rules.registry import LintContext

MIGRATIONS = ("migrations",)


def failed_files(ctx: LintContext) -> frozenset[str]:
    """Files that failed in this replay (none known on a live database): a claim that
    rests on one of them ("created at …", "already exists") was never checked."""
    if ctx.replay is None:
        return frozenset()
    return frozenset(f.filename for f in ctx.replay.files if f.status == "failed")


@dataclass(frozen=True)
class Creation:
    """Where the table a statement works on was created before it, by the project's files
    (DO blocks included): by an ``earlier`` file (then a ``create table if not exists`` of
    it in this file did nothing), only in the ``same`` file, only by a ``later`` file (it
    did not exist yet when the statement ran), or ``outside`` the migrations (Supabase's
    own tables, dynamic SQL)."""

    when: str
    place: Place | None = None

    @property
    def existed(self) -> bool:
        """Whether the table existed (and was visible to others) before the file ran."""
        return self.when in ("earlier", "outside")


#: the statements that can create a table, themselves or in a DO block
_RELATION_OR_DO = RELATION_STATEMENTS | {"DoStmt"}


def table_places(project: Project) -> dict[str, list[Place]]:
    """``schema.name`` (lower case) → where the migrations create a relation of that name
    (:func:`~pgvet.replay.definitions.relation_places` of the statements that can), once
    per project."""
    return memo(
        project,
        "relation places",
        lambda: relation_places(statements_of(project, _RELATION_OR_DO)),
    )


def table_creations(project: Project) -> Callable[[Step, TableKey], Creation]:
    """A lookup ``(step, table) → Creation`` built once per rule run (the definitions
    index covers statements inside DO blocks, which the static walk does not follow)."""
    index = table_places(project)
    order = {f.filename: i for i, f in enumerate(project.files)}

    def lookup(step: Step, table: TableKey) -> Creation:
        name = f"{table[0]}.{table[1]}".lower()
        here = (step.file_no, step.stmt.line)
        before: list[tuple[tuple[int, int], Place]] = []
        after = False
        for place in index.get(name, []):
            if place.file not in order:
                continue
            at = (order[place.file], place.line)
            if at < here:
                before.append((at, place))
            else:
                after = True
        earlier = [item for item in before if item[0][0] < step.file_no]
        if earlier:  # a same-file `create table if not exists` of it is then skipped
            return Creation("earlier", max(earlier, key=lambda item: item[0])[1])
        if before:
            return Creation("same", max(before, key=lambda item: item[0])[1])
        return Creation("later" if after else "outside")

    return lookup


def catalog_knows(catalog: Catalog, schema: str) -> bool:
    """Whether the catalog is complete for ``schema``, so an absent object is really gone
    (not a partial replay, not a Supabase-internal schema the catalog leaves out)."""
    return not catalog.partial and schema in catalog.schema_names()


def is_partitioned(catalog: Catalog, key: TableKey) -> bool:
    table = catalog.find_table(*key)
    return table is not None and table.kind == "partitioned"


_CREATE_INDEX = re.compile(r"^(\s*create\s+(?:unique\s+)?index)\s+(?!concurrently\b)", re.I)


def concurrent_sql(sql: str) -> str:
    """The statement with CONCURRENTLY added after ``create [unique] index``."""
    return _CREATE_INDEX.sub(r"\1 concurrently ", sql, count=1).rstrip().rstrip(";") + ";"


def index_object(node: Node) -> str:
    table = rel_key(node["relation"])
    name = node.get("idxname")
    return f"index {qualified(table[0], name)}" if name else key_sql(table)


def type_parts(type_name: Node | None) -> tuple[str, tuple[int, ...], bool] | None:
    """``(base name, integer typmods, is_array)`` of a TypeName, or None when unknown."""
    if not type_name:
        return None
    names = [p["String"]["sval"] for p in type_name.get("names", []) if "String" in p]
    if not names:
        return None
    mods: list[int] = []
    for mod in type_name.get("typmods", []):
        value = mod.get("A_Const", {}).get("ival")
        if value is None:
            return None
        mods.append(int(value.get("ival", 0)))
    return names[-1], tuple(mods), bool(type_name.get("arrayBounds"))


_TYPE_NAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "bpchar": "char",
}


def type_sql(type_name: Node | None) -> str:
    """A TypeName as SQL (``numeric(12,2)``, ``integer``, ``text[]``); ``?`` if unknown."""
    parts = type_parts(type_name)
    if parts is None:
        return "?"
    name, mods, is_array = parts
    text = _TYPE_NAMES.get(name, name)
    if mods:
        text += "(" + ",".join(str(m) for m in mods) + ")"
    return text + "[]" * is_array
