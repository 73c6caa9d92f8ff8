"""What a migration statement creates or alters, read from its parse tree (pglast).

Two consumers: the catalog's *origins* (which file and line created or last altered each
object) and replay hints ("relation X does not exist — it is created at file:line, which
sorts after this file"). Unqualified names are taken as ``public``, as a Supabase project's
default ``search_path`` resolves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pgvet.analysis.sql.parse import statements
from pgvet.replay.project import Statement

_DDL = re.compile(r"^\s*(create|alter)\b", re.I)
_RENAMEABLE = {
    "OBJECT_TABLE": "table",
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "view",
    "OBJECT_INDEX": "index",
    "OBJECT_SEQUENCE": "sequence",
}
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class Touch:
    """One object a statement creates (``created``) or alters.

    ``kind`` is one of table, view, index, function, policy, trigger, type, constraint,
    sequence, schema, extension, enum_value. Policies, triggers and constraints are named
    ``<table>.<name>``; an enum value is named ``<type>.<value>``.
    """

    kind: str
    schema: str
    name: str
    created: bool
    renamed_from: str | None = None  # for RENAME: the old name (the object keeps its origin)


def _names(items: list[dict[str, Any]]) -> tuple[str, str]:
    parts = [i["String"]["sval"] for i in items if "String" in i]
    if len(parts) >= 2:
        return parts[-2], parts[-1]
    return DEFAULT_SCHEMA, parts[-1] if parts else ""


def _rel(node: dict[str, Any]) -> tuple[str, str]:
    return node.get("schemaname", DEFAULT_SCHEMA), node.get("relname", "")


def _constraint_touches(schema: str, table: str, elts: list[dict[str, Any]]) -> list[Touch]:
    out = []
    for elt in elts:
        con = elt.get("Constraint")
        if con and con.get("conname"):
            out.append(Touch("constraint", schema, f"{table}.{con['conname']}", True))
    return out


def _touches(node: dict[str, Any]) -> list[Touch]:
    kind, body = next(iter(node.items()))
    if kind == "CreateStmt":
        schema, name = _rel(body["relation"])
        elts = body.get("tableElts", [])
        cons = [c for e in elts for c in e.get("ColumnDef", {}).get("constraints", [])]
        return [
            Touch("table", schema, name, True),
            *_constraint_touches(schema, name, elts),
            *_constraint_touches(schema, name, cons),
        ]
    if kind == "CreateForeignTableStmt":  # a CreateStmt with a server
        return _touches({"CreateStmt": body["base"]})
    if kind == "ViewStmt":
        return [Touch("view", *_rel(body["view"]), True)]
    if kind == "CreateTableAsStmt":
        target = "view" if body.get("objtype") == "OBJECT_MATVIEW" else "table"
        return [Touch(target, *_rel(body["into"]["rel"]), True)]
    if kind == "IndexStmt":
        schema, table = _rel(body["relation"])
        out = [Touch("table", schema, table, False)]
        if body.get("idxname"):
            out.insert(0, Touch("index", schema, body["idxname"], True))
        return out
    if kind == "CreateFunctionStmt":
        return [Touch("function", *_names(body["funcname"]), True)]
    if kind in ("CreatePolicyStmt", "AlterPolicyStmt"):
        schema, table = _rel(body["table"])
        return [Touch("policy", schema, f"{table}.{body['policy_name']}", kind[0] == "C")]
    if kind == "CreateTrigStmt":
        schema, table = _rel(body["relation"])
        return [Touch("trigger", schema, f"{table}.{body['trigname']}", True)]
    if kind in ("CreateEnumStmt", "CreateDomainStmt"):
        key = "typeName" if kind == "CreateEnumStmt" else "domainname"
        return [Touch("type", *_names(body[key]), True)]
    if kind == "CompositeTypeStmt":
        return [Touch("type", *_rel(body["typevar"]), True)]
    if kind == "AlterEnumStmt":
        schema, name = _names(body["typeName"])
        out = [Touch("type", schema, name, False)]
        if body.get("newVal"):
            out.append(Touch("enum_value", schema, f"{name}.{body['newVal']}", True))
        return out
    if kind == "AlterTableStmt":
        schema, table = _rel(body["relation"])
        out = [Touch(altered_kind(body), schema, table, False)]
        for cmd in body.get("cmds", []):
            sub = cmd.get("AlterTableCmd", {})
            if sub.get("subtype") == "AT_AddConstraint":
                out += _constraint_touches(schema, table, [sub.get("def", {})])
        return out
    if kind == "CreateSeqStmt":
        return [Touch("sequence", *_rel(body["sequence"]), True)]
    if kind == "CreateSchemaStmt":
        return [Touch("schema", body.get("schemaname", ""), body.get("schemaname", ""), True)]
    if kind == "RenameStmt" and body.get("renameType") in _RENAMEABLE and body.get("relation"):
        schema, old = _rel(body["relation"])
        target = _RENAMEABLE[body["renameType"]]
        return [Touch(target, schema, body["newname"], False, renamed_from=old)]
    if kind == "CreateExtensionStmt":
        return [Touch("extension", "", body["extname"], True)]
    return []


def altered_kind(node: dict[str, Any]) -> str:
    """What an ALTER TABLE (or RENAME) tree alters: ``view``, ``index``, ``sequence``, or
    ``table`` (PostgreSQL spells ALTER TABLE for all of them)."""
    return _RENAMEABLE.get(node.get("objtype", ""), "table")


def may_touch(sql: str) -> bool:
    """Whether ``sql`` starts as DDL that creates or alters something (a regex, no parse):
    the only statements :func:`touches_of_sql` reads."""
    return _DDL.match(sql) is not None


@lru_cache(maxsize=65536)  # every statement of a 20,000-statement project, asked by 3 passes
def touches_of_sql(sql: str) -> tuple[Touch, ...]:
    """Objects created or altered by one SQL statement (empty if it does not parse)."""
    if not may_touch(sql):
        return ()
    out: list[Touch] = []
    for stmt in statements(sql) or ():
        try:
            out += _touches(stmt)
        except (KeyError, StopIteration, IndexError):
            continue
    return tuple(out)


def touches(stmt: Statement) -> tuple[Touch, ...]:
    return touches_of_sql(stmt.text)
