"""Workload rules: indexes the project's own queries need, read from a workload file.

The catalog says which indexes exist; only the application's queries say which lookups
run. A *workload file* lists them: ``[lint] workload = "path"`` in the configuration
(relative to the project root), else ``workload.sql`` next to the ``supabase/`` folder.
Without a project or without that file the rules here find nothing (the registry's
``requires`` knows only "stats" and "migrations", so the rule checks for itself).

The file holds queries named by ``-- name: <name>`` comment lines (sqlc style; anything
after the name is ignored), or plain ``;``-separated statements, named ``query 1``, ``query
2``... psycopg placeholders (``%(param)s``, ``%s``) become ``$n`` parameters before the
text is parsed with PostgreSQL's parser; a ``-- params: {json}`` line is only a comment
here. A query that does not parse is skipped.

For each SELECT (at any depth: sub-selects, CTEs, ``exists``, lateral joins, the SELECT of
an INSERT) and the WHERE of each UPDATE and DELETE, every table in FROM is given what the
query asks of it:

* equality columns: ``col = <value>``, ``col in (...)``, ``col = any(...)``, ``col in
  (select ...)``, where a value is a parameter, a constant, a function of those or a
  column of an outer query (a correlated sub-select runs once per outer row);
* join columns: ``a.x = b.y`` makes ``y`` an equality column of ``b`` when ``a`` is
  filtered itself (or reached that way), following the joins one table at a time, the
  one with the most join columns first; a LEFT JOIN is only followed towards its
  nullable side;
* trailing columns: a range (``<``, ``>=``, ``between``), the ORDER BY or GROUP BY (when
  all their columns are this table's), and other filters (``<>``, ``not in``).

Columns of CTEs, sub-selects and function results cannot be checked against an index and
are skipped; a table reached only through them counts as filtered.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pgvet.analysis import exprs
from pgvet.analysis.indexing import (
    ROW_TABLE_KINDS,
    candidate_indexes,
    serves_columns,
    serving_index,
)
from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog, Index, Table
from pgvet.errors import InputError
from pgvet.replay.project import split_sql

Node = dict[str, Any]

DEFAULT_WORKLOAD = "workload.sql"

#: on a live database, a table the planner estimates below this many rows is read whole
#: faster than through an index: its lookups are not reported
SMALL_TABLE_ROWS = 1000

#: equality columns beyond this many are ignored (the subsets of the rest are checked)
MAX_EQUALITY_COLUMNS = 8

#: at most this many ORDER BY keys go into a proposed index
MAX_SORT_KEYS = 3

_NAME_LINE = re.compile(r"^[ \t]*--[ \t]*name:[ \t]*(\S+).*$", re.M)

_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s|%s")


@dataclass(frozen=True)
class WorkloadQuery:
    """One query of the workload: its name, its SQL (placeholders already ``$n``) and the
    1-based line of the workload file it starts on."""

    name: str
    sql: str
    line: int = 1


def bind_placeholders(sql: str) -> str:
    """``sql`` with psycopg placeholders turned into ``$n`` parameters: each distinct
    ``%(name)s`` gets one number, each ``%s`` the next one, ``%%`` becomes ``%``."""
    numbers: dict[str, int] = {}
    count = itertools.count(1)

    def replace_one(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        name = match.group(1)
        if name is None:
            return f"${next(count)}"
        if name not in numbers:
            numbers[name] = next(count)
        return f"${numbers[name]}"

    return _PLACEHOLDER.sub(replace_one, sql)


def parse_workload(text: str) -> list[WorkloadQuery]:
    """The queries of a workload file: split at ``-- name:`` lines, or, when there are
    none, at ``;`` (``query 1``, ``query 2``...)."""
    marks = list(_NAME_LINE.finditer(text))
    if marks:
        out = []
        for mark, following in itertools.zip_longest(marks, marks[1:]):
            end = following.start() if following is not None else len(text)
            body = text[mark.end() : end]
            line = text.count("\n", 0, mark.start()) + 2
            out.append(WorkloadQuery(mark.group(1), bind_placeholders(body), line))
        return out
    return [
        WorkloadQuery(f"query {n}", bind_placeholders(stmt.text), stmt.line)
        for n, stmt in enumerate(split_sql(text, DEFAULT_WORKLOAD), start=1)
    ]


def read_workload(path: Path) -> list[WorkloadQuery]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the workload file: {exc}") from exc
    return parse_workload(text)


@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool = False
    nulls_first: bool | None = None  # None: the default for the direction

    @property
    def sql(self) -> str:
        text = ident(self.column) + (" desc" if self.descending else "")
        if self.nulls_first is not None and self.nulls_first != self.descending:
            text += " nulls first" if self.nulls_first else " nulls last"
        return text


@dataclass
class Need:
    """What one query asks of one table occurrence."""

    schema: str
    table: str
    query: str
    equality: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)  # the equality columns that come from joins
    ranges: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    order: list[SortKey] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    facts: list[object] = field(default_factory=list)  # its own conjuncts, for partial indexes

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.table)

    def add(self, bucket: list[str], column: str) -> None:
        if column not in bucket:
            bucket.append(column)


@dataclass
class _Rel:
    alias: str
    table: Table | None  # None: a CTE, sub-select, function or table outside the catalog
    aliased: bool
    need: Need | None = None


@dataclass(frozen=True)
class _Qual:
    node: Any
    filters: frozenset[int] | None  # rels a filter may apply to (None: all)
    directions: frozenset[tuple[int, int]] | None  # allowed (from, to) join steps (None: all)


def _names(fields: Iterable[Node]) -> list[str]:
    return [f["String"]["sval"] for f in fields if "String" in f]


def _kind(node: Any) -> tuple[str, Node] | None:
    if isinstance(node, dict) and len(node) == 1:
        name, body = next(iter(node.items()))
        if name[:1].isupper() and isinstance(body, dict):
            return name, body
    return None


def _conjuncts(node: Any) -> list[Any]:
    kind = _kind(node)
    if kind is not None and kind[0] == "BoolExpr" and kind[1].get("boolop") == "AND_EXPR":
        return [c for arg in kind[1].get("args", []) for c in _conjuncts(arg)]
    return [node] if node else []


class _Level:
    """One SELECT, UPDATE or DELETE: its FROM relations and its conditions."""

    def __init__(self, analysis: _Analysis, body: Node, kind: str) -> None:
        self.analysis = analysis
        self.rels: list[_Rel] = []
        self.quals: list[_Qual] = []
        self.steps: list[tuple[int, int, str]] = []  # (from rel, to rel, column of to)
        if kind == "SelectStmt":
            for item in body.get("fromClause", []):
                self._from_item(item)
        else:
            self._from_item({"RangeVar": body["relation"]})
            extra = "fromClause" if kind == "UpdateStmt" else "usingClause"
            for item in body.get(extra, []):
                self._from_item(item)
        if body.get("whereClause"):
            self.quals.append(_Qual(body["whereClause"], None, None))

    # -- FROM --

    def _from_item(self, item: Any) -> list[int]:
        kind = _kind(item)
        if kind is None:
            return []
        name, body = kind
        alias = (body.get("alias") or {}).get("aliasname")
        if name == "JoinExpr":
            left = self._from_item(body.get("larg"))
            right = self._from_item(body.get("rarg"))
            jointype = body.get("jointype", "JOIN_INNER")
            filters: frozenset[int] | None = None
            directions: frozenset[tuple[int, int]] | None = None
            if jointype == "JOIN_LEFT":
                filters = frozenset(right)
                directions = frozenset(itertools.product(left, right))
            elif jointype == "JOIN_RIGHT":
                filters = frozenset(left)
                directions = frozenset(itertools.product(right, left))
            elif jointype != "JOIN_INNER":
                filters, directions = frozenset(), frozenset()
            if body.get("quals"):
                self.quals.append(_Qual(body["quals"], filters, directions))
            for column in _names(body.get("usingClause", [])):
                self._using(column, left, right, directions)
            return left + right
        table = None
        if name == "RangeVar":
            relname = body.get("relname", "")
            schema = body.get("schemaname")
            if not (schema is None and relname in self.analysis.ctes):
                table = self.analysis.lookup(schema, relname, self.analysis.search_path)
            if table is not None and (table.kind not in ROW_TABLE_KINDS or table.extension):
                table = None  # a view or an extension's table: nothing to index here
            self.rels.append(_Rel(alias or relname, table, aliased=alias is not None))
        else:
            self.rels.append(_Rel(alias or "", None, aliased=True))
        return [len(self.rels) - 1]

    def _using(
        self,
        column: str,
        left: list[int],
        right: list[int],
        directions: frozenset[tuple[int, int]] | None,
    ) -> None:
        """``join ... using (col)``: a join step when one relation on each side has it."""

        def having(side: list[int]) -> list[int]:
            return [i for i in side if (t := self.rels[i].table) and t.column(column)]

        lefts, rights = having(left), having(right)
        if len(lefts) == 1 and len(rights) == 1:
            a, b = lefts[0], rights[0]
            for src, dst in ((a, b), (b, a)):
                if directions is None or (src, dst) in directions:
                    self.steps.append((src, dst, column))

    # -- column references --

    def locate(self, node: Any) -> tuple[str, int | None, str | None]:
        """``("local", rel, column)`` for a bare column of this level (rel's table None
        when its columns are unknown), ``("value", None, None)`` for a column of an outer
        query, ``("unknown", None, None)`` when it cannot be told."""
        ref = exprs.column_ref(node)
        if ref is None:
            return ("unknown", None, None)
        fields = ref.get("fields", [])
        if any("A_Star" in f for f in fields):
            return ("unknown", None, None)
        names = _names(fields)
        if len(names) == 2:
            for i, rel in enumerate(self.rels):
                if rel.alias == names[0]:
                    if rel.table is not None and rel.table.column(names[1]) is None:
                        return ("unknown", None, None)
                    return ("local", i, names[1])
            return ("value", None, None)
        if len(names) == 3:
            for i, rel in enumerate(self.rels):
                t = rel.table
                if not rel.aliased and t is not None and (t.schema, t.name) == tuple(names[:2]):
                    return ("local", i, names[2]) if t.column(names[2]) else ("unknown", None, None)
            return ("value", None, None)
        if len(names) != 1:
            return ("unknown", None, None)
        found = self.analysis.resolution.refs.get(id(ref))
        if found is not None:
            matches = [
                i
                for i, rel in enumerate(self.rels)
                if rel.table is not None and (rel.table.schema, rel.table.name) == found[:2]
            ]
            if len(matches) == 1:
                return ("local", matches[0], found[2])
            return ("value", None, None) if not matches else ("unknown", None, None)
        if any(rel.table is None for rel in self.rels):
            return ("unknown", None, None)
        return ("value", None, None)

    def is_value(self, node: Any) -> bool:
        """No column of this level in ``node`` (outside its sub-selects): a parameter, a
        constant, a function of those or an outer query's column."""
        if node is None:
            return False
        inner = {
            id(body)
            for kind, sub in exprs.walk(node)
            if kind == "SubLink"
            for kind2, body in exprs.walk(sub)
            if kind2 == "ColumnRef"
        }
        for kind, body in exprs.walk(node):
            if (
                kind == "ColumnRef"
                and id(body) not in inner
                and self.locate({"ColumnRef": body})[0] != "value"
            ):
                return False
        return True


