"""The migration history: each statement of each migration file, parsed, with what the
schema looked like just before it (tables, columns, indexes, checks), so migration rules
can ask "what did this statement change, and what was there already?"
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pgvet.analysis.memo import memo
from pgvet.analysis.sql.parse import statement_kinds, statements
from pgvet.analysis.sql.quote import qualified
from pgvet.replay.project import MigrationFile, Project, Statement

Node = dict[str, Any]

TableKey = tuple[str, str]

DEFAULT_SCHEMA = "public"


def parse(text: str) -> tuple[tuple[str, Node], ...]:
    """``(node type, node)`` for each statement in ``text``; empty when it does not parse.

    The trees are the shared, cached ones (every rule walks the same statements): callers
    must not change them."""
    out: list[tuple[str, Node]] = []
    for node in statements(text) or ():
        if node:
            kind, body = next(iter(node.items()))
            out.append((kind, body))
    return tuple(out)


def rel_key(rel: Node) -> TableKey:
    """``(schema, name)`` of a RangeVar, unqualified names in ``public``."""
    return rel.get("schemaname", DEFAULT_SCHEMA), rel.get("relname", "")


def names_key(items: list[Node]) -> TableKey:
    """``(schema, name)`` of a qualified-name list (``[String, String]``)."""
    parts = [i["String"]["sval"] for i in items if "String" in i]
    if len(parts) >= 2:
        return parts[-2], parts[-1]
    return DEFAULT_SCHEMA, parts[-1] if parts else ""


def key_sql(key: TableKey) -> str:
    """``schema.table`` as SQL: each part quoted when it must be, so fixes built from it run."""
    return qualified(*key)


def strip_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_locations(v) for k, v in node.items() if k != "location"}
    if isinstance(node, list):
        return [strip_locations(v) for v in node]
    return node


@dataclass(frozen=True)
class IndexDef:
    """A named index some earlier statement created, and its normalized definition.

    The definition (:attr:`shape`) is computed from the statement's tree when first asked
    for: most walks never compare two definitions, and every rule walks every index."""

    table: TableKey
    node: Node = field(repr=False, compare=False)
    stmt: Statement

    @functools.cached_property
    def shape(self) -> str:
        return index_shape(self.node)


@dataclass
class CheckDef:
    """A CHECK constraint: which columns it proves non-null, and when it was validated."""

    not_null: frozenset[str]
    validated_in: int | None  # number of the file whose statement validated it


@dataclass(eq=False)
class Step:
    """One parsed statement of one file, as the walk hands it to a rule.

    ``kind`` is read off the parser's JSON; the tree (:attr:`node`) is decoded when first
    asked for, so the INSERTs, GRANTs and COMMENTs that make up much of a large project,
    which no rule looks into, are never decoded (rules test ``kind`` first). Not frozen:
    a frozen dataclass sets each field through ``object.__setattr__``, and 19,000 of them
    took 50 ms to build; each step is its own (identity) and no one changes one."""

    file: MigrationFile
    file_no: int
    stmt: Statement
    kind: str
    position: int  # which statement of ``stmt.text`` (0 but for an odd split)
    others_in_file: int  # statements of the same file besides this one

    @functools.cached_property
    def node(self) -> Node:
        """The statement's tree (shared: do not change it)."""
        parsed = parse(self.stmt.text)
        return parsed[self.position][1] if self.position < len(parsed) else {}

    @functools.cached_property
    def alter_commands(self) -> tuple[tuple[TableKey, Node], ...]:
        """``(table, AlterTableCmd)`` of an ALTER TABLE, read once for every rule."""
        return _alter_commands(self.node)

    @functools.cached_property
    def table_definition(self) -> TableDefinition:
        """What a CREATE TABLE defines, read from the tree once for every walk."""
        return TableDefinition.of(self.node)


