"""The table locks a migration statement takes, and the work it does while holding them.

A migration's risk on production is the lock times what happens under it times how busy
the table is: ``ACCESS EXCLUSIVE`` for a catalog update is over in milliseconds (if it
does not queue behind a long query), the same lock held while a 40 GB table is rewritten
stops the application. This module answers the first two from the statement alone, with
PostgreSQL's parser; the live database answers the third (see
:mod:`pgvet.live.sizes`). The lock levels are PostgreSQL's own (``AlterTableGetLockLevel``
and the documentation's "Table-Level Lock Modes").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pgvet.analysis.sql.parse import statements

Node = dict[str, Any]

ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
EXCLUSIVE = "EXCLUSIVE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE = "SHARE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
ROW_EXCLUSIVE = "ROW EXCLUSIVE"

#: strongest first
ORDER = (
    ACCESS_EXCLUSIVE,
    EXCLUSIVE,
    SHARE_ROW_EXCLUSIVE,
    SHARE,
    SHARE_UPDATE_EXCLUSIVE,
    ROW_EXCLUSIVE,
)
BLOCKS = {
    ACCESS_EXCLUSIVE: "reads and writes",
    EXCLUSIVE: "writes",
    SHARE_ROW_EXCLUSIVE: "writes",
    SHARE: "writes",
    SHARE_UPDATE_EXCLUSIVE: "other schema changes and vacuum (not reads or writes)",
    ROW_EXCLUSIVE: "nothing but schema changes",
}
#: LOCK TABLE … IN <mode>: pglast's numbers are PostgreSQL's LOCKMODE values
_LOCK_MODES = {
    8: ACCESS_EXCLUSIVE,
    7: EXCLUSIVE,
    6: SHARE_ROW_EXCLUSIVE,
    5: SHARE,
    4: SHARE_UPDATE_EXCLUSIVE,
    3: ROW_EXCLUSIVE,
}
_SUE_SUBTYPES = {
    "AT_SetStatistics",
    "AT_ClusterOn",
    "AT_DropCluster",
    "AT_SetRelOptions",
    "AT_ResetRelOptions",
    "AT_ValidateConstraint",
    "AT_AttachPartition",
}
_SRE_SUBTYPES = {
    "AT_EnableTrig",
    "AT_EnableAlwaysTrig",
    "AT_EnableReplicaTrig",
    "AT_EnableTrigAll",
    "AT_EnableTrigUser",
    "AT_DisableTrig",
    "AT_DisableTrigAll",
    "AT_DisableTrigUser",
}


@dataclass(frozen=True)
class LockUse:
    """One table lock of one statement."""

    schema: str
    table: str
    mode: str
    work: str  # what runs while it is held: "catalog only", "rewrite", "full scan", …

    @property
    def blocks(self) -> str:
        return BLOCKS[self.mode]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


def locks_of(sql: str) -> list[LockUse]:
    """The table locks ``sql`` (one statement or several) takes, strongest per table."""
    found: dict[tuple[str, str], LockUse] = {}
    for stmt in statements(sql) or ():
        for use in _stmt(stmt):
            key = (use.schema, use.table)
            old = found.get(key)
            if old is None or ORDER.index(use.mode) < ORDER.index(old.mode):
                found[key] = use
            elif old.mode == use.mode and use.work not in old.work:
                found[key] = LockUse(old.schema, old.table, old.mode, f"{old.work}; {use.work}")
    return list(found.values())


def _rel(rv: Node | None) -> tuple[str, str] | None:
    if not rv or not rv.get("relname"):
        return None
    return rv.get("schemaname") or "public", rv["relname"]


def _use(rv: Node | None, mode: str, work: str) -> list[LockUse]:
    rel = _rel(rv)
    return [LockUse(rel[0], rel[1], mode, work)] if rel else []


def _stmt(stmt: Node) -> list[LockUse]:
    kind, body = next(iter(stmt.items()))
    handler = _HANDLERS.get(kind)
    return handler(body) if handler else []


def _index(body: Node) -> list[LockUse]:
    if body.get("concurrent"):
        return _use(body.get("relation"), SHARE_UPDATE_EXCLUSIVE, "index build (concurrent)")
    return _use(body.get("relation"), SHARE, "index build")


def _alter_table(body: Node) -> list[LockUse]:
    if body.get("objtype") not in (None, "OBJECT_TABLE"):
        return []
    out: list[LockUse] = []
    for item in body.get("cmds", []):
        cmd = item.get("AlterTableCmd", {})
        mode, work, refs = _alter_cmd(cmd)
        out += _use(body.get("relation"), mode, work)
        out += [LockUse(r[0], r[1], SHARE_ROW_EXCLUSIVE, "foreign key check") for r in refs]
    return out


def _alter_cmd(cmd: Node) -> tuple[str, str, list[tuple[str, str]]]:
    """(lock, work, referenced tables) of one ALTER TABLE subcommand."""
    subtype = cmd.get("subtype", "")
    if subtype in _SUE_SUBTYPES:
        work = "full scan" if subtype == "AT_ValidateConstraint" else "catalog only"
        return SHARE_UPDATE_EXCLUSIVE, work, []
    if subtype in _SRE_SUBTYPES:
        return SHARE_ROW_EXCLUSIVE, "catalog only", []
    if subtype == "AT_AlterColumnType":
        return ACCESS_EXCLUSIVE, "rewrite unless the change is binary-coercible", []
    if subtype == "AT_SetNotNull":
        return ACCESS_EXCLUSIVE, "full scan", []
    if subtype == "AT_AddColumn":
        column = cmd.get("def", {}).get("ColumnDef", {})
        kinds = {c.get("Constraint", {}).get("contype") for c in column.get("constraints", [])}
        if kinds & {"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"}:
            return ACCESS_EXCLUSIVE, "rewrite if the default is volatile or generated", []
        return ACCESS_EXCLUSIVE, "catalog only", []
    if subtype == "AT_AddConstraint":
        con = cmd.get("def", {}).get("Constraint", {})
        contype = con.get("contype")
        checked = not con.get("skip_validation")
        if contype == "CONSTR_FOREIGN":
            ref = _rel(con.get("pktable"))
            work = "full scan" if checked else "catalog only (NOT VALID)"
            return SHARE_ROW_EXCLUSIVE, work, [ref] if ref else []
        if contype in ("CONSTR_PRIMARY", "CONSTR_UNIQUE", "CONSTR_EXCLUSION"):
            work = "catalog only (USING INDEX)" if con.get("indexname") else "index build"
            return ACCESS_EXCLUSIVE, work, []
        return ACCESS_EXCLUSIVE, "full scan" if checked else "catalog only (NOT VALID)", []
    return ACCESS_EXCLUSIVE, "catalog only", []


def _create_table(body: Node) -> list[LockUse]:
    """A new table locks only the tables its foreign keys reference."""
    out: list[LockUse] = []
    for element in body.get("tableElts", []):
        constraints = [element.get("Constraint")] + [
            c.get("Constraint") for c in element.get("ColumnDef", {}).get("constraints", [])
        ]
        for con in constraints:
            if con and con.get("contype") == "CONSTR_FOREIGN":
                out += _use(con.get("pktable"), SHARE_ROW_EXCLUSIVE, "foreign key added")
    return out


def _drop(body: Node) -> list[LockUse]:
    kind = body.get("removeType")
    out: list[LockUse] = []
    for obj in body.get("objects", []):
        names = [i["String"]["sval"] for i in obj.get("List", {}).get("items", []) if "String" in i]
        if kind == "OBJECT_TABLE" and names:
            schema, table = (names[-2] if len(names) > 1 else "public"), names[-1]
            out.append(LockUse(schema, table, ACCESS_EXCLUSIVE, "drop"))
        elif kind == "OBJECT_INDEX" and names:
            schema = names[-2] if len(names) > 1 else "public"
            mode = SHARE_UPDATE_EXCLUSIVE if body.get("concurrent") else ACCESS_EXCLUSIVE
            # named by the index: the live database says whose table it is
            out.append(LockUse(schema, names[-1], mode, "drop index"))
        elif kind in ("OBJECT_POLICY", "OBJECT_TRIGGER") and len(names) >= 2:
            schema, table = (names[-3] if len(names) > 2 else "public"), names[-2]
            mode = ACCESS_EXCLUSIVE if kind == "OBJECT_POLICY" else SHARE_ROW_EXCLUSIVE
            out.append(LockUse(schema, table, mode, "catalog only"))
    return out


def _rename(body: Node) -> list[LockUse]:
    if body.get("renameType") in ("OBJECT_TABLE", "OBJECT_COLUMN", "OBJECT_TABCONSTRAINT"):
        return _use(body.get("relation"), ACCESS_EXCLUSIVE, "catalog only")
    return []


def _vacuum(body: Node) -> list[LockUse]:
    options = {o.get("DefElem", {}).get("defname") for o in body.get("options", [])}
    if "full" not in options:
        return []
    return [
        u
        for r in body.get("rels", [])
        for u in _use(r.get("VacuumRelation", {}).get("relation"), ACCESS_EXCLUSIVE, "rewrite")
    ]


def _lock(body: Node) -> list[LockUse]:
    mode = _LOCK_MODES.get(body.get("mode", 8), ACCESS_EXCLUSIVE)
    return [
        u for r in body.get("relations", []) for u in _use(r.get("RangeVar"), mode, "explicit lock")
    ]


def _handlers() -> dict[str, Any]:
    def whole(mode: str, work: str) -> Any:
        return lambda body: _use(body.get("relation"), mode, work)

    return {
        "IndexStmt": _index,
        "AlterTableStmt": _alter_table,
        "CreateStmt": _create_table,
        "DropStmt": _drop,
        "CreateTrigStmt": whole(SHARE_ROW_EXCLUSIVE, "catalog only"),
        "CreatePolicyStmt": lambda b: _use(b.get("table"), ACCESS_EXCLUSIVE, "catalog only"),
        "AlterPolicyStmt": lambda b: _use(b.get("table"), ACCESS_EXCLUSIVE, "catalog only"),
        "RenameStmt": _rename,
        "VacuumStmt": _vacuum,
        "TruncateStmt": lambda b: [
            u
            for r in b.get("relations", [])
            for u in _use(r.get("RangeVar"), ACCESS_EXCLUSIVE, "truncate")
        ],
        "UpdateStmt": lambda b: _use(
            b.get("relation"),
            ROW_EXCLUSIVE,
            "row updates" if b.get("whereClause") else "every row updated",
        ),
        "DeleteStmt": lambda b: _use(
            b.get("relation"),
            ROW_EXCLUSIVE,
            "row deletes" if b.get("whereClause") else "every row deleted",
        ),
        "InsertStmt": whole(ROW_EXCLUSIVE, "row inserts"),
        "RefreshMatViewStmt": lambda b: _use(
            b.get("relation"),
            EXCLUSIVE if b.get("concurrent") else ACCESS_EXCLUSIVE,
            "materialized view refresh",
        ),
        "ClusterStmt": whole(ACCESS_EXCLUSIVE, "rewrite"),
        "LockStmt": _lock,
    }


_HANDLERS = _handlers()
