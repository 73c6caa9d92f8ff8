"""Which relations each RLS policy reads, and the cycles that make PostgreSQL give up.

Why this exists: a policy that reads its own table (directly, through another table's
policy, a view or a function) makes every query on the table fail. PostgreSQL reports it in
one of two ways, and this module models both exactly as the server does:

* **42P17 "infinite recursion detected in policy for relation"**, raised by the rewriter
  before the query runs (data does not matter). When the rewriter adds a relation's policies
  and they contain a sub-select, it walks into the sub-select with that relation marked
  *active*; if a relation that is already active is met again *and its own applicable
  policies contain a sub-select* (any sub-select, even ``(select auth.uid())``), it stops.
  Sub-selects and views (expanded by the rewriter) keep the chain; a view that is not
  ``security_invoker`` reads its tables as its owner.
* **54001 "stack depth limit exceeded"**, at run time: a policy calls a function whose
  query reads the table again, whose policy calls the function again... The function's
  queries are planned afresh (the rewriter's chain starts empty), so PostgreSQL cannot see
  the loop; it recurses as soon as one row is checked.

RLS does not apply when the reading role is a superuser, has BYPASSRLS, or owns the table
(unless RLS is forced). A SECURITY DEFINER function reads as its owner, so a helper owned by
``postgres`` breaks the cycle: that is the usual fix and the graph knows it.

The walk is over states ``(relation, command, role)``: the command decides which policies
apply (``ALL`` counts for each; sub-selects read with SELECT policies) and so does the role
(policies ``TO public`` apply to everyone). Every cycle is reported once, with a readable
path such as ``public.users → policy "Admins can view all users" → public.users``.

Public API: :func:`build_policy_graph`, :func:`find_cycles`, :func:`cycles_through`,
:func:`cycles_reached`,
:class:`PolicyGraph` (``reads_of_policy``, ``reads_of_function``, ``functions_called``),
:class:`Cycle`, :class:`Step`, :class:`Read`; plus the small SQL helpers
:func:`parse_expression`, :func:`parse_statements` and :func:`walk` used by the RLS rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pgvet.analysis.sql.parse import plpgsql, statements
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import (
    Catalog,
    Function,
    ObjectKey,
    Policy,
    QualifiedName,
    Role,
    Table,
    View,
    object_key,
)

Node = dict[str, Any]
Command = Literal["SELECT", "INSERT", "UPDATE", "DELETE"]
COMMANDS: tuple[Command, ...] = ("SELECT", "INSERT", "UPDATE", "DELETE")
API_ROLES: tuple[str, ...] = ("anon", "authenticated")
EXPRESSION_PREFIX = "SELECT "
"""Policy expressions are parsed as ``SELECT <expr>``; node locations are byte offsets
into that text, so subtract ``len(EXPRESSION_PREFIX)`` to point into the expression."""

DEFAULT_SEARCH_PATH: tuple[str, ...] = ("public", "extensions")
"""How unqualified names resolve when a function does not pin ``search_path``: Supabase's
default path (``"$user", public, extensions``)."""

_STEP_BUDGET = 50_000  # DFS steps per start; policy graphs are small, this guards pathologies


# --- SQL parsing helpers ---------------------------------------------------------------


def parse_statements(sql: str) -> list[Node] | None:
    """The statements of ``sql`` as pglast JSON nodes, or None when it does not parse."""
    stmts = statements(sql)
    return None if stmts is None else list(stmts)


def parse_expression(expr: str) -> Node | None:
    """A policy / check expression as a pglast node (parsed as ``SELECT <expr>``)."""
    stmts = statements(EXPRESSION_PREFIX + expr)
    if not stmts:
        return None
    try:
        return stmts[0]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    except (KeyError, IndexError):
        return None


Parents = tuple[tuple[str, Node], ...]


def walk(obj: Any, parents: Parents = ()) -> Iterator[tuple[str, Node, Parents]]:
    """Yield ``(node_type, node, ancestors)`` for every typed node under ``obj``.

    pglast JSON wraps each node as ``{"TypeName": {...fields}}``; ancestors are the
    ``(type, node)`` pairs from the outside in, so a caller can ask "am I inside a
    sub-select?".
    """
    # Iterative, depth first, in document order: a recursive generator passes every node
    # up through one ``yield from`` per level, which dominated the RLS rules on big catalogs.
    stack: list[tuple[str | None, Any, Parents]] = [(None, obj, parents)]
    pop, push = stack.pop, stack.extend
    while stack:
        kind, item, above = pop()
        if kind is not None:  # a typed node: report it, then walk its fields beneath it
            yield kind, item, above
            above = (*above, (kind, item))
        if isinstance(item, dict):
            entries = []
            for key, value in item.items():
                if isinstance(value, dict):
                    entries.append((key if key[:1].isupper() else None, value, above))
                elif isinstance(value, list):
                    entries.append((None, value, above))
            push(reversed(entries))
        elif isinstance(item, list):
            push([(None, v, above) for v in reversed(item) if isinstance(v, dict | list)])


def _nodes(obj: Any) -> Iterator[tuple[str, Node]]:
    """:func:`walk` without the ancestors (cheaper, same nodes in the same order)."""
    stack: list[Any] = [obj]  # a (type, node) tuple marks a typed node: JSON has no tuples
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        if type(item) is tuple:
            yield item
            item = item[1]
        if isinstance(item, dict):
            entries: list[Any] = []
            for key, value in item.items():
                if isinstance(value, dict):
                    entries.append((key, value) if key[:1].isupper() else value)
                elif isinstance(value, list):
                    entries.append(value)
            entries.reverse()
            push(entries)
        elif isinstance(item, list):
            push([v for v in reversed(item) if isinstance(v, dict | list)])


def name_parts(items: Iterable[Node]) -> tuple[str, ...]:
    """``("auth", "uid")`` from a pglast ``funcname`` / ``names`` list."""
    return tuple(i["String"]["sval"] for i in items if "String" in i)


def parse_search_path(value: str | None) -> tuple[str, ...]:
    """Schemas of a stored ``search_path`` setting (``''`` → none; ``$user``, ``pg_temp``
    and ``pg_catalog`` left out: they hold none of the project's relations)."""
    if value is None:
        return DEFAULT_SEARCH_PATH
    out = []
    for part in value.split(","):
        name = part.strip()
        if name.startswith('"') and name.endswith('"') and len(name) >= 2:
            name = name[1:-1].replace('""', '"')
        if name and name not in ("$user", "pg_temp", "pg_catalog"):
            out.append(name)
    return tuple(out)


# --- what a piece of SQL references ----------------------------------------------------


@dataclass(frozen=True)
class RelRef:
    """A relation named in SQL, as written (``schema`` None when unqualified)."""

    schema: str | None
    name: str
    command: Command = "SELECT"


@dataclass(frozen=True)
class CallRef:
    """A function called in SQL, as written."""

    schema: str | None
    name: str
    nargs: int


@dataclass(frozen=True)
class Refs:
    relations: tuple[RelRef, ...] = ()
    calls: tuple[CallRef, ...] = ()
    has_sublink: bool = False

    def __add__(self, other: Refs) -> Refs:
        return Refs(
            self.relations + other.relations,
            self.calls + other.calls,
            self.has_sublink or other.has_sublink,
        )


_DML = {"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE"}


def references(tree: Any) -> Refs:
    """Relations and functions referenced anywhere in a parsed tree (CTE names skipped;
    the target of INSERT / UPDATE / DELETE carries that command)."""
    # one walk: CTE names (which may come after their uses) filter the relations at the end
    ctes: set[str] = set()
    targets: dict[int, Command] = {}
    ranges: list[RelRef] = []
    calls: list[CallRef] = []
    has_sublink = False
    for kind, node in _nodes(tree):
        if kind in _DML and isinstance(node.get("relation"), dict):
            target = node["relation"]
            if "RangeVar" in target:  # a typed node: the walk reaches it as a RangeVar
                targets[id(target["RangeVar"])] = _DML[kind]  # type: ignore[assignment]
            elif target.get("relname"):  # pglast's JSON: a bare field the walk never yields
                ranges.append(RelRef(target.get("schemaname"), target["relname"], _DML[kind]))  # type: ignore[arg-type]
        elif kind == "SubLink":
            has_sublink = True
        elif kind == "RangeVar":
            schema = node.get("schemaname")
            name = node.get("relname", "")
            ranges.append(RelRef(schema, name, targets.get(id(node), "SELECT")))
        elif kind == "FuncCall":
            parts = name_parts(node.get("funcname", []))
            if parts:
                schema = parts[-2] if len(parts) >= 2 else None
                calls.append(CallRef(schema, parts[-1], len(node.get("args", []))))
        if kind == "CommonTableExpr" and node.get("ctename"):
            ctes.add(node["ctename"])
    relations = tuple(r for r in ranges if not (r.schema is None and r.name in ctes))
    return Refs(relations, tuple(calls), has_sublink)


_NAME = r'(?:"(?:[^"]|"")+"|[a-z_][\w$]*)'
_FROM_JOIN = re.compile(rf"\b(?:from|join|update|into)\s+({_NAME})(?:\s*\.\s*({_NAME}))?", re.I)
_CALL = re.compile(r"\b((?:[a-z_][\w$]*\s*\.\s*)?[a-z_][\w$]*)\s*\(", re.I)


def _unquote(part: str) -> str:
    part = part.strip()
    if part.startswith('"') and part.endswith('"'):
        return part[1:-1].replace('""', '"')
    return part.lower()


def regex_references(sql: str) -> Refs:
    """A careful fallback for SQL pglast cannot parse (dynamic SQL strings, odd bodies):
    names after ``from`` / ``join`` / ``update`` / ``into`` and ``name(`` calls. Names that
    do not resolve to a catalog object are dropped later, so stray words do no harm."""
    relations = []
    for match in _FROM_JOIN.finditer(sql):
        first, second = match.group(1), match.group(2)
        if second:
            relations.append(RelRef(_unquote(first), _unquote(second)))
        else:
            relations.append(RelRef(None, _unquote(first)))
    calls = []
    for match in _CALL.finditer(sql):
        parts = [_unquote(p) for p in match.group(1).split(".")]
        schema, name = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
        calls.append(CallRef(schema, name, -1))
    return Refs(tuple(relations), tuple(calls), "select" in sql.lower())


_ASSIGN = re.compile(r"^\s*[\w.\"\[\]$]+?\s*:?=\s*", re.S)


def _plpgsql_query_refs(query: str, mode: int) -> Refs:
    """References of one SQL fragment of a plpgsql body (``parseMode`` as pglast gives)."""
    text = query
    if mode in (3, 4, 5):  # assignment: "target := expr"
        text = _ASSIGN.sub("", query, count=1)
    stmts = statements(text if mode == 0 else EXPRESSION_PREFIX + text)
    if stmts is not None:
        return references(list(stmts))
    return regex_references(text)


def plpgsql_fragments(body: str, result: str | None, kind: str = "function") -> list[Node] | None:
    """The parsed plpgsql function (pglast JSON) or None; tries the declared result type
    first because ``RETURN NEXT`` / ``RETURN QUERY`` only parse in set-returning ones."""
    tag = "$pgvet_body$"
    if tag in body:
        return None
    heads = []
    if kind == "procedure" or result is None:
        heads.append("CREATE PROCEDURE pgvet_fn()")
    else:
        heads.append(f"CREATE FUNCTION pgvet_fn() RETURNS {result}")
    heads += [
        "CREATE FUNCTION pgvet_fn() RETURNS SETOF record",
        "CREATE FUNCTION pgvet_fn() RETURNS void",
        "CREATE FUNCTION pgvet_fn() RETURNS trigger",
    ]
    for head in dict.fromkeys(heads):
        tree = plpgsql(f"{head} LANGUAGE plpgsql AS {tag}{body}{tag}")
        if tree is not None:
            return tree
    return None


def plpgsql_references(body: str, result: str | None, kind: str = "function") -> Refs:
    """Relations and calls of every SQL statement and expression in a plpgsql body;
    dynamic ``EXECUTE`` strings are read with :func:`regex_references`."""
    tree = plpgsql_fragments(body, result, kind)
    if tree is None:
        return regex_references(body)
    refs = Refs()
    for kind_, node, _ in walk(tree):
        if kind_ == "PLpgSQL_stmt_dynexecute":
            query = node.get("query", {}).get("PLpgSQL_expr", {}).get("query", "")
            refs += regex_references(" ".join(re.findall(r"'((?:[^']|'')*)'", query)))
        if kind_ == "PLpgSQL_expr":
            refs += _plpgsql_query_refs(node.get("query", ""), int(node.get("parseMode", 0)))
    return refs


def sql_body_references(body: str) -> Refs:
    """References of a ``LANGUAGE sql`` body (``prosrc`` or a deparsed ``BEGIN ATOMIC``)."""
    text = body.strip()
    atomic = re.match(r"(?is)^begin\s+atomic\b(.*?)\bend\s*;?\s*$", text)
    if atomic:
        text = atomic.group(1)
    elif re.match(r"(?is)^return\b", text):
        text = EXPRESSION_PREFIX + text[len("return") :]
    stmts = statements(text)
    if stmts is None:
        return regex_references(text)
    return references(list(stmts))


def function_references(fn: Function) -> Refs:
    """What a function's body references; other languages (plv8, plpython) use the regex
    fallback, C / internal functions reference nothing we can see."""
    language = fn.language.lower()
    if language == "sql":
        return sql_body_references(fn.body)
    if language == "plpgsql":
        return plpgsql_references(fn.body, fn.result, fn.kind)
    if language in ("c", "internal"):
        return Refs()
    return regex_references(fn.body)


# --- steps, reads and cycles -----------------------------------------------------------

StepKind = Literal["table", "view", "policy", "function"]


@dataclass(frozen=True)
class Step:
    """One hop of a path: a table, a policy on it, or a view / function passed through."""

    kind: StepKind
    schema: str
    name: str
    table: str | None = None  # the policy's table
    command: str | None = None  # the policy's command
    signature: str | None = None  # the function's identity signature

    @property
    def label(self) -> str:
        if self.kind == "table":
            return qualified(self.schema, self.name)
        if self.kind == "view":
            return f"view {qualified(self.schema, self.name)}"
        if self.kind == "policy":
            return f"policy {ident(self.name)}"
        return f"function {self.signature or qualified(self.schema, self.name) + '()'}"

    @property
    def origin_key(self) -> ObjectKey:
        if self.kind == "policy":
            return object_key("policy", self.schema, self.name, self.table)
        return (self.kind, self.schema, self.name)


@dataclass(frozen=True)
class Read:
    """A relation that a policy (or function) reads, and how it gets there.

    ``via`` are the views and functions passed through, in order. ``runtime`` is true when
    the read happens inside a function (a separate query at execution time). ``role`` is the
    role the read is checked as: None for "whoever is querying", or the owner of a
    SECURITY DEFINER function / non-``security_invoker`` view on the way.
    """

    relation: QualifiedName
    command: Command = "SELECT"
    via: tuple[Step, ...] = ()
    runtime: bool = False
    role: str | None = None


@dataclass(frozen=True)
class Cycle:
    """A policy cycle: querying ``table`` makes PostgreSQL fail.

    ``steps`` start and end at the same table (``table → policy → [view / function …] →
    table …``). ``sqlstate`` is ``42P17`` when the rewriter detects it (infinite recursion
    detected in policy) or ``54001`` when a function call recurses at run time (stack depth
    limit exceeded, once a row is checked). ``roles`` are the roles that hit it and
    ``commands`` the statements on ``table`` that fail. ``reentry_policies`` names the
    policies on the re-entered table whose sub-selects make the rewriter stop, when they
    are not the policy the cycle started with (e.g. an INSERT policy reading its own table
    while the SELECT policy has a ``(select auth.uid())``).
    """

    steps: tuple[Step, ...]
    sqlstate: str
    roles: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    reentry_policies: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return " → ".join(step.label for step in self.steps)

    @property
    def table(self) -> QualifiedName:
        return (self.steps[0].schema, self.steps[0].name)

    @property
    def policy(self) -> Step:
        """The first policy of the cycle (its origin is where to point)."""
        return next(s for s in self.steps if s.kind == "policy")

    @property
    def tables(self) -> tuple[QualifiedName, ...]:
        return tuple(dict.fromkeys((s.schema, s.name) for s in self.steps if s.kind == "table"))

    @property
    def functions(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == "function")

    @property
    def through_function(self) -> bool:
        return self.sqlstate == "54001"

    @property
    def error(self) -> str:
        """The error PostgreSQL raises, as it words it."""
        if self.sqlstate == "42P17":
            return f'infinite recursion detected in policy for relation "{self.steps[-1].name}"'
        return "stack depth limit exceeded"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sqlstate": self.sqlstate,
            "roles": list(self.roles),
            "commands": list(self.commands),
            "reentry_policies": list(self.reentry_policies),
            "steps": [
                {"kind": s.kind, "schema": s.schema, "name": s.name, "table": s.table}
                for s in self.steps
            ],
        }