@dataclass(frozen=True)
class TableDefinition:
    """The columns (name, type) and CHECK constraints (name, NOT VALID, columns proven
    non-null) of a CREATE TABLE, in statement order, and whether they are all its columns
    (no LIKE, inheritance or partition of)."""

    complete: bool
    columns: tuple[tuple[str, Node | None], ...]
    checks: tuple[tuple[str | None, bool, frozenset[str]], ...]

    @classmethod
    def of(cls, node: Node) -> TableDefinition:
        elts = node.get("tableElts", [])
        plain = not node.get("inhRelations") and not node.get("partbound")
        complete = plain and all("ColumnDef" in e or "Constraint" in e for e in elts)
        columns: list[tuple[str, Node | None]] = []
        checks: list[tuple[str | None, bool, frozenset[str]]] = []

        def check(con: Node) -> None:
            if con.get("contype") == "CONSTR_CHECK":
                proven = not_null_columns(con.get("raw_expr", {}))
                checks.append((con.get("conname"), bool(con.get("skip_validation")), proven))

        for elt in elts:
            col = elt.get("ColumnDef")
            if col:
                columns.append((col["colname"], col.get("typeName")))
                for con in col.get("constraints", []):
                    check(con.get("Constraint", {}))
            check(elt.get("Constraint", {}))
        return cls(complete, tuple(columns), tuple(checks))


