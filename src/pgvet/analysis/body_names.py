"""The names a function body leaves to ``search_path``, and where they resolve.

Pinning ``search_path = ''`` on a function is safe only when nothing in its body is
unqualified: an ``insert into profiles`` (a DML target), a ``profiles%rowtype`` variable, a
``my_helper()`` call, a ``::mood`` cast, a ``<=>`` operator of an extension, a
``nextval('seq')``, or any dynamic SQL (``EXECUTE``), whose names nobody can see before it
runs. This module lists them from pglast's parse of the body (SQL, or PL/pgSQL with every
statement, expression and declared type), then resolves them with a search_path on a
server (or, without one, against the catalog), so a rule can propose the path that keeps
each of them resolving.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from pgvet.analysis.policy_graph import (
    EXPRESSION_PREFIX,
    name_parts,
    plpgsql_fragments,
    regex_references,
    walk,
)
from pgvet.analysis.sql.parse import statements
from pgvet.catalog.model import Catalog, Function

NameKind = Literal["relation", "function", "type", "operator"]
_KIND_WORD = {"relation": "", "function": "()", "type": "", "operator": ""}
#: calls whose text argument names a relation, resolved through search_path at run time
_RELATION_ARG_CALLS = frozenset({"nextval", "currval", "setval"})
_ASSIGN = re.compile(r"^\s*[\w.\"\[\]$]+?\s*:?=\s*", re.S)
_TYPE_REF = re.compile(r"^(.*?)%\s*(rowtype|type)\s*$", re.I)
_DYNAMIC_KINDS = frozenset({"PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors"})


@dataclass(frozen=True, order=True)
class BodyName:
    """One unqualified name of a body: what kind of object it must be and its name."""

    kind: NameKind
    name: str
    nargs: int = -1  # a call's argument count (-1: not a call, or not known)

    @property
    def label(self) -> str:
        return f"{self.name}{_KIND_WORD[self.kind]}"


@dataclass(frozen=True)
class BodyNames:
    """What a body leaves to search_path. ``dynamic`` when it runs SQL built at run time;
    ``parsed`` is False when the body did not parse and a regex read it (names may be
    missing)."""

    names: tuple[BodyName, ...] = ()
    dynamic: bool = False
    parsed: bool = True


def body_names(fn: Function) -> BodyNames:
    """The unqualified names of ``fn``'s body. A ``BEGIN ATOMIC`` body was resolved when it
    was created (it stores the objects, not names), and C / internal functions have no
    names to resolve."""
    language = fn.language.lower()
    if language in ("c", "internal"):
        return BodyNames()
    if language == "sql":
        return _sql_body(fn.body)
    if language == "plpgsql":
        return _plpgsql_body(fn)
    return _regex_body(fn.body)


def _sql_body(body: str) -> BodyNames:
    text = body.strip()
    if re.match(r"(?is)^begin\s+atomic\b", text):
        return BodyNames()
    if re.match(r"(?is)^return\b", text):
        text = EXPRESSION_PREFIX + text[len("return") :]
    stmts = statements(text)
    if stmts is None:
        return _regex_body(text)
    return BodyNames(tuple(sorted(set(_tree_names(stmts)))))


def _regex_body(text: str) -> BodyNames:
    refs = regex_references(text)
    names = {BodyName("relation", r.name) for r in refs.relations if r.schema is None}
    names |= {BodyName("function", c.name) for c in refs.calls if c.schema is None}
    dynamic = bool(re.search(r"\bexecute\b", text, re.I))
    return BodyNames(tuple(sorted(names)), dynamic=dynamic, parsed=False)


_QUALIFIED_DECLARATION = re.compile(
    r'((?:^|;|\bdeclare\b)\s*(?:"[^"]+"|[\w$]+)\s+(?:constant\s+)?)'
    r'((?!public\b|pg_catalog\b)(?:"[^"]+"|[\w$]+)\s*\.\s*[^\s;:=]+)',
    re.I | re.M,
)


def _without_schema_types(body: str) -> str:
    """The body with variables declared of a type in a schema other than public (``r
    app.token_row;``) declared ``record`` instead: pglast's PL/pgSQL parser cannot look
    those schemas up and gives up on the whole body. Such names are qualified, so nothing
    this module looks for is lost; lines stay where they were."""
    head = re.search(r"\bbegin\b", body, re.I)
    cut = head.start() if head else len(body)
    return _QUALIFIED_DECLARATION.sub(r"\1record", body[:cut]) + body[cut:]


def _plpgsql_body(fn: Function) -> BodyNames:
    tree = plpgsql_fragments(fn.body, fn.result, fn.kind)
    if tree is None:
        tree = plpgsql_fragments(_without_schema_types(fn.body), fn.result, fn.kind)
    if tree is None:
        return _regex_body(fn.body)
    names: set[BodyName] = set()
    dynamic = False
    parsed = True
    for kind, node, _ in walk(tree):
        if kind in _DYNAMIC_KINDS or (isinstance(node, dict) and "dynquery" in node):
            dynamic = True
        if kind == "PLpgSQL_type":
            names |= set(_declared_type(str(node.get("typname", ""))))
        elif kind == "PLpgSQL_rec" and "lineno" in node:  # a declared composite: the parser
            names |= set(_declared_rec(fn.body, node))  # keeps no type name, so read it
        elif kind == "PLpgSQL_expr":
            found = _expression_names(str(node.get("query", "")), int(node.get("parseMode", 0)))
            if found is None:
                parsed = False
                found = list(_regex_body(str(node.get("query", ""))).names)
            names |= set(found)
    return BodyNames(tuple(sorted(names)), dynamic=dynamic, parsed=parsed)


def _expression_names(query: str, mode: int) -> list[BodyName] | None:
    text = _ASSIGN.sub("", query, count=1) if mode in (3, 4, 5) else query
    stmts = statements(text if mode == 0 else EXPRESSION_PREFIX + text)
    return None if stmts is None else list(_tree_names(stmts))


def _declared_rec(body: str, node: dict[str, Any]) -> Iterator[BodyName]:
    """The type of a ``name some_type;`` declaration PL/pgSQL's parser keeps as a record,
    read from its line of the body."""
    lines = body.split("\n")
    lineno, refname = int(node["lineno"]), str(node.get("refname", ""))
    if not refname or not 0 < lineno <= len(lines):
        return
    declared = re.search(
        rf'(?i)(?:^|[\s;]){re.escape(refname)}\s+(?:constant\s+)?((?:"[^"]+"|[\w$]+)'
        rf'(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*(?:\s*%\s*\w+)?)',
        lines[lineno - 1],
    )
    if declared:
        yield from _declared_type(declared.group(1))


def _declared_type(typname: str) -> Iterator[BodyName]:
    """``profiles%rowtype`` / ``profiles.id%type`` name a relation; anything else is a type
    (``mood``, ``public.mood``, ``integer[]``), read by parsing a cast to it."""
    ref = _TYPE_REF.match(typname)
    if ref:
        parts = [p.strip().strip('"') for p in ref.group(1).split(".")]
        relation_parts = parts if ref.group(2).lower() == "rowtype" else parts[:-1]
        if len(relation_parts) == 1 and relation_parts[0]:
            yield BodyName("relation", relation_parts[0])
        return
    if not typname or typname.lower() in ("record", "trigger", "event_trigger"):
        return
    stmts = statements(f"SELECT NULL::{typname}")
    if stmts is not None:
        yield from _tree_names(stmts)


def _tree_names(tree: Any) -> Iterator[BodyName]:
    """Unqualified relations, functions, types and operators of parsed SQL (CTE names are
    not relations)."""
    tree = list(tree) if isinstance(tree, tuple) else tree  # walk() descends lists only
    ctes = {n["ctename"] for k, n, _ in walk(tree) if k == "CommonTableExpr" and "ctename" in n}
    for kind, node, _ in walk(tree):
        target = node.get("relation")  # DML / COPY targets are bare RangeVar fields
        if (
            isinstance(target, dict)
            and target.get("relname")
            and not target.get("schemaname")
            and target["relname"] not in ctes
        ):
            yield BodyName("relation", target["relname"])
        typename = node.get("typeName")  # casts and column definitions: bare TypeName fields
        if isinstance(typename, dict):
            parts = name_parts(typename.get("names", []))
            if len(parts) == 1:
                yield BodyName("type", parts[0])
        if kind == "RangeVar" and not node.get("schemaname"):
            if node.get("relname") and node["relname"] not in ctes:
                yield BodyName("relation", node["relname"])
        elif kind == "FuncCall":
            parts = name_parts(node.get("funcname", []))
            if len(parts) == 1:
                star = node.get("agg_star") or node.get("func_variadic")
                yield BodyName("function", parts[0], -1 if star else len(node.get("args", [])))
                if parts[0] in _RELATION_ARG_CALLS:
                    yield from _relation_literal(node.get("args", [])[:1])
        elif kind == "TypeName":
            parts = name_parts(node.get("names", []))
            if len(parts) == 1:
                yield BodyName("type", parts[0])
        elif kind == "A_Expr":
            parts = name_parts(node.get("name", []))
            if len(parts) == 1 and node.get("kind") in (
                None,
                "AEXPR_OP",
                "AEXPR_OP_ANY",
                "AEXPR_OP_ALL",
            ):
                yield BodyName("operator", parts[0])


def _relation_literal(args: Iterable[Any]) -> Iterator[BodyName]:
    for arg in args:
        const = arg.get("A_Const", {}) if isinstance(arg, dict) else {}
        text = const.get("sval", {}).get("sval")
        if isinstance(text, str) and "." not in text:
            yield BodyName("relation", text.strip('"'))


# --- resolution --------------------------------------------------------------------------

_RESOLVE = """
select n.kind, n.name, array(
  select p.nsp from unnest(%(path)s::text[]) with ordinality p(nsp, ord)
  join pg_catalog.pg_namespace ns on ns.nspname = p.nsp
  where case n.kind
    when 'relation' then exists (select 1 from pg_catalog.pg_class c
                                  where c.relnamespace = ns.oid and c.relname = n.name)
    when 'function' then exists (select 1 from pg_catalog.pg_proc f
                                  where f.pronamespace = ns.oid and f.proname = n.name
                                    and (n.nargs < 0 or f.provariadic <> 0
                                         or n.nargs between f.pronargs - f.pronargdefaults
                                                        and f.pronargs))
    when 'type' then exists (select 1 from pg_catalog.pg_type t
                              where t.typnamespace = ns.oid and t.typname = n.name)
    else exists (select 1 from pg_catalog.pg_operator o
                  where o.oprnamespace = ns.oid and o.oprname = n.name)
  end
  order by p.ord)
