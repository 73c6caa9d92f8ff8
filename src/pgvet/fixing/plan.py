"""One plan for the whole set of schema fixes, before anything runs.

Findings propose their fixes one by one; written side by side they contradict each other
(an index dropped by one fix and created by another), depend on each other (a constraint
``using index`` an index another fix builds), repeat each other (an unindexed foreign key
that is also a tenant column: one index), or collide with what exists (a name taken, a
name PostgreSQL would cut at 63 bytes, PostgreSQL 18's ``<table>_<column>_not_null``).
The plan reconciles them into units (one fix each, the findings it answers), in an order
that runs, and sets aside what cannot be written, with the reason. Whether a unit really
works is then proven on the sandbox (:mod:`pgvet.fixing.prove`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pglast.parser import scan

from pgvet.analysis.sql.parse import statements as parse_statements
from pgvet.findings import Finding
from pgvet.replay.project import split_sql

#: PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently cut
MAX_NAME_BYTES = 63

_CONCURRENTLY = re.compile(r"\bconcurrently\b", re.I)

#: running order: drops free names and write cost, then new indexes (which constraints
#: ``using index`` and foreign keys need), then everything else
DROP, INDEX, OTHER = 0, 1, 2


@dataclass(frozen=True)
class Name:
    """An object a statement creates or drops: ``kind`` is ``relation`` (index, table,
    view: one namespace per schema) or ``constraint`` (one namespace per table)."""

    kind: str
    schema: str
    name: str
    table: str = ""

    def __str__(self) -> str:
        where = f" on {self.schema}.{self.table}" if self.kind == "constraint" else ""
        return f"{self.kind} {self.schema}.{self.name}{where}"


@dataclass
class Unit:
    """One schema fix: its statements, the findings it answers, what it names."""

    statements: tuple[str, ...]
    findings: list[Finding]
    creates: tuple[Name, ...] = ()
    drops: tuple[Name, ...] = ()
    uses: tuple[Name, ...] = ()  # indexes named by ``using index``
    #: set when the unit is not written: why, and PostgreSQL's message when there is one
    dropped: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def concurrent(self) -> bool:
        return any(_CONCURRENTLY.search(s) for s in self.statements)

    @property
    def stage(self) -> int:
        if self.drops and not self.creates:
            return DROP
        if any(c.kind == "relation" for c in self.creates) and self.concurrent:
            return INDEX
        return OTHER

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule for f in self.findings})

    @property
    def sql(self) -> str:
        return "\n".join(self.statements)

    def label(self) -> str:
        first = self.findings[0]
        return f"{first.rule} {first.object}"


@dataclass
class Plan:
    units: list[Unit]  # in running order, the dropped ones included (``dropped`` set)
    advised: list[Finding]

    @property
    def kept(self) -> list[Unit]:
        return [u for u in self.units if u.dropped is None]


@dataclass(frozen=True)
class Existing:
    """Names already taken in the database the fixes will run on."""

    relations: frozenset[tuple[str, str]]
    constraints: frozenset[tuple[str, str, str]]


def read_existing(conn: Any) -> Existing:
    """Every relation name per schema and constraint name per table (PostgreSQL 18's NOT
    NULL constraints included: a fix must not take their names either)."""
    relations = conn.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
    ).fetchall()
    constraints = conn.execute(
        "select n.nspname, c.relname, k.conname from pg_constraint k "
        "join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace"
    ).fetchall()
    return Existing(
        frozenset((s, n) for s, n in relations), frozenset((s, t, n) for s, t, n in constraints)
    )


def build_plan(findings: list[Finding], existing: Existing) -> Plan:
    """Units for the findings' schema fixes, reconciled and ordered; findings with advice
    only are listed as advised."""
    advised = [f for f in findings if f.fix is None and f.advice is not None]
    units = _merge([f for f in findings if f.fix is not None])
    for unit in units:
        _read_names(unit)
    units = _absorb_prefixes(units)
    _check_names(units, existing)
    _reconcile(units)
    ordered = sorted(units, key=lambda u: u.stage)  # stable: findings' order within a stage
    _check_dependencies(ordered)
    return Plan(ordered, advised)


def _merge(findings: list[Finding]) -> list[Unit]:
    """One unit per distinct fix; a fix whose statements another already holds answers
    that one's findings too (the FK index that is also the tenant-column index)."""
    units: dict[tuple[str, ...], Unit] = {}
    planned: dict[str, Unit] = {}
    for finding in findings:
        assert finding.fix is not None
        stmts = tuple(s.text.strip().rstrip(";") + ";" for s in split_sql(finding.fix))
        if not stmts:
            continue
        if stmts in units:
            units[stmts].findings.append(finding)
            continue
        holders = {id(planned[s]): planned[s] for s in stmts if s in planned}
        if len(holders) == 1 and all(s in planned for s in stmts):
            next(iter(holders.values())).findings.append(finding)
            continue
        unit = Unit(stmts, [finding])
        units[stmts] = unit
        for s in stmts:
            planned.setdefault(s, unit)
    return list(units.values())