# --- the graph -------------------------------------------------------------------------

State = tuple[QualifiedName, Command, str]


@dataclass
class PolicyGraph:
    """Policies of one catalog with what they read; build with :func:`build_policy_graph`.

    ``roles`` are the roles the cycle search queries as (the API roles and every other role
    a policy names, minus those that bypass RLS). ``assume_sublink`` lets a caller ask
    "what if these policies had a sub-select?" (used to check a rewrite before proposing
    it).
    """

    catalog: Catalog
    roles: tuple[str, ...]
    assume_sublink: frozenset[ObjectKey] = frozenset()
    # what a policy reads depends on its expressions only: keyed by (using, with check)
    _policy_reads: dict[tuple[str | None, str | None], tuple[Read, ...]] = field(
        default_factory=dict, repr=False
    )
    _fn_reads: dict[str, tuple[Read, ...]] = field(default_factory=dict, repr=False)
    _fn_refs: dict[str, Refs] = field(default_factory=dict, repr=False)
    _view_refs: dict[QualifiedName, Refs] = field(default_factory=dict, repr=False)
    _expr_refs: dict[str, Refs] = field(default_factory=dict, repr=False)
    _members: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _applicable: dict[tuple[QualifiedName, Command, str, bool], tuple[Policy, ...]] = field(
        default_factory=dict, repr=False
    )
    _rls: dict[tuple[QualifiedName, str], bool] = field(default_factory=dict, repr=False)
    # by id() of the catalog's own policies (alive as long as the catalog): the cycle search
    # asks these for the same policies tens of thousands of times on a big project
    _policy_steps: dict[int, Step] = field(default_factory=dict, repr=False)
    _reads_by_id: dict[int, tuple[Read, ...]] = field(default_factory=dict, repr=False)
    _sublink: dict[int, bool] = field(default_factory=dict, repr=False)  # per assume_sublink
    _dead: dict[tuple[State, bool], bool] = field(default_factory=dict, repr=False)
    _live_roles: dict[tuple[QualifiedName, str], bool] = field(default_factory=dict, repr=False)
    _with_public: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _resolved: dict[tuple[CallRef, tuple[str, ...]], tuple[Function, ...]] = field(
        default_factory=dict, repr=False
    )

    def assuming_sublink(self, keys: Iterable[ObjectKey]) -> PolicyGraph:
        """The same graph, asking "what if these policies had a sub-select?". What the
        policies, views and functions read does not depend on that, so the copy shares
        those caches with this graph instead of parsing everything again."""
        return replace(self, assume_sublink=frozenset(keys), _sublink={})

    # -- facts about roles and tables --

    def _role(self, name: str) -> Role | None:
        return self.catalog.role(name)

    def member_roles(self, role: str) -> frozenset[str]:
        """``role`` and the roles it inherits privileges of (``member_of``, transitively)."""
        found = self._members.get(role)
        if found is None:
            found = self._members[role] = self._member_roles(role)
        return found

    def _member_roles(self, role: str) -> frozenset[str]:
        seen = {role}
        todo = [role]
        while todo:
            r = self._role(todo.pop())
            if r is None or not r.inherit:
                continue
            for parent in r.member_of:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def bypasses_rls(self, role: str) -> bool:
        r = self._role(role)
        return r is not None and (r.superuser or r.bypass_rls)

    def rls_applies(self, relation: QualifiedName, role: str) -> bool:
        """Whether ``role`` reading ``relation`` gets its policies applied."""
        key = (relation, role)
        found = self._rls.get(key)
        if found is None:
            found = self._rls[key] = self._rls_applies(relation, role)
        return found

    def _rls_applies(self, relation: QualifiedName, role: str) -> bool:
        table = self.catalog.find_table(*relation)
        if table is None or table.is_view or not table.rls_enabled:
            return False
        if self.bypasses_rls(role):
            return False
        return not (table.owner in self.member_roles(role) and not table.rls_forced)

    def applicable(
        self, relation: QualifiedName, command: Command, role: str, *, top_level: bool = False
    ) -> list[Policy]:
        """Policies PostgreSQL applies for ``command`` on ``relation`` as ``role``.

        ``top_level``: the statement itself is an UPDATE or DELETE, which with a WHERE
        clause (what PostgREST sends) also applies the SELECT policies.
        """
        return list(self._applicable_to(relation, command, role, top_level))

    def _applicable_to(
        self, relation: QualifiedName, command: Command, role: str, top_level: bool
    ) -> tuple[Policy, ...]:
        if top_level:  # a search starts there once: not worth keeping
            return self._select_policies(relation, command, role, top_level)
        key = (relation, command, role, top_level)
        found = self._applicable.get(key)
        if found is None:
            found = self._applicable[key] = self._select_policies(relation, command, role, False)
        return found

    def _select_policies(
        self, relation: QualifiedName, command: Command, role: str, top_level: bool
    ) -> tuple[Policy, ...]:
        roles = self._roles_of(role)
        commands = {command, "ALL"}
        if top_level and command in ("UPDATE", "DELETE"):
            commands.add("SELECT")
        return tuple(
            p
            for p in self.catalog.policies_of(*relation)
            if p.command in commands and not roles.isdisjoint(p.roles)
        )

    def _roles_of(self, role: str) -> frozenset[str]:
        """The roles whose policies apply to ``role``: its own, inherited ones, PUBLIC."""
        found = self._with_public.get(role)
        if found is None:
            found = self._with_public[role] = self.member_roles(role) | {"public"}
        return found

    def policy_has_sublink(self, policy: Policy) -> bool:
        if self.assume_sublink and policy.origin_key in self.assume_sublink:
            return True
        return any(self._expr(e).has_sublink for e in (policy.using, policy.with_check) if e)

    def _has_sublink(self, policy: Policy) -> bool:
        """:meth:`policy_has_sublink` for one of the catalog's policies, remembered."""
        found = self._sublink.get(id(policy))
        if found is None:
            found = self._sublink[id(policy)] = self.policy_has_sublink(policy)
        return found

    def _dead_end(self, state: State, top_level: bool) -> bool:
        """Whether no read of the policies applied in ``state`` gets RLS applied: the
        cycle search can go nowhere from there (most tables of a big project)."""
        key = (state, top_level)
        found = self._dead.get(key)
        if found is None:
            relation, command, role = state
            found = self._dead[key] = not self._live_for(relation, role) or not any(
                self._live_policy(policy, role)
                for policy in self._applicable_to(relation, command, role, top_level)
            )
        return found

    def _live_for(self, relation: QualifiedName, role: str) -> bool:
        """Whether some policy on ``relation`` that applies to ``role`` (any command) reads
        a relation that gets RLS applied: when none does, no state of it leads anywhere."""
        key = (relation, role)
        found = self._live_roles.get(key)
        if found is None:
            roles = self._roles_of(role)
            found = self._live_roles[key] = any(
                not roles.isdisjoint(p.roles) and self._live_policy(p, role)
                for p in self.catalog.policies_of(*relation)
            )
        return found

    def _live_policy(self, policy: Policy, role: str) -> bool:
        return any(
            self.rls_applies(read.relation, read.role or role) for read in self._reads_of(policy)
        )

    def _reads_of(self, policy: Policy) -> tuple[Read, ...]:
        """:meth:`reads_of_policy` for one of the catalog's policies, by identity."""
        found = self._reads_by_id.get(id(policy))
        if found is None:
            found = self._reads_by_id[id(policy)] = self.reads_of_policy(policy)
        return found

    def _step_of(self, policy: Policy) -> Step:
        """One of the catalog's policies as a path step."""
        found = self._policy_steps.get(id(policy))
        if found is None:
            found = self._policy_steps[id(policy)] = Step(
                "policy", policy.schema, policy.name, policy.table, policy.command
            )
        return found

    # -- references --

    def _expr(self, expr: str) -> Refs:
        if expr not in self._expr_refs:
            node = parse_expression(expr)
            self._expr_refs[expr] = references(node) if node is not None else regex_references(expr)
        return self._expr_refs[expr]

    def policy_refs(self, policy: Policy) -> Refs:
        """Everything a policy's USING and WITH CHECK reference (as written)."""
        refs = Refs()
        for expr in (policy.using, policy.with_check):
            if expr:
                refs += self._expr(expr)
        return refs

    def function_refs(self, fn: Function) -> Refs:
        key = fn.signature
        if key not in self._fn_refs:
            self._fn_refs[key] = function_references(fn)
        return self._fn_refs[key]

    def _view_refs_of(self, view: View) -> Refs:
        key = (view.schema, view.name)
        if key not in self._view_refs:
            stmts = statements(view.definition)
            self._view_refs[key] = (
                references(list(stmts)) if stmts is not None else regex_references(view.definition)
            )
        return self._view_refs[key]

    def resolve_relation(self, ref: RelRef, path: tuple[str, ...]) -> Table | None:
        schemas = (ref.schema,) if ref.schema else path
        for schema in schemas:
            table = self.catalog.find_table(schema, ref.name)
            if table is not None:
                return table
        return None

    def resolve_function(self, ref: CallRef, path: tuple[str, ...]) -> tuple[Function, ...]:
        """Catalog functions a call may run (overloads with that many arguments first).
        Functions of Supabase-internal schemas and of extensions are not followed."""
        key = (ref, path)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve_function(ref, path)
        return found

    def _resolve_function(self, ref: CallRef, path: tuple[str, ...]) -> tuple[Function, ...]:
        schemas = (ref.schema,) if ref.schema else path
        for schema in schemas:
            found = self.catalog.functions_named(schema, ref.name)
            if found:
                found = tuple(f for f in found if not f.is_internal_schema and not f.extension)
                exact = tuple(f for f in found if _arg_count(f) == ref.nargs)
                return exact or found
        return ()

    def functions_called(self, policy: Policy) -> tuple[Function, ...]:
        """Project functions a policy calls, directly or through other functions / views."""
        seen: dict[str, Function] = {}
        todo = [(c, DEFAULT_SEARCH_PATH) for c in self.policy_refs(policy).calls]
        while todo:
            call, path = todo.pop()
            for fn in self.resolve_function(call, path):
                if fn.signature in seen:
                    continue
                seen[fn.signature] = fn
                fpath = parse_search_path(fn.search_path)
                todo += [(c, fpath) for c in self.function_refs(fn).calls]
        return tuple(seen.values())

    # -- reads --

    def _reads(
        self,
        refs: Refs,
        path: tuple[str, ...],
        role: str | None,
        runtime: bool,
        active_fns: frozenset[str],
        active_views: frozenset[QualifiedName],
    ) -> list[Read]:
        out: list[Read] = []
        for rel in refs.relations:
            table = self.resolve_relation(rel, path)
            if table is None:
                continue
            if table.kind == "view":
                view = self.catalog.view(table.schema, table.name)
                if view is None or table.key in active_views:
                    continue
                step = Step("view", view.schema, view.name)
                view_role = role if view.security_invoker else view.owner
                inner = self._reads(
                    self._view_refs_of(view),
                    DEFAULT_SEARCH_PATH,
                    view_role,
                    runtime,
                    active_fns,
                    active_views | {table.key},
                )
                # functions in a view run as the caller, not the view owner
                out += [
                    Read(r.relation, r.command, (step, *r.via), r.runtime, r.role) for r in inner
                ]
            elif table.kind != "materialized_view":  # a matview stores rows: no RLS inside
                out.append(Read(table.key, rel.command, (), runtime, role))
        for call in refs.calls:
            for fn in self.resolve_function(call, path):
                if fn.signature in active_fns:
                    continue
                step = Step("function", fn.schema, fn.name, signature=fn.signature)
                fn_role = fn.owner if fn.security_definer else role
                inner = self._reads(
                    self.function_refs(fn),
                    parse_search_path(fn.search_path),
                    fn_role,
                    True,
                    active_fns | {fn.signature},
                    active_views,
                )
                out += [
                    Read(r.relation, r.command, (step, *r.via), r.runtime, r.role) for r in inner
                ]
        return out

    def reads_of_policy(self, policy: Policy) -> tuple[Read, ...]:
        """Every relation the policy reads, through sub-selects, views and functions."""
        key = (policy.using, policy.with_check)
        if key not in self._policy_reads:
            reads = self._reads(
                self.policy_refs(policy), DEFAULT_SEARCH_PATH, None, False, frozenset(), frozenset()
            )
            self._policy_reads[key] = tuple(dict.fromkeys(reads))
        return self._policy_reads[key]

    def reads_of_view(self, view: View) -> tuple[Read, ...]:
        """Every relation a view reads (through other views and functions); ``role`` is
        the view owner's unless the view is ``security_invoker``."""
        role = None if view.security_invoker else view.owner
        reads = self._reads(
            self._view_refs_of(view),
            DEFAULT_SEARCH_PATH,
            role,
            False,
            frozenset(),
            frozenset({(view.schema, view.name)}),
        )
        return tuple(dict.fromkeys(reads))

    def reads_of_function(self, fn: Function) -> tuple[Read, ...]:
        """Every relation a function's body reads (through views and other functions)."""
        if fn.signature not in self._fn_reads:
            fn_role = fn.owner if fn.security_definer else None
            reads = self._reads(
                self.function_refs(fn),
                parse_search_path(fn.search_path),
                fn_role,
                True,
                frozenset({fn.signature}),
                frozenset(),
            )
            self._fn_reads[fn.signature] = tuple(dict.fromkeys(reads))
        return self._fn_reads[fn.signature]