from unnest(%(kinds)s::text[], %(names)s::text[], %(nargs)s::int[])
     with ordinality n(kind, name, nargs, ord)
order by n.ord
"""


def search_schemas(path: str, user: str) -> list[str]:
    """The schemas a ``search_path`` value searches, in order, as PostgreSQL does:
    ``pg_catalog`` first unless the path places it, ``$user`` replaced by ``user``."""
    out: list[str] = []
    for raw in re.findall(r'"(?:[^"]|"")*"|[^,\s]+', path):
        part = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
        out.append(user if part == "$user" else part)
    if "pg_catalog" not in out:
        out.insert(0, "pg_catalog")
    return list(dict.fromkeys(out))


def resolve_on_server(
    conn: psycopg.Connection, names: Iterable[BodyName], schemas: list[str]
) -> dict[BodyName, list[str]]:
    """For each name, the schemas of ``schemas`` (in order) holding an object of its kind
    and name; empty when none does."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = conn.execute(
        _RESOLVE,
        {
            "path": schemas,
            "kinds": [n.kind for n in wanted],
            "names": [n.name for n in wanted],
            "nargs": [n.nargs for n in wanted],
        },
    ).fetchall()
    return {name: list(found) for name, (_kind, _name, found) in zip(wanted, rows, strict=True)}


def resolve_in_catalog(
    catalog: Catalog, names: Iterable[BodyName], schemas: list[str]
) -> dict[BodyName, list[str]]:
    """The same from the catalog alone (no server): the project's tables, functions and
    enums; anything else is taken to be built in (``pg_catalog``)."""
    out: dict[BodyName, list[str]] = {}
    enums = {(e.schema, e.name) for e in catalog.enums}
    for name in set(names):
        found = []
        for schema in schemas:
            if (
                (name.kind == "relation" and catalog.find_table(schema, name.name))
                or (name.kind == "function" and catalog.functions_named(schema, name.name))
                or (name.kind == "type" and (schema, name.name) in enums)
            ):
                found.append(schema)
        out[name] = found or (["pg_catalog"] if name.kind != "relation" else [])
    return out