@dataclass
class History:
    """What the statements before the current one did (as far as static SQL tells).

    ``fresh`` holds the tables created earlier in the *current* file: they are new and empty
    when the file runs, and invisible to other sessions until the file's transaction
    commits, so locking them harms nobody. Any other table a statement touches existed
    before the file (created by an earlier file, by Supabase, or outside the migrations).
    """

    live: set[TableKey] = field(default_factory=set)
    fresh: set[TableKey] = field(default_factory=set)
    columns: dict[TableKey, dict[str, Node | None]] = field(default_factory=dict)
    complete: set[TableKey] = field(default_factory=set)  # every column known
    indexes: dict[TableKey, IndexDef] = field(default_factory=dict)  # (schema, index name)
    checks: dict[TableKey, dict[str, CheckDef]] = field(default_factory=dict)
    created_by: dict[TableKey, Statement] = field(default_factory=dict)
    # every table some index in ``indexes`` was ever on: forgetting a table looks through
    # ``indexes`` only for these (a CREATE TABLE of a new name has none)
    _indexed: set[TableKey] = field(default_factory=set)
    file_no: int = 0
    begin_line: int | None = None  # line of an open BEGIN in the current file
    _anonymous: int = 0

    def existed(self, key: TableKey) -> bool:
        """Whether ``key`` existed before the current file (or is unknown to the walk)."""
        return key not in self.fresh

    def known_missing_column(self, key: TableKey, column: str) -> bool:
        """True when the walk saw every column of ``key`` and ``column`` is not one."""
        return key in self.complete and column not in self.columns.get(key, {})

    def column_type(self, key: TableKey, column: str) -> Node | None:
        return self.columns.get(key, {}).get(column)

    # -- updates --

    def start_file(self, file_no: int) -> None:
        self.file_no = file_no
        self.fresh.clear()
        self.begin_line = None

    def apply(self, step: Step) -> None:
        handler = _HANDLERS.get(step.kind)
        if handler is not None:
            handler(self, step.node, step)

    def _on_TransactionStmt(self, node: Node, step: Step) -> None:
        kind = node.get("kind", "")
        if kind in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
            self.begin_line = step.stmt.line
        elif kind in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"):
            self.begin_line = None

    def _created(self, key: TableKey, if_not_exists: bool, stmt: Statement) -> bool:
        if if_not_exists and key in self.live:
            return False
        self._forget(key)
        self.created_by[key] = stmt
        self.live.add(key)
        self.fresh.add(key)
        self.columns[key] = {}
        return True

    def _on_CreateStmt(self, node: Node, step: Step) -> None:
        key = rel_key(node["relation"])
        if not self._created(key, bool(node.get("if_not_exists")), step.stmt):
            return
        table = step.table_definition
        if table.complete:
            self.complete.add(key)
        self.columns[key] = dict(table.columns)
        for name, skip_validation, proven in table.checks:
            self._record_check(key, name, skip_validation, proven)

    def _on_CreateTableAsStmt(self, node: Node, step: Step) -> None:
        self._created(rel_key(node["into"]["rel"]), bool(node.get("if_not_exists")), step.stmt)

    def _forget(self, key: TableKey) -> None:
        self.live.discard(key)
        self.fresh.discard(key)
        self.columns.pop(key, None)
        self.complete.discard(key)
        self.checks.pop(key, None)
        if key in self._indexed:
            for name in [n for n, i in self.indexes.items() if i.table == key]:
                del self.indexes[name]

    def _on_DropStmt(self, node: Node, step: Step) -> None:
        kind = node.get("removeType")
        for obj in node.get("objects", []):
            items = obj.get("List", {}).get("items", [])
            if not items:
                continue
            key = names_key(items)
            if kind in ("OBJECT_TABLE", "OBJECT_MATVIEW"):
                self._forget(key)
            elif kind == "OBJECT_INDEX":
                self.indexes.pop(key, None)

    def _on_RenameStmt(self, node: Node, step: Step) -> None:
        kind = node.get("renameType")
        rel = node.get("relation")
        if rel is None:
            return
        key = rel_key(rel)
        new = node.get("newname", "")
        if kind == "OBJECT_TABLE":
            self._rename_table(key, (key[0], new))
        elif kind == "OBJECT_COLUMN" and key in self.columns:
            cols = self.columns[key]
            if node.get("subname") in cols:
                cols[new] = cols.pop(node["subname"])
        elif kind == "OBJECT_INDEX" and key in self.indexes:
            self.indexes[(key[0], new)] = self.indexes.pop(key)

    def _rename_table(self, old: TableKey, new: TableKey) -> None:
        for bag in (self.live, self.fresh, self.complete):
            if old in bag:
                bag.discard(old)
                bag.add(new)
        for mapping in (self.columns, self.checks, self.created_by):
            if old in mapping:
                mapping[new] = mapping.pop(old)  # type: ignore[index]
        if old in self._indexed:
            self._indexed.add(new)
            for name, idx in list(self.indexes.items()):
                if idx.table == old:
                    self.indexes[name] = IndexDef(new, idx.node, idx.stmt)

    def _on_IndexStmt(self, node: Node, step: Step) -> None:
        name = node.get("idxname")
        if not name:
            return
        table = rel_key(node["relation"])
        key = (table[0], name)
        if key in self.indexes and node.get("if_not_exists"):
            return  # skipped by PostgreSQL: the earlier definition stays
        self.indexes[key] = IndexDef(table, node, step.stmt)
        self._indexed.add(table)

    def _on_AlterTableStmt(self, node: Node, step: Step) -> None:
        if node.get("objtype", "OBJECT_TABLE") != "OBJECT_TABLE":
            return
        key = rel_key(node["relation"])
        for cmd in node.get("cmds", []):
            sub = cmd.get("AlterTableCmd", {})
            self._alter(key, sub)

    def _alter(self, key: TableKey, sub: Node) -> None:
        subtype = sub.get("subtype")
        cols = self.columns.setdefault(key, {})
        definition = sub.get("def", {})
        if subtype == "AT_AddColumn":
            col = definition.get("ColumnDef", {})
            if col.get("colname") and not (sub.get("missing_ok") and col["colname"] in cols):
                cols[col["colname"]] = col.get("typeName")
                for con in col.get("constraints", []):
                    self._add_check(key, con.get("Constraint", {}), col["colname"])
        elif subtype == "AT_DropColumn":
            cols.pop(sub.get("name", ""), None)
        elif subtype == "AT_AlterColumnType" and sub.get("name"):
            cols[sub["name"]] = definition.get("ColumnDef", {}).get("typeName")
        elif subtype == "AT_AddConstraint":
            self._add_check(key, definition.get("Constraint", {}), None)
        elif subtype == "AT_ValidateConstraint":
            check = self.checks.get(key, {}).get(sub.get("name", ""))
            if check is not None and check.validated_in is None:
                check.validated_in = self.file_no
        elif subtype == "AT_DropConstraint":
            self.checks.get(key, {}).pop(sub.get("name", ""), None)

    def _add_check(self, key: TableKey, con: Node, column: str | None) -> None:
        if con.get("contype") != "CONSTR_CHECK":
            return
        self._record_check(
            key,
            con.get("conname"),
            bool(con.get("skip_validation")),
            not_null_columns(con.get("raw_expr", {})),
        )

    def _record_check(
        self, key: TableKey, name: str | None, skip_validation: bool, proven: frozenset[str]
    ) -> None:
        if not name:
            self._anonymous += 1
            name = f"<unnamed {self._anonymous}>"
        validated = None if skip_validation else self.file_no
        self.checks.setdefault(key, {})[name] = CheckDef(proven, validated)


_HANDLERS = {
    name[len("_on_") :]: handler
    for name, handler in vars(History).items()
    if name.startswith("_on_") and callable(handler)
}


def steps(project: Project) -> tuple[tuple[Step, ...], ...]:
    """Every parsed statement of ``project``, per file, in apply order: built once per
    project (a dozen migration rules walk them; each statement is parsed once)."""
    return memo(project, "history steps", lambda: _steps(project))