_RANGE_OPS = {"<", "<=", ">", ">="}

_OTHER_OPS = {"<>", "!="}


def _canon(node: Any) -> str:
    return exprs.canonical(node)


def _fact(node: Any) -> object:
    """A comparable form of a condition, for matching a partial index's predicate:
    ``col = 'a'``, ``col in ('a', 'b')`` and ``col = any(array['a', 'b'])`` become
    ``("in", col, {values})``; anything else its canonical text."""
    kind = _kind(node)
    if kind is not None and kind[0] == "A_Expr":
        body = kind[1]
        op = "".join(_names(body.get("name", [])))
        lref, rexpr = exprs.column_ref(body.get("lexpr")), body.get("rexpr")
        rkind = _kind(rexpr)
        values: list[Any] | None = None
        if lref is not None and op == "=":
            if body.get("kind") == "AEXPR_OP":
                values = [rexpr]
            elif body.get("kind") == "AEXPR_IN" and rkind and rkind[0] == "List":
                values = rkind[1].get("items", [])
            elif body.get("kind") == "AEXPR_OP_ANY" and rkind and rkind[0] == "A_ArrayExpr":
                values = rkind[1].get("elements", [])
        if values is not None and all(_constant(v) for v in values):
            column = _names(lref.get("fields", []))[-1:]  # type: ignore[union-attr]
            return ("in", tuple(column), frozenset(_canon(v) for v in values))
    return ("expr", _canon(node))