def _arg_count(fn: Function) -> int:
    args = fn.identity_args.strip()
    if not args:
        return 0
    depth = 0
    count = 1
    for ch in args:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            count += 1
    return count


def _start_roles(catalog: Catalog) -> tuple[str, ...]:
    named = {r for p in catalog.policies for r in p.roles if r != "public"}
    roles = sorted(set(API_ROLES) | named)
    out = []
    for name in roles:
        role = catalog.role(name)
        if role is not None and (role.superuser or role.bypass_rls):
            continue
        out.append(name)
    return tuple(out)


def build_policy_graph(
    catalog: Catalog,
    roles: Iterable[str] | None = None,
    assume_sublink: Iterable[ObjectKey] = (),
) -> PolicyGraph:
    """The policy graph of ``catalog``. ``roles`` defaults to anon, authenticated and every
    role named in a policy (roles that bypass RLS are left out)."""
    return PolicyGraph(
        catalog,
        tuple(roles) if roles is not None else _start_roles(catalog),
        frozenset(assume_sublink),
    )


# --- the cycle search ------------------------------------------------------------------


@dataclass
class _Frame:
    state: State
    steps: tuple[Step, ...]  # steps from the previous frame's table to this table
    runtime: bool  # entered through a function
    active: frozenset[QualifiedName]  # the rewriter's active relations when entering


