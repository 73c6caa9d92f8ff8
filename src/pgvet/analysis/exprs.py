"""Expression analysis for index advice: which table columns a query really filters on.

The index rules need to know three things that only the SQL text of views, functions and
policies says: which columns an RLS policy compares (``user_id = auth.uid()``, ``clinic_id
in (select ...)``), which JSONB columns are searched with the operators a GIN index serves
(``@>``, ``?``, ``?|``, ``?&``, ``@?``; ``<@`` with the column on the right), and which
full-text searches (``@@``) run on a ``tsvector`` column or a ``to_tsvector(...)``
expression.

Every text is parsed with pglast (PostgreSQL's own parser) and each column reference is
resolved to the table it belongs to, scope by scope, as PostgreSQL would: a qualified
reference through the aliases in FROM, an unqualified one to the only relation in the
nearest scope that has such a column. Anything ambiguous (a derived table, a CTE, a table
outside the catalog in the same scope) stays unresolved: a rule should rather miss a
column than recommend an index on the wrong table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pglast
from pglast import parser as pg_parser
from pglast import visitors
from pglast.keywords import COL_NAME_KEYWORDS
from pglast.printers import get_special_function
from pglast.stream import RawStream, maybe_double_quote_name

from pgvet.analysis import policy_graph
from pgvet.analysis.sql.parse import fresh_statements, nodes, plpgsql, statements
from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog, Function, Policy, Table, View

Node = dict[str, Any]
ColumnKey = tuple[str, str, str]
"""``(schema, table, column)``."""

TableLookup = Callable[[str | None, str, tuple[str, ...]], Table | None]
"""``(schema or None, name, search_path) -> Table | None``."""

#: operators a GIN ``jsonb_ops`` index serves with the column on the left
JSONB_GIN_OPERATORS = frozenset({"@>", "?", "?|", "?&", "@?"})
#: the subset ``jsonb_path_ops`` serves (smaller, faster index)
JSONB_PATH_OPERATORS = frozenset({"@>", "@?"})


# --- where the SQL comes from ------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """An object whose SQL was analysed: ``kind`` is view, function or policy.

    ``key`` is the catalog origin key of the object, so a finding can point at it;
    ``label`` is how a message names it (``view public.v``, ``policy "p" on public.t``).
    """

    kind: str
    key: tuple[str, str, str]
    label: str


@dataclass(frozen=True)
class ColumnUse:
    """A column of a table compared by ``operator`` in ``source``."""

    schema: str
    table: str
    column: str
    operator: str
    source: Source


@dataclass(frozen=True)
class FtsUse:
    """A full-text match (``@@``) on a table: on a column (``column`` set) or on a
    ``to_tsvector`` expression (``expression`` is its SQL with bare column names,
    ``canonical`` its comparable form, ``columns`` the columns it reads)."""

    schema: str
    table: str
    source: Source
    column: str | None = None
    expression: str | None = None
    canonical: str | None = None
    columns: tuple[str, ...] = ()
    indexable: bool = True  # False for one-argument to_tsvector (not immutable)


# --- parsing -----------------------------------------------------------------------------------


def parse_statements(sql: str) -> list[Node]:
    """Fresh parse trees (JSON form) of ``sql``; empty if it does not parse (callers key
    facts on ``id(node)``, so every call gets new trees)."""
    return fresh_statements(sql) or []


def _names(items: Iterable[Node]) -> list[str]:
    return [i["String"]["sval"] for i in items if "String" in i]


def _kind(node: Any) -> tuple[str, Any] | None:
    if isinstance(node, dict) and len(node) == 1:
        key, body = next(iter(node.items()))
        if key[:1].isupper() and isinstance(body, dict):
            return key, body
    return None


def walk(node: Any) -> Iterator[tuple[str, Node]]:
    """Every ``(NodeType, body)`` in a JSON parse tree, depth first."""
    stack = [node]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        if isinstance(item, list):
            push(reversed(item))
        elif isinstance(item, dict):
            if len(item) == 1:  # _kind, inlined: this loop runs for every node of every tree
                for key, body in item.items():
                    if isinstance(body, dict) and key[:1].isupper():
                        yield key, body
                        item = body
            push([v for v in reversed(item.values()) if isinstance(v, dict | list)])


# --- scopes and column resolution --------------------------------------------------------------


@dataclass
class _Rel:
    alias: str
    table: Table | None  # None: columns unknown (CTE, subquery, function, outside catalog)
    aliased: bool = False


@dataclass
class Resolution:
    """Column references of one parse tree resolved to ``(schema, table, column)``,
    keyed by ``id()`` of the ColumnRef body."""

    refs: dict[int, ColumnKey] = field(default_factory=dict)

    def of(self, node: Any) -> ColumnKey | None:
        """The column a (possibly cast) ColumnRef node resolves to, or None."""
        ref = column_ref(node)
        return self.refs.get(id(ref)) if ref is not None else None


def column_ref(node: Any) -> Node | None:
    """The ColumnRef body of ``node`` (unwrapping no casts), or None."""
    kind = _kind(node)
    if kind and kind[0] == "ColumnRef":
        return kind[1]
    return None


class _Resolver:
    """Walks a parse tree with a stack of FROM scopes, resolving every ColumnRef."""

    def __init__(self, lookup: TableLookup, search_path: tuple[str, ...]) -> None:
        self.lookup = lookup
        self.search_path = search_path
        self.result = Resolution()
        self.ctes: set[str] = set()

    # -- entry points --

    def visit(self, node: Any, scopes: list[list[_Rel]]) -> None:
        if isinstance(node, list):
            for item in node:
                if isinstance(item, dict | list):
                    self.visit(item, scopes)
            return
        if not isinstance(node, dict):
            return
        if len(node) == 1:  # _kind, inlined (hot: every node of every analysed tree)
            for name, body in node.items():
                if isinstance(body, dict) and name[:1].isupper():
                    handler = _HANDLERS.get(name)
                    if handler is not None:
                        handler(self, body, scopes)
                        return
                    node = body
        for value in node.values():
            if isinstance(value, dict | list):
                self.visit(value, scopes)

    # -- statements --

    def _with(self, body: Node, scopes: list[list[_Rel]]) -> None:
        with_clause = body.get("withClause")
        if not with_clause:
            return
        for cte in with_clause.get("WithClause", with_clause).get("ctes", []):
            cte_body = cte.get("CommonTableExpr", {})
            self.ctes.add(cte_body.get("ctename", ""))
            self.visit(cte_body.get("ctequery"), scopes)

    def _visit_SelectStmt(self, body: Node, scopes: list[list[_Rel]]) -> None:
        self._with(body, scopes)
        for side in ("larg", "rarg"):
            if body.get(side):
                self._visit_SelectStmt(body[side], scopes)
        self.visit(body.get("valuesLists"), scopes)
        level: list[_Rel] = []
        later: list[Any] = []
        for item in body.get("fromClause", []):
            self._from_item(item, scopes, level, later)
        inner = [*scopes, level]
        for key in (
            "targetList",
            "whereClause",
            "groupClause",
            "havingClause",
            "sortClause",
            "windowClause",
            "distinctClause",
            "limitCount",
            "limitOffset",
        ):
            self.visit(body.get(key), inner)
        self.visit(later, inner)

    def _visit_UpdateStmt(self, body: Node, scopes: list[list[_Rel]]) -> None:
        self._with(body, scopes)
        level: list[_Rel] = []
        later: list[Any] = []
        self._from_item({"RangeVar": body["relation"]}, scopes, level, later)
        for item in body.get("fromClause", []):
            self._from_item(item, scopes, level, later)
        inner = [*scopes, level]
        self.visit(
            [body.get("targetList"), body.get("whereClause"), body.get("returningList")], inner
        )
        self.visit(later, inner)

    def _visit_DeleteStmt(self, body: Node, scopes: list[list[_Rel]]) -> None:
        self._with(body, scopes)
        level: list[_Rel] = []
        later: list[Any] = []
        self._from_item({"RangeVar": body["relation"]}, scopes, level, later)
        for item in body.get("usingClause", []):
            self._from_item(item, scopes, level, later)
        inner = [*scopes, level]
        self.visit([body.get("whereClause"), body.get("returningList")], inner)
        self.visit(later, inner)

    def _visit_InsertStmt(self, body: Node, scopes: list[list[_Rel]]) -> None:
        self._with(body, scopes)
        self.visit(body.get("selectStmt"), scopes)
        level: list[_Rel] = []
        self._from_item({"RangeVar": body["relation"]}, scopes, level, [])
        if level:
            level.append(_Rel("excluded", level[0].table, aliased=True))
        inner = [*scopes, level]
        self.visit([body.get("onConflictClause"), body.get("returningList")], inner)

    # -- FROM items --

    def _from_item(
        self, item: Any, scopes: list[list[_Rel]], level: list[_Rel], later: list[Any]
    ) -> None:
        kind = _kind(item)
        if kind is None:
            return
        name, body = kind
        alias = (body.get("alias") or {}).get("aliasname")
        if name == "RangeVar":
            relname = body.get("relname", "")
            schema = body.get("schemaname")
            table = None
            if not (schema is None and relname in self.ctes):
                table = self.lookup(schema, relname, self.search_path)
            level.append(_Rel(alias or relname, table, aliased=alias is not None))
        elif name == "JoinExpr":
            self._from_item(body.get("larg"), scopes, level, later)
            self._from_item(body.get("rarg"), scopes, level, later)
            later.append(body.get("quals"))
        elif name == "RangeSubselect":
            outer = [*scopes, list(level)] if body.get("lateral") else scopes
            self.visit(body.get("subquery"), outer)
            level.append(_Rel(alias or "", None, aliased=True))
        elif name == "RangeFunction":
            self.visit(body.get("functions"), [*scopes, list(level)])
            level.append(_Rel(alias or "", None, aliased=True))
        else:
            self.visit(body, scopes)
            level.append(_Rel(alias or "", None, aliased=True))

    # -- column references --

    def _visit_ColumnRef(self, body: Node, scopes: list[list[_Rel]]) -> None:
        fields = body.get("fields", [])
        if any("A_Star" in f for f in fields):
            return
        names = _names(fields)
        found = self._resolve(names, scopes)
        if found is not None:
            self.result.refs[id(body)] = found

    def _resolve(self, names: list[str], scopes: list[list[_Rel]]) -> ColumnKey | None:
        if len(names) == 1:
            return self._resolve_bare(names[0], scopes)
        if len(names) in (2, 3):
            column = names[-1]
            for level in reversed(scopes):
                for rel in level:
                    if self._matches(rel, names[:-1]):
                        table = rel.table
                        if table is not None and table.column(column) is not None:
                            return (table.schema, table.name, column)
                        return None
        return None

    @staticmethod
    def _matches(rel: _Rel, qualifier: list[str]) -> bool:
        if len(qualifier) == 1:
            return rel.alias == qualifier[0]
        table = rel.table
        return (
            not rel.aliased
            and table is not None
            and (table.schema, table.name) == (qualifier[0], qualifier[1])
        )

    @staticmethod
    def _resolve_bare(column: str, scopes: list[list[_Rel]]) -> ColumnKey | None:
        for level in reversed(scopes):
            having = [r.table for r in level if r.table is not None and r.table.column(column)]
            unknown = any(r.table is None for r in level)
            if len(having) == 1 and not unknown:
                table = having[0]
                return (table.schema, table.name, column)
            if having or unknown:
                return None
        return None


_HANDLERS: dict[str, Callable[[_Resolver, Node, list[list[_Rel]]], None]] = {
    name.removeprefix("_visit_"): fn
    for name, fn in vars(_Resolver).items()
    if name.startswith("_visit_") and name != "_visit_"
}
"""``_visit_<NodeType>`` methods by node type."""


def resolve(
    tree: Any,
    lookup: TableLookup,
    search_path: tuple[str, ...] = ("public",),
    outer: Table | None = None,
) -> Resolution:
    """Resolve every column reference of ``tree``; ``outer`` is a table in scope around it
    (the policy's table)."""
    resolver = _Resolver(lookup, search_path)
    scopes = [[_Rel(outer.name, outer)]] if outer is not None else []
    resolver.visit(tree, scopes)
    return resolver.result


def catalog_lookup(catalog: Catalog) -> TableLookup:
    """A :data:`TableLookup` over the catalog's tables and views."""

    def lookup(schema: str | None, name: str, search_path: tuple[str, ...]) -> Table | None:
        if schema is not None:
            return catalog.find_table(schema, name)
        for candidate in search_path:
            table = catalog.find_table(candidate, name)
            if table is not None:
                return table
        return None

    return lookup


def search_path_list(setting: str | None) -> tuple[str, ...]:
    """A function's pinned ``search_path`` as a list of schemas (``public`` when unset)."""
    if setting is None:
        return ("public",)
    parts = [p.strip().strip('"') for p in setting.split(",")]
    return tuple(p for p in parts if p and p != "$user") or ("public",)


# --- the SQL each object runs ------------------------------------------------------------------

_ASSIGN = re.compile(r"^\s*[\w.\"\[\]$]+\s*(?::=|=)\s*", re.S)
_STARTS_SQL = re.compile(r"\b(select|with|update|delete|insert)\b", re.I)


_DOTTED_TYPE = re.compile(r'(?:[\w"]+\.)+[\w"]+')
_DECLARE = re.compile(r"(?is)\bdeclare\b(.*?)\bbegin\b")
_DECL_TYPE = re.compile(
    r"(?im)((?:^|;|\bdeclare\b)\s*\w+\s+(?:constant\s+)?)"
    r'((?:[\w"]+\.)+[\w"]+(?:\[\])?(%rowtype|%type)?|[\w"]+(%rowtype|%type))'
)


def _neutral_declarations(body: str) -> str:
    """``body`` with schema-qualified and ``%type`` declarations typed ``text`` (``record``
    for ``%rowtype``): libpg_query's plpgsql parser only resolves pg_catalog and public
    types, and the types do not matter for finding the embedded SQL."""

    def retype(match: re.Match[str]) -> str:
        rowtype = (match.group(3) or match.group(4) or "").lower() == "%rowtype"
        return match.group(1) + ("record" if rowtype else "text")

    def section(match: re.Match[str]) -> str:
        return match.group(0).replace(match.group(1), _DECL_TYPE.sub(retype, match.group(1)))

    return _DECLARE.sub(section, body)


def _plpgsql_queries(fn: Function) -> list[str] | None:
    """SQL statements embedded in a plpgsql body, or None when the body does not parse."""
    args = _DOTTED_TYPE.sub("text", fn.identity_args)
    body = _neutral_declarations(fn.body)
    results = [_DOTTED_TYPE.sub("text", fn.result or "void"), "void", "setof record"]
    for result in dict.fromkeys(results):
        wrapper = (
            f"create function pgvet_probe({args}) returns {result} "
            f"language plpgsql as $pgvet_body${body}$pgvet_body$"
        )
        tree = plpgsql(wrapper)
        if tree is None:
            continue
        out: list[str] = []
        for expr in _plpgsql_exprs(tree):
            query, mode = expr.get("query", ""), expr.get("parseMode", 0)
            if mode == 0:
                out.append(query)
            elif mode == 2:
                out.append(f"select {query}")
            else:
                out.append(f"select {_ASSIGN.sub('', query, count=1)}")
        return out
    return None


def _plpgsql_exprs(node: Any) -> Iterator[Node]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "PLpgSQL_expr" and isinstance(value, dict):
                yield value
            else:
                yield from _plpgsql_exprs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _plpgsql_exprs(item)


def _fallback_chunks(body: str) -> list[str]:
    """Statements of a body the plpgsql parser rejected: each ``;``-separated chunk from
    its first SQL keyword, kept only if it parses on its own."""
    out = []
    for chunk in body.split(";"):
        match = _STARTS_SQL.search(chunk)
        if match and statements(chunk[match.start() :]):
            out.append(chunk[match.start() :])
    return out


def function_queries(fn: Function) -> list[str]:
    """The SQL statements a SQL or plpgsql function runs (dynamic SQL excluded)."""
    if fn.language == "sql":
        body = fn.body.strip()
        if body.lower().startswith("begin atomic"):
            body = re.sub(r"(?is)^begin\s+atomic|end\s*;?\s*$", "", body)
        return [body] if statements(body) else _fallback_chunks(body)
    if fn.language == "plpgsql":
        queries = _plpgsql_queries(fn)
        return queries if queries is not None else _fallback_chunks(fn.body)
    return []


@dataclass(frozen=True)
class _Unit:
    """One parse tree to analyse, with its source and resolution context.

    A policy expression is ``SELECT <expr>`` with its table in scope (``outer``), parsed
    through the RLS rules' shared cache (one parse per distinct expression, however many
    tables carry it); ``fallback`` is the same expression as a query over the table, used
    if the bare form does not parse as one statement."""

    source: Source
    sql: str
    search_path: tuple[str, ...]
    outer: Table | None = None
    fallback: str | None = None


def _view_units(view: View) -> Iterator[_Unit]:
    label = f"{'materialized view' if view.materialized else 'view'} {view.schema}.{view.name}"
    source = Source("view", ("view", view.schema, view.name), label)
    yield _Unit(source, view.definition, ("public",))


def _function_units(fn: Function) -> Iterator[_Unit]:
    if fn.is_internal_schema or fn.extension is not None:
        return
    source = Source("function", ("function", fn.schema, fn.name), f"function {fn.signature}")
    path = search_path_list(fn.search_path)
    for sql in function_queries(fn):
        yield _Unit(source, sql, path)


def policy_source(policy: Policy) -> Source:
    label = f'policy "{policy.name}" on {policy.schema}.{policy.table}'
    key = ("policy", policy.schema, f"{policy.table}.{policy.name}")
    return Source("policy", key, label)


def policy_sql(policy: Policy, expression: str) -> str:
    """A policy expression as a query over its table, so references resolve."""
    return f"select 1 from {ident(policy.schema)}.{ident(policy.table)} where {expression}"


def _policy_units(policy: Policy, catalog: Catalog) -> Iterator[_Unit]:
    table = catalog.find_table(policy.schema, policy.table)
    if table is None:
        return
    for expression in (policy.using, policy.with_check):
        if expression:
            yield _Unit(
                policy_source(policy),
                policy_graph.EXPRESSION_PREFIX + expression,
                ("public",),
                outer=table,
                fallback=policy_sql(policy, expression),
            )


def _units(catalog: Catalog, may_match: Callable[[str], bool]) -> Iterator[_Unit]:
    """The units whose SQL ``may_match`` (a cheap text test that every unit holding what
    the caller looks for passes: a substring); a function is tested on its body, a policy
    on its expressions, before their units are built."""
    for view in catalog.views:
        if view.extension is None:
            yield from (u for u in _view_units(view) if may_match(u.sql))
    for fn in catalog.functions:  # each query of a function is a piece of its body
        if may_match(fn.body):
            yield from (u for u in _function_units(fn) if may_match(u.sql))
    for policy in catalog.policies:
        if any(may_match(e) for e in (policy.using, policy.with_check) if e):
            yield from (u for u in _policy_units(policy, catalog) if may_match(u.sql))


def _analysed(unit: _Unit, lookup: TableLookup) -> Iterator[tuple[_Unit, list[Node], Resolution]]:
    """The unit as analysed (a policy may fall back to its query form), its trees and
    their column resolution. Policy trees are shared, read-only: resolutions are keyed by
    ``id()`` and used with the trees they came with."""
    if unit.fallback is not None:
        shared = _policy_expression(unit.sql)
        if shared is not None:
            trees = shared[0]
            yield unit, trees, resolve(trees, lookup, unit.search_path, unit.outer)
            return
        unit = _Unit(unit.source, unit.fallback, unit.search_path)
    trees = parse_statements(unit.sql)
    if trees:
        yield unit, trees, resolve(trees, lookup, unit.search_path, unit.outer)


FilterPair = tuple[Any, Any, str, bool]
"""``(column side, other side, operator, other side is None or constant)``."""


@lru_cache(maxsize=16384)
def _policy_expression(sql: str) -> tuple[list[Node], tuple[FilterPair, ...]] | None:
    """A policy expression's shared parse (``SELECT <expr>``, one statement) and its filter
    pairs, which depend on the text only; None if it does not parse as one statement.
    Cached together so that the pairs' nodes are the very nodes a resolution of these
    trees is keyed on."""
    trees = policy_graph.parse_statements(sql)
    if trees is None or len(trees) != 1:
        return None
    return trees, _constant_flagged(_filter_pairs(trees))


def _constant_flagged(pairs: Iterable[tuple[Any, Any, str]]) -> tuple[FilterPair, ...]:
    return tuple((col, other, op, other is None or _is_constant(other)) for col, other, op in pairs)


def _policy_pairs(
    unit: _Unit, lookup: TableLookup
) -> Iterator[tuple[Resolution, tuple[FilterPair, ...]]]:
    """Column resolution and filter pairs of a policy unit (see :func:`_analysed`)."""
    shared = _policy_expression(unit.sql) if unit.fallback is not None else None
    if shared is not None:
        trees, pairs = shared
        yield resolve(trees, lookup, unit.search_path, unit.outer), pairs
        return
    for _unit, trees, res in _analysed(unit, lookup):
        yield res, _constant_flagged(_filter_pairs(trees))


def _may_search_jsonb(sql: str) -> bool:
    """Whether ``sql`` can contain a GIN-servable JSONB operator at all (they are
    spelled with these characters), so most texts need no parse for that rule."""
    return "?" in sql or "@>" in sql or "<@" in sql


# --- policy filter columns ---------------------------------------------------------------------


def _is_constant(node: Any) -> bool:
    """No function call, subquery, parameter or column anywhere in ``node``."""
    dynamic = {"FuncCall", "SubLink", "ColumnRef", "ParamRef", "SQLValueFunction"}
    return not any(kind in dynamic for kind, _ in walk(node))


def _filter_pairs(tree: Any) -> Iterator[tuple[Any, Any, str]]:
    """``(column side, other side, operator)`` of equality-style comparisons."""
    for kind, body in walk(tree):
        if kind == "A_Expr":
            op = "".join(_names(body.get("name", [])))
            lexpr, rexpr = body.get("lexpr"), body.get("rexpr")
            if body.get("kind") == "AEXPR_OP" and op == "=":
                yield lexpr, rexpr, "="
                yield rexpr, lexpr, "="
            elif body.get("kind") == "AEXPR_OP_ANY" and op == "=":
                yield lexpr, rexpr, "= any"
            elif body.get("kind") == "AEXPR_IN" and op == "=":
                yield lexpr, rexpr, "in"
        elif kind == "SubLink" and body.get("subLinkType") == "ANY_SUBLINK":
            op = "".join(_names(body.get("operName", []))) or "="
            if op == "=":
                yield body.get("testexpr"), body.get("subselect"), "in"


def policy_filter_columns(policy: Policy, catalog: Catalog) -> dict[str, set[str]]:
    """Columns of the policy's table that its USING / WITH CHECK expressions compare with
    something that is not a constant nor the same row: ``col = auth.uid()``,
    ``col = (select auth.uid())``, ``col in (select ...)``, ``col = any(<call>)``, and the
    outer column of a correlated ``exists (... where x.col = t.col)``. Maps each column
    to the operators it is compared with.

    Only a bare column counts (``lower(col) = ...`` or ``col::text = ...`` cannot use a
    plain index on ``col``), and comparisons with constants (``is_public = true``) do not:
    a low-selectivity flag is not worth an index of its own.
    """
    table = catalog.find_table(policy.schema, policy.table)
    out: dict[str, set[str]] = {}
    if table is None:
        return out
    lookup = catalog_lookup(catalog)
    for unit in _policy_units(policy, catalog):
        for res, pairs in _policy_pairs(unit, lookup):
            for column_side, other, op, constant in pairs:
                key = res.of(column_side)
                if key is None or key[:2] != (policy.schema, policy.table):
                    continue
                if constant or _refers_to(other, res, key[:2]):
                    continue
                out.setdefault(key[2], set()).add(op)
    return out


def _refers_to(node: Any, res: Resolution, table: tuple[str, str]) -> bool:
    """Whether ``node`` compares to a column of the same table *outside* a subquery
    (``a = b`` on one row is no filter an index helps)."""
    kind = _kind(node)
    if kind is not None and kind[0] == "SubLink":
        return False
    for kind, body in walk(node):
        if kind == "ColumnRef":
            key = res.refs.get(id(body))
            if key is not None and key[:2] == table:
                return True
    return False


# --- JSONB operator uses -----------------------------------------------------------------------


def _jsonb_pairs(tree: Any) -> Iterator[tuple[Any, str]]:
    """``(column side, operator)`` for GIN-servable JSONB operators."""
    for kind, body in walk(tree):
        if kind != "A_Expr" or body.get("kind") != "AEXPR_OP":
            continue
        op = "".join(_names(body.get("name", [])))
        if op in JSONB_GIN_OPERATORS:
            yield body.get("lexpr"), op
        elif op == "<@":
            yield body.get("rexpr"), "@>"  # x <@ col is col @> x


def jsonb_operator_uses(catalog: Catalog) -> list[ColumnUse]:
    """Every column of a catalog table searched with ``@>``, ``?``, ``?|``, ``?&``, ``@?``
    (or on the right of ``<@``) in a view, a SQL/plpgsql function or a policy. Column
    types are not checked here (the rule keeps the jsonb ones)."""
    lookup = catalog_lookup(catalog)
    out: list[ColumnUse] = []
    for unit in _units(catalog, _may_search_jsonb):
        for _unit, trees, res in _analysed(unit, lookup):
            for side, op in _jsonb_pairs(trees):
                key = res.of(side)
                if key is not None:
                    out.append(ColumnUse(*key, operator=op, source=unit.source))
    return out


# --- full-text search --------------------------------------------------------------------------


def _funcname(body: Node) -> str:
    names = _names(body.get("funcname", []))
    return names[-1] if names else ""


def canonical(node: Any) -> str:
    """A comparable form of an expression: locations, casts and qualifiers dropped, so
    ``to_tsvector('english', n.body)`` and the index's
    ``to_tsvector('english'::regconfig, body)`` compare equal."""

    def strip(item: Any) -> Any:
        if isinstance(item, list):
            return [strip(i) for i in item]
        if not isinstance(item, dict):
            return item
        kind = _kind(item)
        if kind is not None:
            name, body = kind
            if name == "TypeCast":
                return strip(body.get("arg"))
            if name == "ColumnRef":
                return {"col": _names(body.get("fields", []))[-1:]}
            if name == "FuncCall":
                body = {**body, "funcname": [{"String": {"sval": _funcname(body)}}]}
                body.pop("funcformat", None)
            return {name: strip(body)}
        return {k: strip(v) for k, v in item.items() if k != "location"}

    return json.dumps(strip(node), sort_keys=True)


def expression_canonical(expression: str) -> str | None:
    """:func:`canonical` of an expression given as SQL text (an index key)."""
    trees = parse_statements(f"select {expression}")
    if not trees:
        return None
    targets = trees[0]["SelectStmt"].get("targetList", [])
    if len(targets) != 1:
        return None
    return canonical(targets[0]["ResTarget"]["val"])


def deparse_at(sql: str, location: int) -> str | None:
    """The SQL of the function call that starts at byte ``location`` of ``sql``, with column
    qualifiers dropped (``n.body`` → ``body``), ready for an index key."""
    call = _call_at(sql, location)
    if call is not None:  # the call's own text: a small parse, not the whole body's
        tree = nodes(f"select {call}")
        targets = getattr(tree[0].stmt, "targetList", None) if tree else None
        if targets and len(targets) == 1 and type(targets[0].val).__name__ == "FuncCall":
            _BARE(targets[0].val)
            return str(RawStream()(targets[0].val))
    tree = nodes(sql)
    if tree is None:
        return None
    find = _FindCall(location)
    find(tree)
    if not find.found:
        return None
    _BARE(find.found[0])
    return str(RawStream()(find.found[0]))


#: FuncCall fields that make a call more than ``name(arguments)``
_CALL_DECORATIONS = (
    "agg_order",
    "agg_filter",
    "over",
    "agg_star",
    "agg_distinct",
    "agg_within_group",
    "func_variadic",
)


def plain_call_sql(call: Node) -> str | None:
    """What :func:`deparse_at` prints for a plain call (``name(args)``) whose arguments are
    string constants, bare or qualified columns and such calls, written from the JSON tree
    directly; None for anything else. pglast's printer builds node objects for every call
    it prints: 110 full-text expressions of a large project took 40 ms."""
    if any(call.get(key) for key in _CALL_DECORATIONS):
        return None
    if call.get("funcformat", "COERCE_EXPLICIT_CALL") != "COERCE_EXPLICIT_CALL":
        return None
    parts = [n["String"]["sval"] for n in call.get("funcname", []) if "String" in n]
    name = ".".join(parts)
    if not parts or len(parts) != len(call.get("funcname", [])):
        return None
    if name in COL_NAME_KEYWORDS or get_special_function(name) is not None:
        return None  # printed in their own syntax, or quoted
    args = []
    for arg in call.get("args", []):
        printed = _plain_arg_sql(arg)
        if printed is None:
            return None
        args.append(printed)
    return ".".join(maybe_double_quote_name(p) for p in parts) + "(" + ", ".join(args) + ")"


def _plain_arg_sql(arg: Node) -> str | None:
    kind, body = next(iter(arg.items()))
    if kind == "A_Const" and "sval" in body:
        return "'" + body["sval"].get("sval", "").replace("'", "''") + "'"
    if kind == "ColumnRef":  # without its qualifiers, as deparse_at prints it
        last = body.get("fields", [{}])[-1]
        return maybe_double_quote_name(last["String"]["sval"]) if "String" in last else None
    if kind == "FuncCall":
        return plain_call_sql(body)
    return None


def _call_at(sql: str, location: int) -> str | None:
    """The text of the function call starting at byte ``location`` of ``sql``: its name up
    to the parenthesis that closes its argument list (pglast's scanner skips strings,
    quoted names and comments); None when that is not what is there."""
    text = sql.encode()[location:].decode(errors="replace")
    try:
        tokens = pg_parser.scan(text)
    except Exception:  # odd text: the caller parses the whole statement
        return None
    depth = 0
    for token in tokens:
        if token.name == "ASCII_40":
            depth += 1
        elif token.name == "ASCII_41":
            depth -= 1
            if depth == 0:
                return text[: token.end + 1]
        elif depth == 0 and not _name_part(token):
            return None
    return None


def _name_part(token: Any) -> bool:
    """A token of a (qualified) function name: an identifier, a dot, a non-reserved
    keyword (``coalesce``, ``left``)."""
    if token.kind == "NO_KEYWORD":
        return token.name in ("IDENT", "ASCII_46")
    return token.kind != "RESERVED_KEYWORD"


class _FindCall(visitors.Visitor):
    """The function calls that start at one byte offset. (A visitor class is built once:
    making one per call cost a third of fts-without-gin on a large project.)"""

    def __init__(self, location: int) -> None:
        self.location = location
        self.found: list[Any] = []

    def visit_FuncCall(self, ancestors: Any, node: Any) -> None:
        if node.location == self.location:
            self.found.append(node)


class _Bare(visitors.Visitor):
    """Column references without their qualifiers (``n.body`` → ``body``)."""

    def visit_ColumnRef(self, ancestors: Any, node: Any) -> Any:
        return pglast.ast.ColumnRef(fields=(node.fields[-1],))


_BARE = _Bare()


def _may_match_text(sql: str) -> bool:
    """No text-search match (``@@``) without the operator in the text."""
    return "@@" in sql


def _fts_sides(tree: Any) -> Iterator[Any]:
    for kind, body in walk(tree):
        if (
            kind == "A_Expr"
            and body.get("kind") == "AEXPR_OP"
            and "".join(_names(body.get("name", []))) == "@@"
        ):
            yield body.get("lexpr")
            yield body.get("rexpr")


def _tsvector_call(side: Any) -> Node | None:
    kind = _kind(side)
    while kind and kind[0] == "TypeCast":
        kind = _kind(kind[1].get("arg"))
    if kind and kind[0] == "FuncCall" and _funcname(kind[1]) == "to_tsvector":
        return kind[1]
    return None


def _fts_expression_use(call: Node, res: Resolution, unit: _Unit) -> FtsUse | None:
    refs = [
        res.refs.get(id(body)) for kind, body in walk(call.get("args", [])) if kind == "ColumnRef"
    ]
    keys = {k for k in refs if k is not None}
    if not keys or len(keys) != len(set(refs)) or len({k[:2] for k in keys}) != 1:
        return None  # an unresolved column, or columns of several tables
    schema, table = next(iter(keys))[:2]
    columns = tuple(sorted(k[2] for k in keys))
    location = call.get("location", -1)
    expression = plain_call_sql(call)
    if expression is None and location >= 0:
        expression = deparse_at(unit.sql, location)
    return FtsUse(
        schema,
        table,
        unit.source,
        expression=expression,
        canonical=canonical({"FuncCall": call}),
        columns=columns,
        indexable=len(call.get("args", [])) == 2,
    )


def fulltext_uses(catalog: Catalog) -> list[FtsUse]:
    """Full-text matches (``@@``) in views, functions and policies whose document side is a
    column or a ``to_tsvector(...)`` expression over one catalog table."""
    lookup = catalog_lookup(catalog)
    out: list[FtsUse] = []
    for unit in _units(catalog, _may_match_text):
        for analysed, trees, res in _analysed(unit, lookup):
            for side in _fts_sides(trees):
                key = res.of(side)
                if key is not None:
                    out.append(FtsUse(key[0], key[1], analysed.source, column=key[2]))
                    continue
                call = _tsvector_call(side)
                if call is not None:
                    use = _fts_expression_use(call, res, analysed)
                    if use is not None:
                        out.append(use)
    return out