def _constant(node: Any) -> bool:
    dynamic = {"FuncCall", "SubLink", "ColumnRef", "ParamRef", "SQLValueFunction"}
    return not any(kind in dynamic for kind, _ in exprs.walk(node))


def _implies(facts: Sequence[object], predicate: str) -> bool:
    """Whether a query's conditions imply a partial index's predicate (each of its
    conjuncts appears among the query's, an ``in`` list may be narrower)."""
    trees = exprs.parse_statements(f"select 1 where {predicate}")
    if not trees:
        return False
    where = trees[0]["SelectStmt"].get("whereClause")
    for conjunct in _conjuncts(where):
        wanted = _fact(conjunct)
        if wanted in facts:
            continue
        if (
            isinstance(wanted, tuple)
            and wanted[0] == "in"
            and any(
                isinstance(f, tuple) and f[0] == "in" and f[1] == wanted[1] and f[2] <= wanted[2]
                for f in facts
            )
        ):
            continue
        return False
    return True


@dataclass
class _Analysis:
    """The analysis of one workload query."""

    catalog: Catalog
    query: str
    tree: list[Node]
    search_path: tuple[str, ...] = ("public",)
    ctes: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.lookup = exprs.catalog_lookup(self.catalog)
        self.resolution = exprs.resolve(self.tree, self.lookup, self.search_path)
        self.ctes = {
            body.get("ctename", "")
            for kind, body in exprs.walk(self.tree)
            if kind == "CommonTableExpr"
        }

    def needs(self) -> list[Need]:
        out: list[Need] = []
        for kind, body in exprs.walk(self.tree):
            if kind in ("SelectStmt", "UpdateStmt", "DeleteStmt"):
                if kind == "SelectStmt" and body.get("op", "SETOP_NONE") != "SETOP_NONE":
                    continue  # a UNION's branches are SELECTs of their own
                out += self._level_needs(_Level(self, body, kind), body, kind)
        return out

    def _level_needs(self, level: _Level, body: Node, kind: str) -> list[Need]:
        for rel in level.rels:
            if rel.table is not None:
                rel.need = Need(rel.table.schema, rel.table.name, self.query)
        for qual in level.quals:
            for conjunct in _conjuncts(qual.node):
                self._classify(level, conjunct, qual)
        self._follow_joins(level)
        if kind == "SelectStmt":
            self._ordering(level, body)
        return [
            rel.need
            for rel in level.rels
            if rel.need is not None and (rel.need.equality or rel.need.ranges)
        ]

    # -- conditions --

    def _classify(self, level: _Level, node: Any, qual: _Qual) -> None:
        kind = _kind(node)
        if kind is None:
            return
        name, body = kind
        if name == "SubLink":
            op = "".join(_names(body.get("operName", []))) or "="
            if body.get("subLinkType") == "ANY_SUBLINK" and op == "=":
                self._filter(level, body.get("testexpr"), "equality", qual, node)
            return
        if name != "A_Expr":
            self._remember(level, node, qual)
            return
        op = "".join(_names(body.get("name", [])))
        lexpr, rexpr, akind = body.get("lexpr"), body.get("rexpr"), body.get("kind")
        if akind == "AEXPR_OP" and (op == "=" or op in _RANGE_OPS or op in _OTHER_OPS):
            bucket = "equality" if op == "=" else "ranges" if op in _RANGE_OPS else "others"
            if bucket == "equality" and self._join(level, lexpr, rexpr, qual):
                return
            for column_side, other in ((lexpr, rexpr), (rexpr, lexpr)):
                if level.is_value(other):
                    self._filter(level, column_side, bucket, qual, node)
        elif akind in ("AEXPR_IN", "AEXPR_OP_ANY", "AEXPR_OP_ALL"):
            bucket = "equality" if op == "=" and akind != "AEXPR_OP_ALL" else "others"
            if op in ("=", "<>") and level.is_value(rexpr):
                self._filter(level, lexpr, bucket, qual, node)
        elif akind in ("AEXPR_BETWEEN", "AEXPR_BETWEEN_SYM") and level.is_value(rexpr):
            self._filter(level, lexpr, "ranges", qual, node)
        else:
            self._remember(level, node, qual)

    def _filter(self, level: _Level, side: Any, bucket: str, qual: _Qual, node: Any) -> None:
        where, index, column = level.locate(side)
        if where != "local" or index is None or column is None:
            return
        need = level.rels[index].need
        if need is None or (qual.filters is not None and index not in qual.filters):
            return
        need.add(getattr(need, bucket), column)
        need.facts.append(_fact(node))

    def _remember(self, level: _Level, node: Any, qual: _Qual) -> None:
        """A condition that is no lookup (``deleted_at is null``, ``not is_archived``) may
        still be what a partial index's predicate requires."""
        rels = {
            level.locate({"ColumnRef": body})[1]
            for kind, body in exprs.walk(node)
            if kind == "ColumnRef"
        }
        if len(rels) == 1:
            index = next(iter(rels))
            if index is not None and (qual.filters is None or index in qual.filters):
                need = level.rels[index].need
                if need is not None:
                    need.facts.append(_fact(node))

    def _join(self, level: _Level, lexpr: Any, rexpr: Any, qual: _Qual) -> bool:
        """``a.x = b.y`` between two relations of this level: a join step each way."""
        left, right = level.locate(lexpr), level.locate(rexpr)
        if left[0] != "local" or right[0] != "local" or left[1] == right[1]:
            return left[0] == "local" and right[0] == "local"
        (_, a, x), (_, b, y) = left, right
        assert a is not None and b is not None and x is not None and y is not None
        for src, dst, column in ((a, b, y), (b, a, x)):
            if qual.directions is None or (src, dst) in qual.directions:
                level.steps.append((src, dst, column))
        return True

    def _follow_joins(self, level: _Level) -> None:
        """Join columns become equality columns of the tables reached from filtered ones,
        one table at a time (the one with the most join columns from those first)."""
        steps = level.steps
        reached = {
            i
            for i, rel in enumerate(level.rels)
            if rel.table is None or (rel.need and (rel.need.equality or rel.need.ranges))
        }
        while True:
            offers: dict[int, list[str]] = {}
            for src, dst, column in steps:
                need = level.rels[dst].need
                if src in reached and dst not in reached and need is not None:
                    offered = offers.setdefault(dst, [])
                    if column not in offered:
                        offered.append(column)
            if not offers:
                return
            dst = max(offers, key=lambda i: (len(offers[i]), -i))
            need = level.rels[dst].need
            assert need is not None
            for column in offers[dst]:
                need.add(need.equality, column)
                need.add(need.joined, column)
            reached.add(dst)

    def _ordering(self, level: _Level, body: Node) -> None:
        """ORDER BY and GROUP BY that are wholly one table's columns."""
        keys: list[tuple[int, SortKey]] = []
        for item in body.get("sortClause", []):
            sort = item.get("SortBy", {})
            where, index, column = level.locate(sort.get("node"))
            if where != "local" or index is None or column is None:
                keys = []
                break
            nulls = sort.get("sortby_nulls", "SORTBY_NULLS_DEFAULT")
            keys.append(
                (
                    index,
                    SortKey(
                        column,
                        sort.get("sortby_dir") == "SORTBY_DESC",
                        None if nulls == "SORTBY_NULLS_DEFAULT" else nulls == "SORTBY_NULLS_FIRST",
                    ),
                )
            )
        if keys and len({i for i, _ in keys}) == 1:
            need = level.rels[keys[0][0]].need
            if need is not None:
                need.order = [k for _, k in keys]
        groups = [level.locate(item) for item in body.get("groupClause", [])]
        owners = {g[1] for g in groups if g[0] == "local" and g[2]}
        if groups and len(owners) == 1 and all(g[0] == "local" and g[2] for g in groups):
            owner = next(iter(owners))
            need = level.rels[owner].need if owner is not None else None
            if need is not None:
                need.group = [g[2] for g in groups if g[2]]