@dataclass
class _Search:
    graph: PolicyGraph
    found: dict[tuple[str, ...], Cycle] = field(default_factory=dict)
    budget: int = _STEP_BUDGET

    def run(self) -> list[Cycle]:
        g = self.graph
        tables = [
            t for t in g.catalog.base_tables if t.rls_enabled and g.catalog.policies_of(*t.key)
        ]
        for table in tables:
            key = table.key
            for role in g.roles:
                if not g.rls_applies(key, role) or not g._live_for(key, role):
                    continue  # no policy of it for this role reads anything RLS applies to
                for command in COMMANDS:
                    state: State = (key, command, role)
                    if g._dead_end(state, True):
                        continue  # a search from here would find nothing
                    self.budget = _STEP_BUDGET  # per start, so one knot cannot starve the rest
                    self._dfs([_Frame(state, (), False, frozenset())])
        return sorted(self.found.values(), key=lambda c: (c.table, c.path))

    def run_from(self, state: State) -> list[Cycle]:
        if self.graph.rls_applies(state[0], state[2]):
            self._dfs([_Frame(state, (), False, frozenset())])
        return sorted(self.found.values(), key=lambda c: (c.table, c.path))

    def _dfs(self, frames: list[_Frame]) -> None:
        self.budget -= 1
        if self.budget <= 0:
            return
        g = self.graph
        current = frames[-1]
        relation, command, role = current.state
        policies = g._applicable_to(relation, command, role, len(frames) == 1)
        has_sub = any(g._has_sublink(p) for p in policies)
        active = current.active | {relation} if has_sub else current.active
        for policy in policies:
            pstep = g._step_of(policy)
            for read in g._reads_of(policy):
                read_role = read.role or role
                if not g.rls_applies(read.relation, read_role):
                    continue
                child_state: State = (read.relation, read.command, read_role)
                steps = (pstep, *read.via)
                if not read.runtime and read.relation in active:
                    child_policies = g._applicable_to(read.relation, read.command, read_role, False)
                    blockers = [p for p in child_policies if g._has_sublink(p)]
                    if blockers:
                        self._record_rewrite(frames, steps, child_state, blockers)
                        continue
                on_path = next((i for i, f in enumerate(frames) if f.state == child_state), None)
                if on_path is not None:
                    self._record(frames, on_path, steps, "54001", ())
                    continue
                if g._dead_end(child_state, False):
                    self.budget -= 1  # what entering it costs, so the budget runs out as before
                    continue
                child_active = frozenset() if read.runtime else active
                self._dfs([*frames, _Frame(child_state, steps, read.runtime, child_active)])

    def _record_rewrite(
        self,
        frames: list[_Frame],
        steps: tuple[Step, ...],
        child: State,
        blockers: list[Policy],
    ) -> None:
        # the loop starts at the latest frame of the same relation in the rewriter's chain
        # (no function boundary after it)
        start = len(frames) - 1
        for i in range(len(frames) - 1, -1, -1):
            if frames[i].state[0] == child[0]:
                start = i
                break
            if frames[i].runtime:
                break
        first_policy = frames[start + 1].steps[0] if start + 1 < len(frames) else steps[0]
        names = tuple(
            p.name
            for p in blockers
            if (p.schema, p.table, p.name)
            != (first_policy.schema, first_policy.table, first_policy.name)
        )
        closed = len(names) < len(blockers)  # the cycle's own first policy re-applies
        self._record(frames, start, steps, "42P17", () if closed else names)

    def _record(
        self,
        frames: list[_Frame],
        start: int,
        last_steps: tuple[Step, ...],
        sqlstate: str,
        reentry: tuple[str, ...],
    ) -> None:
        origin = frames[start]
        table = Step("table", *origin.state[0])
        steps: list[Step] = [table]
        for frame in frames[start + 1 :]:
            steps += [*frame.steps, Step("table", *frame.state[0])]
        steps += [*last_steps, table]
        closed = not reentry
        if closed:
            steps = _canonical(steps)
        key = (
            sqlstate,
            *(s.label for s in steps),
            *(f"{s.schema}.{s.table}" for s in steps if s.kind == "policy"),
        )
        # who queries, and which statements on the cycle's first table fail
        roles = {frames[0].state[2]}
        first = (steps[0].schema, steps[0].name)
        commands = {frames[0].state[1]} if frames[0].state[0] == first else set()
        old = self.found.get(key)
        if old is not None:
            roles |= set(old.roles)
            commands |= set(old.commands)
        self.found[key] = Cycle(
            tuple(steps),
            sqlstate,
            tuple(sorted(roles)),
            tuple(c for c in COMMANDS if c in commands),
            reentry,
        )