def _steps(project: Project) -> tuple[tuple[Step, ...], ...]:
    out = []
    for file_no, migration in enumerate(project.files):
        count = len(migration.statements)
        out.append(
            tuple(
                Step(migration, file_no, stmt, kind, position, count - 1)
                for stmt in migration.statements
                for position, kind in enumerate(_kinds(stmt.text) or ())
            )
        )
    return tuple(out)


def steps_of(project: Project, kinds: frozenset[str]) -> tuple[Step, ...]:
    """The steps of ``kinds``, in apply order: an index that needs a few kinds of statement
    does not test all 19,000 of a large project (the steps know every statement's kind)."""
    return memo(
        project,
        "steps of " + ",".join(sorted(kinds)),
        lambda: tuple(
            step for file_steps in steps(project) for step in file_steps if step.kind in kinds
        ),
    )


def statements_of(project: Project, kinds: frozenset[str]) -> tuple[Statement, ...]:
    """The project's statements that hold a statement of one of ``kinds``, each once, in
    apply order."""
    out: list[Statement] = []
    for step in steps_of(project, kinds):
        if not out or out[-1] is not step.stmt:  # a statement's steps are next to each other
            out.append(step.stmt)
    return tuple(out)


#: statements whose first words say their kind and whose tree no migration rule or history
#: handler reads (the seed's data, grants, policies, triggers, functions, DO blocks: 70 %
#: of a large project's statements): their steps get the kind without a parse, and a
#: tree only if some rule asks for one. Those that fit on one line of SQL must hold no
#: inner ``;`` (a second statement); a body (``$$…$$``) holds its own, but the project's
#: split (the parser's, or its tokens' at top-level semicolons) already cut the text at
#: the statement's end.
_KIND_BY_FIRST_WORDS = (
    (re.compile(r"\s*insert\s", re.I), "InsertStmt", False),
    (re.compile(r"\s*update\s", re.I), "UpdateStmt", False),
    (re.compile(r"\s*delete\s", re.I), "DeleteStmt", False),
    (re.compile(r"\s*comment\s", re.I), "CommentStmt", False),
    (re.compile(r'\s*(?:grant|revoke)\s[^;"]*?\son\s', re.I), "GrantStmt", False),
    (re.compile(r"\s*create\s+policy\s", re.I), "CreatePolicyStmt", False),
    (
        re.compile(r"\s*create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger\s", re.I),
        "CreateTrigStmt",
        False,
    ),
    (
        re.compile(r"\s*create\s+(?:or\s+replace\s+)?(?:function|procedure)\s", re.I),
        "CreateFunctionStmt",
        True,
    ),
    (re.compile(r"\s*do\b", re.I), "DoStmt", True),
)


def _kinds(text: str) -> tuple[str, ...] | None:
    """The kind of each statement of ``text``: from its first words for the statements no
    one looks into (not parsed: its step's tree is parsed only if some rule asks for it),
    else from the parser."""
    for pattern, kind, has_body in _KIND_BY_FIRST_WORDS:
        if pattern.match(text) is not None:
            if has_body or ("$" not in text and ";" not in text.rstrip().rstrip(";")):
                return (kind,)
            break
    return statement_kinds(text)


def walk(project: Project, kinds: frozenset[str] | None = None) -> Iterator[tuple[Step, History]]:
    """Every parsed statement in apply order (those of ``kinds`` only, when given), with
    the history *before* it runs.

    The history is updated after the consumer resumes the generator, so a rule sees the
    state the statement met. The steps are shared between walks; each walk has its own
    history, which the statements of other kinds still update.
    """
    history = History()
    handlers = _HANDLERS
    read = None if kinds is None else kinds | handlers.keys()
    for file_no, file_steps in enumerate(steps(project)):
        history.start_file(file_no)
        if read is not None:  # the seed's rows and the grants: most of a large project
            file_steps = tuple(step for step in file_steps if step.kind in read)
        for step in file_steps:
            if kinds is None or step.kind in kinds:
                yield step, history
            handler = handlers.get(step.kind)  # History.apply, inlined: 19,000 steps a walk
            if handler is not None:
                handler(history, step.node, step)


Visit = Callable[[Step, History], Iterable[Any] | None]