def query_needs(catalog: Catalog, query: WorkloadQuery) -> list[Need]:
    """What ``query`` asks of each catalog table it reads (empty if it does not parse)."""
    trees = exprs.parse_statements(query.sql)
    if not trees:
        return []
    return _Analysis(catalog, query.name, trees).needs()


def usable_index(index: Index, need: Need) -> Index | None:
    """``index`` as a lookup can use it: valid; a partial one only when the query's own
    conditions imply its predicate (then it is checked as if it were whole)."""
    if not index.valid:
        return None
    if index.predicate is None:
        return index
    return replace(index, predicate=None) if _implies(need.facts, index.predicate) else None


def serving(catalog: Catalog, table: Table, need: Need, tenants: Sequence[str]) -> Index | None:
    """The index that serves ``need``, or None.

    With equality columns: an index that :func:`serving_index` accepts for some of them,
    in any order, as long as those include a column that is not a tenant column (an index
    that stops at ``clinic_id`` still reads the whole clinic), or all of them when they
    are only tenant columns. A primary or unique key among them always serves. A partial
    index serves when the query's conditions imply its predicate. With only a range: a
    btree whose first key is the range column."""
    equality = need.equality[:MAX_EQUALITY_COLUMNS]
    selective = [c for c in equality if c not in tenants]
    implied = [
        replace(i, predicate=None)
        for i in candidate_indexes(catalog, table)
        if i.valid and i.predicate is not None and _implies(need.facts, i.predicate)
    ]
    if not equality:
        return next(
            (
                i
                for i in candidate_indexes(catalog, table)
                if (usable := usable_index(i, need)) is not None
                and usable.method == "btree"
                and usable.columns[0] in need.ranges
            ),
            None,
        )
    for size in range(1, len(equality) + 1):
        for columns in itertools.combinations(equality, size):
            if selective and not set(columns) & set(selective):
                continue
            if not selective and size < len(equality):
                continue
            found = serving_index(catalog, table.schema, table.name, columns)
            if found is None:
                found = next((i for i in implied if serves_columns(i, columns)), None)
            if found is not None:
                return found
    return None