def _canonical(steps: list[Step]) -> list[Step]:
    """Rotate a closed loop to start at its smallest table, so each cycle has one form."""
    body = steps[:-1]
    starts = [i for i, s in enumerate(body) if s.kind == "table"]
    best = min(
        starts, key=lambda i: (body[i].schema, body[i].name, [s.label for s in body[i:] + body[:i]])
    )
    rotated = body[best:] + body[:best]
    return [*rotated, rotated[0]]


def find_cycles(graph: PolicyGraph) -> list[Cycle]:
    """Every distinct policy cycle, each once (closed loops in a canonical rotation)."""
    return _Search(graph).run()


def cycles_through(graph: PolicyGraph, schema: str, table: str) -> list[Cycle]:
    """The cycles that pass through ``schema.table``: why a query on it raises 42P17 or
    54001 (for ``pgvet rls test``)."""
    return [c for c in find_cycles(graph) if (schema, table) in c.tables]


def cycles_reached(
    graph: PolicyGraph,
    schema: str,
    table: str,
    command: Command = "SELECT",
    role: str = "authenticated",
) -> list[Cycle]:
    """The cycles a ``command`` on ``schema.table`` by ``role`` runs into, including those
    of other tables its policies read: why that statement raises 42P17 or 54001. Empty
    when the statement is safe (or RLS does not apply to the role)."""
    return _Search(graph).run_from(((schema, table), command, role))