@dataclass
class Visitor:
    """A migration rule as a visitor of one shared walk of the history.

    A dozen migration rules each walked the whole history (19,000 statements and their
    effects on the history, each time) to look at a few kinds of statement. A rule that
    returns a Visitor is handed only the steps of its ``kinds`` (every step when None),
    with the history before each, during one walk shared with the other rules
    (:func:`visit_all`, used by the lint engine); ``finish`` runs after the last step.
    Iterating a Visitor walks the history for it alone, so it still reads as the rule's
    hits wherever a rule is run by itself."""

    project: Project
    visit: Visit
    kinds: frozenset[str] | None = None
    finish: Callable[[], Iterable[Any]] | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter(visit_all(self.project, [self])[0])


def visit_all(project: Project, visitors: list[Visitor]) -> list[list[Any]]:
    """What each visitor yields, from one walk of ``project``'s history."""
    out: list[list[Any]] = [[] for _ in visitors]
    every = [(out[i], v.visit) for i, v in enumerate(visitors) if v.kinds is None]
    by_kind: dict[str, list[tuple[list[Any], Visit]]] = {}
    for i, v in enumerate(visitors):
        for kind in v.kinds or ():
            by_kind.setdefault(kind, []).append((out[i], v.visit))
    kinds = None if every else frozenset(by_kind)
    for step, history in walk(project, kinds):
        for sink, visit in by_kind.get(step.kind, ()):
            found = visit(step, history)
            if found:
                sink.extend(found)  # consumed now: the history is that before the step
        for sink, visit in every:
            found = visit(step, history)
            if found:
                sink.extend(found)
    for i, v in enumerate(visitors):
        if v.finish is not None:
            out[i].extend(v.finish())
    return out


def alter_commands(step: Step) -> tuple[tuple[TableKey, Node], ...]:
    """``(table, AlterTableCmd)`` for each sub-command of an ``ALTER TABLE`` statement."""
    if step.kind != "AlterTableStmt":
        return ()
    return step.alter_commands


def _alter_commands(node: Node) -> tuple[tuple[TableKey, Node], ...]:
    if node.get("objtype") != "OBJECT_TABLE":
        return ()
    key = rel_key(node["relation"])
    return tuple((key, sub) for cmd in node.get("cmds", []) if (sub := cmd.get("AlterTableCmd")))


def not_null_columns(expr: Node) -> frozenset[str]:
    """Columns a CHECK expression proves non-null: ``col IS NOT NULL`` (possibly AND-ed)."""
    test = expr.get("NullTest")
    if test is not None:
        fields = test.get("arg", {}).get("ColumnRef", {}).get("fields", [])
        if test.get("nulltesttype") == "IS_NOT_NULL" and len(fields) == 1 and "String" in fields[0]:
            return frozenset({fields[0]["String"]["sval"]})
        return frozenset()
    boolean = expr.get("BoolExpr")
    if boolean is not None and boolean.get("boolop") == "AND_EXPR":
        out: frozenset[str] = frozenset()
        for arg in boolean.get("args", []):
            out |= not_null_columns(arg)
        return out
    return frozenset()


_IGNORED_INDEX_KEYS = frozenset({"idxname", "if_not_exists", "concurrent", "idxcomment"})


def _index_elem(elem: Node) -> Node:
    """An index key with the default sort and null orders spelled one way."""
    out = dict(elem)
    ordering = out.get("ordering", "SORTBY_DEFAULT")
    if ordering == "SORTBY_ASC":
        ordering = "SORTBY_DEFAULT"
    nulls = out.get("nulls_ordering", "SORTBY_NULLS_DEFAULT")
    if (ordering, nulls) in (
        ("SORTBY_DEFAULT", "SORTBY_NULLS_LAST"),
        ("SORTBY_DESC", "SORTBY_NULLS_FIRST"),
    ):
        nulls = "SORTBY_NULLS_DEFAULT"
    out["ordering"], out["nulls_ordering"] = ordering, nulls
    return out


def index_shape(node: Node) -> str:
    """A canonical text of what an index *is*: table, method, keys, INCLUDE, predicate,
    uniqueness, options; not its name, IF NOT EXISTS, CONCURRENTLY or token positions."""
    body = {k: v for k, v in node.items() if k not in _IGNORED_INDEX_KEYS}
    body["relation"] = list(rel_key(node["relation"]))
    body["accessMethod"] = node.get("accessMethod", "btree")
    for key in ("indexParams", "indexIncludingParams"):
        body[key] = [
            {"IndexElem": _index_elem(p["IndexElem"])} if "IndexElem" in p else p
            for p in node.get(key, [])
        ]
    return json.dumps(strip_locations(body), sort_keys=True)