def _read_names(unit: Unit) -> None:
    creates: list[Name] = []
    drops: list[Name] = []
    uses: list[Name] = []
    for stmt in unit.statements:
        for node in parse_statements(stmt) or ():
            kind, body = next(iter(node.items()))
            if kind == "IndexStmt":
                rel = body.get("relation", {})
                schema = rel.get("schemaname", "public")
                if body.get("idxname"):
                    creates.append(Name("relation", schema, body["idxname"]))
                if len(unit.statements) == 1 and not body.get("unique"):
                    unit.data["index"] = _index_shape(body)
            elif kind == "DropStmt" and body.get("removeType") == "OBJECT_INDEX":
                for obj in body.get("objects", []):
                    parts = [i["String"]["sval"] for i in obj.get("List", {}).get("items", [])]
                    schema, name = (["public", *parts])[-2:]
                    drops.append(Name("relation", schema, name))
            elif kind == "AlterTableStmt":
                rel = body.get("relation", {})
                schema, table = rel.get("schemaname", "public"), rel.get("relname", "")
                for cmd in body.get("cmds", []):
                    sub = cmd.get("AlterTableCmd", {})
                    con = sub.get("def", {}).get("Constraint", {})
                    if sub.get("subtype") == "AT_AddConstraint" and con.get("conname"):
                        creates.append(Name("constraint", schema, con["conname"], table))
                    if con.get("indexname"):
                        uses.append(Name("relation", schema, con["indexname"]))
                    if sub.get("subtype") == "AT_DropConstraint" and sub.get("name"):
                        drops.append(Name("constraint", schema, sub["name"], table))
    unit.creates, unit.drops, unit.uses = tuple(creates), tuple(drops), tuple(uses)


def _key(name: Name) -> tuple[str, ...]:
    return (name.kind, name.schema, name.table, name.name)


def _check_names(units: list[Unit], existing: Existing) -> None:
    """A created name must fit PostgreSQL's 63 bytes (it would be cut, silently, and may
    then clash), must not exist (``if not exists`` would skip the fix, plain CREATE would
    fail), and must be created by one unit only. A name the same unit drops first (drop
    and rebuild of an invalid index) is free."""
    taken: dict[tuple[str, ...], Unit] = {}
    for unit in units:
        freed = {_key(d) for d in unit.drops}
        long = _long_identifier(unit.sql)
        if long is not None:
            unit.dropped = (
                f"the name {long[:40]}… is longer than PostgreSQL's {MAX_NAME_BYTES} bytes "
                "(it would be cut and may clash)"
            )
            continue
        for name in unit.creates:
            if _key(name) not in freed and _exists(name, existing):
                unit.dropped = f"{name} already exists"
            elif _key(name) in taken:
                unit.dropped = f"{name} is also created by the fix of {taken[_key(name)].label()}"
            else:
                taken[_key(name)] = unit
            if unit.dropped:
                break


def _long_identifier(sql: str) -> str | None:
    """An identifier of ``sql`` longer than 63 bytes (the parser has already cut it in
    the tree, so the scanner's tokens are read)."""
    try:
        tokens = scan(sql)
    except Exception:
        return None
    for token in tokens:
        if token.name == "IDENT":
            text = sql[token.start : token.end + 1]
            name = text[1:-1].replace('""', '"') if text.startswith('"') else text.lower()
            if len(name.encode()) > MAX_NAME_BYTES:
                return name
    return None


def _exists(name: Name, existing: Existing) -> bool:
    if name.kind == "relation":
        return (name.schema, name.name) in existing.relations
    return (name.schema, name.table, name.name) in existing.constraints


def _reconcile(units: list[Unit]) -> None:
    """A name one unit drops and another creates: the two contradict each other, neither
    is written."""
    created = {_key(n): u for u in units if u.dropped is None for n in u.creates}
    for unit in units:
        if unit.dropped is not None:
            continue
        for name in unit.drops:
            other = created.get(_key(name))
            if other is not None and other is not unit and other.dropped is None:
                unit.dropped = f"contradicts the fix of {other.label()}, which creates {name}"
                other.dropped = f"contradicts the fix of {unit.label()}, which drops {name}"
                break


def _check_dependencies(units: list[Unit]) -> None:
    """A unit that uses an index another unit creates runs after it (the stages see to
    that) and is not written without it."""
    creator = {_key(n): u for u in units for n in u.creates}
    for position, unit in enumerate(units):
        for name in unit.uses:
            other = creator.get(_key(name))
            if other is None or other is unit:
                continue
            if units.index(other) > position:
                unit.dropped = f"needs {name}, which the fix of {other.label()} creates later"
            elif other.dropped is not None and unit.dropped is None:
                unit.dropped = f"needs {name}, whose fix is not written ({other.dropped})"


def _index_shape(body: dict[str, Any]) -> tuple[Any, ...] | None:
    """``(schema, table, method, keys)`` of an index without predicate or INCLUDE, each
    key ``(column or None for an expression, ordering, opclass)``; None otherwise."""
    if body.get("whereClause") or body.get("indexIncludingParams"):
        return None
    keys = []
    for param in body.get("indexParams", []):
        elem = param.get("IndexElem", {})
        plain = elem.get("ordering") in (None, "SORTBY_DEFAULT") and not elem.get("opclass")
        keys.append((elem.get("name"), plain))
    rel = body.get("relation", {})
    method = body.get("accessMethod", "btree")
    return (rel.get("schemaname", "public"), rel.get("relname"), method, tuple(keys))


def _absorb_prefixes(units: list[Unit]) -> list[Unit]:
    """A new btree index whose columns lead another new one on the same table is not
    built: the wider index serves the same lookups (else redundant-index would flag the
    narrow one right after), and answers its findings."""
    shapes = [(u, u.data.get("index")) for u in units]
    out = []
    for unit, shape in shapes:
        wider = None
        if shape is not None and shape[2] == "btree" and all(k[0] and k[1] for k in shape[3]):
            wider = next(
                (
                    other
                    for other, o in shapes
                    if other is not unit
                    and o is not None
                    and o[:3] == shape[:3]
                    and len(o[3]) > len(shape[3])
                    and o[3][: len(shape[3])] == shape[3]
                ),
                None,
            )
        if wider is None:
            out.append(unit)
        else:
            wider.findings.extend(unit.findings)
    return out
