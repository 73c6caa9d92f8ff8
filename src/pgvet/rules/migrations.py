"""Migration-safety rules: statement-level checks of the project's files (pglast).

The catalog says what the database *is*; these rules read how the migrations *get there*,
statement by statement, in the order the Supabase CLI applies them. What matters for safety
is the state of the database when a statement runs on production: a ``create index`` on a
table created three statements earlier in the same file locks nobody (the table is new and
empty, and the CLI runs the file in one transaction), the same statement on a table created
by an earlier file blocks every write while the index builds.

So every rule here walks the files through :func:`walk`, which keeps a small history of
what earlier statements did (tables created, created in this very file, columns and their
types, named indexes and their definitions, CHECK constraints and whether they were
validated) and hands each statement to the rule together with that history. Statements
that do not parse are skipped; dynamic SQL (``DO`` blocks, ``EXECUTE``) is not followed.
Unqualified names resolve to ``public``, as a Supabase project's ``search_path`` does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pglast import parser as pg_parser

from pgvet.catalog.model import Catalog
from pgvet.replay.ddl import touches
from pgvet.replay.project import MigrationFile, Project, Statement
from pgvet.rules.registry import Hit, LintContext, rule

Node = dict[str, Any]
TableKey = tuple[str, str]
DEFAULT_SCHEMA = "public"
_MIGRATIONS = ("migrations",)

# --- parsing ---------------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def parse(text: str) -> tuple[tuple[str, Node], ...]:
    """``(node type, node)`` for each statement in ``text``; empty when it does not parse.

    Cached per text: every rule walks the same statements. Callers must not mutate nodes.
    """
    try:
        tree = json.loads(pg_parser.parse_sql_json(text))
    except Exception:
        return ()
    out: list[tuple[str, Node]] = []
    for raw in tree.get("stmts", []):
        node = raw.get("stmt") or {}
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


def qualified(key: TableKey) -> str:
    return f"{key[0]}.{key[1]}"


def _strip_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_locations(v) for k, v in node.items() if k != "location"}
    if isinstance(node, list):
        return [_strip_locations(v) for v in node]
    return node


def _compact(sql: str, width: int = 140) -> str:
    """One-line form of a statement for a message."""
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the history of the migrations -----------------------------------------------------------


@dataclass(frozen=True)
class IndexDef:
    """A named index some earlier statement created, and its normalized definition."""

    table: TableKey
    shape: str
    stmt: Statement


@dataclass
class CheckDef:
    """A CHECK constraint: which columns it proves non-null, and when it was validated."""

    not_null: frozenset[str]
    validated_in: int | None  # number of the file whose statement validated it


@dataclass(frozen=True)
class Step:
    """One parsed statement of one file, as the walk hands it to a rule."""

    file: MigrationFile
    file_no: int
    stmt: Statement
    kind: str
    node: Node
    others_in_file: int  # statements of the same file besides this one


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
        handler = getattr(self, f"_on_{step.kind}", None)
        if handler is not None:
            handler(step.node, step)

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
        elts = node.get("tableElts", [])
        plain = not node.get("inhRelations") and not node.get("partbound")
        if plain and all("ColumnDef" in e or "Constraint" in e for e in elts):
            self.complete.add(key)
        for elt in elts:
            col = elt.get("ColumnDef")
            if col:
                self.columns[key][col["colname"]] = col.get("typeName")
                for con in col.get("constraints", []):
                    self._add_check(key, con.get("Constraint", {}), col["colname"])
            self._add_check(key, elt.get("Constraint", {}), None)

    def _on_CreateTableAsStmt(self, node: Node, step: Step) -> None:
        self._created(rel_key(node["into"]["rel"]), bool(node.get("if_not_exists")), step.stmt)

    def _forget(self, key: TableKey) -> None:
        self.live.discard(key)
        self.fresh.discard(key)
        self.columns.pop(key, None)
        self.complete.discard(key)
        self.checks.pop(key, None)
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
        for name, idx in list(self.indexes.items()):
            if idx.table == old:
                self.indexes[name] = IndexDef(new, idx.shape, idx.stmt)

    def _on_IndexStmt(self, node: Node, step: Step) -> None:
        name = node.get("idxname")
        if not name:
            return
        table = rel_key(node["relation"])
        key = (table[0], name)
        if key in self.indexes and node.get("if_not_exists"):
            return  # skipped by PostgreSQL: the earlier definition stays
        self.indexes[key] = IndexDef(table, index_shape(node), step.stmt)

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
        name = con.get("conname")
        if not name:
            self._anonymous += 1
            name = f"<unnamed {self._anonymous}>"
        validated = None if con.get("skip_validation") else self.file_no
        proven = not_null_columns(con.get("raw_expr", {}))
        self.checks.setdefault(key, {})[name] = CheckDef(proven, validated)


def walk(project: Project) -> Iterator[tuple[Step, History]]:
    """Every parsed statement in apply order, with the history *before* it runs.

    The history is updated after the consumer resumes the generator, so a rule sees the
    state the statement met.
    """
    history = History()
    for file_no, migration in enumerate(project.files):
        history.start_file(file_no)
        count = len(migration.statements)
        for stmt in migration.statements:
            for kind, node in parse(stmt.text):
                step = Step(migration, file_no, stmt, kind, node, count - 1)
                yield step, history
                history.apply(step)


def alter_commands(step: Step) -> Iterator[tuple[TableKey, Node]]:
    """``(table, AlterTableCmd)`` for each sub-command of an ``ALTER TABLE`` statement."""
    if step.kind != "AlterTableStmt" or step.node.get("objtype") != "OBJECT_TABLE":
        return
    key = rel_key(step.node["relation"])
    for cmd in step.node.get("cmds", []):
        sub = cmd.get("AlterTableCmd")
        if sub:
            yield key, sub


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


def _catalog_knows(catalog: Catalog, schema: str) -> bool:
    """Whether the catalog is complete for ``schema``, so an absent object is really gone
    (not a partial replay, not a Supabase-internal schema the catalog leaves out)."""
    return not catalog.partial and schema in catalog.schema_names()


def _is_partitioned(catalog: Catalog, key: TableKey) -> bool:
    table = catalog.find_table(*key)
    return table is not None and table.kind == "partitioned"


# --- index definitions -----------------------------------------------------------------------

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
    return json.dumps(_strip_locations(body), sort_keys=True)


# --- M401 index-without-concurrently ---------------------------------------------------------

_CREATE_INDEX = re.compile(r"^(\s*create\s+(?:unique\s+)?index)\s+(?!concurrently\b)", re.I)


def concurrent_sql(sql: str) -> str:
    """The statement with CONCURRENTLY added after ``create [unique] index``."""
    return _CREATE_INDEX.sub(r"\1 concurrently ", sql, count=1).rstrip().rstrip(";") + ";"


def index_object(node: Node) -> str:
    table = rel_key(node["relation"])
    name = node.get("idxname")
    return f"index {table[0]}.{name}" if name else qualified(table)


def _index_columns(node: Node) -> str:
    parts = []
    for param in node.get("indexParams", []):
        elem = param.get("IndexElem", {})
        parts.append(elem.get("name") or "expression")
    return ", ".join(parts)


@rule(
    "index-without-concurrently",
    "M401",
    "warn",
    "safety",
    "Index built without CONCURRENTLY on a table that already existed",
    requires=_MIGRATIONS,
    fixable=True,
)
def index_without_concurrently(ctx: LintContext) -> Iterator[Hit]:
    """A plain ``create index`` takes a SHARE lock on the table for the whole build: reads
    go on, but every insert, update and delete waits until the index is finished, which on
    a table with millions of rows means minutes of failed or queued writes. ``create index
    concurrently`` builds it without blocking writes. An index on a table created earlier in
    the *same* migration file is fine: the table is new and empty, and nobody else can see
    it until the file's transaction commits (squawk flags those too; pgvet does not).
    CONCURRENTLY cannot run in a transaction, and the Supabase CLI runs each file in one, so
    the concurrent build goes in a migration file of its own. ``add constraint ... unique``
    / ``primary key`` without ``using index`` is reported too: it builds the index under an
    ACCESS EXCLUSIVE lock, which blocks reads as well.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null,
      starts_at timestamptz not null
    );
    -- file: 20240301000000_index_bookings.sql
    create index idx_bookings_customer_id on public.bookings (customer_id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null,
      starts_at timestamptz not null
    );
    create index idx_bookings_customer_id on public.bookings (customer_id);
    -- file: 20240301000000_index_bookings_starts_at.sql
    create index concurrently if not exists idx_bookings_starts_at on public.bookings (starts_at);
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        for table, sub in alter_commands(step):
            con = sub.get("def", {}).get("Constraint", {})
            if (
                sub.get("subtype") == "AT_AddConstraint"
                and con.get("contype") in ("CONSTR_UNIQUE", "CONSTR_PRIMARY")
                and not con.get("indexname")
                and history.existed(table)
                and not _is_partitioned(ctx.catalog, table)
            ):
                yield _constraint_index_hit(step, table, con)
        node = step.node
        if step.kind != "IndexStmt" or node.get("concurrent"):
            continue
        table = rel_key(node["relation"])
        if not history.existed(table) or node["relation"].get("relpersistence") == "t":
            continue
        if _is_partitioned(ctx.catalog, table):
            continue  # CONCURRENTLY does not work on a partitioned parent
        name = node.get("idxname")
        existing = history.indexes.get((table[0], name)) if name else None
        if existing is not None and node.get("if_not_exists"):
            yield _no_op_index_lock_hit(step, table, existing)
            continue
        target = qualified(table)
        yield Hit(
            object=index_object(node),
            message=(
                f"`create index` on {target}, which existed before this migration, holds a "
                f"SHARE lock on {target} for the whole build: every insert, update and delete "
                "waits until the index is built (minutes on a large table). Build it with "
                "`create index concurrently` in a migration file of its own (the Supabase CLI "
                "runs each file in one transaction, and CONCURRENTLY cannot run in one)."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
            fix=concurrent_sql(step.stmt.text),
            detail="" if name else _index_columns(node),
        )


def _constraint_index_hit(step: Step, table: TableKey, con: Node) -> Hit:
    """``add constraint ... unique / primary key`` builds its index under ACCESS EXCLUSIVE."""
    target = qualified(table)
    kind = "primary key" if con.get("contype") == "CONSTR_PRIMARY" else "unique"
    name = con.get("conname")
    columns = [k["String"]["sval"] for k in con.get("keys", []) if "String" in k]
    fix = None
    if name and columns:
        fix = (
            f"-- in a migration file of its own:\ncreate unique index concurrently if not exists "
            f"{name} on {target} ({', '.join(columns)});\n-- then, in the next migration:\n"
            f"alter table {target} add constraint {name} {kind} using index {name};"
        )
    label = f"{kind} constraint {name}" if name else f"{kind} constraint"
    return Hit(
        object=target,
        message=(
            f"adding the {label} to {target}, which existed before this migration, builds its "
            f"index while holding an ACCESS EXCLUSIVE lock on {target}: no reads or writes "
            "until the build is done. Build the index with `create unique index "
            "concurrently` in a file of its own, then attach it with `add constraint ... "
            f"{kind} using index` (instant)."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=fix,
        detail=f"constraint {name or ','.join(columns)}",
    )


def _no_op_index_lock_hit(step: Step, table: TableKey, existing: IndexDef) -> Hit:
    """``create index if not exists`` of a name that exists: no build, but the lock."""
    target = qualified(table)
    name = step.node.get("idxname", "")
    return Hit(
        object=index_object(step.node),
        message=(
            f"an index named {name} already exists (created at {existing.stmt.location}), so "
            "PostgreSQL skips the build, but only after taking a SHARE lock on "
            f"{target}, which the file's transaction keeps until it commits: writes to "
            f"{target} wait behind this statement and every long transaction ahead of it. "
            "Remove the statement, or make it `create index concurrently` in a file of its own."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=concurrent_sql(step.stmt.text),
    )


# --- M402 concurrently-in-transaction --------------------------------------------------------


def non_transactional_phrase(step: Step) -> str | None:
    """How to name a statement PostgreSQL refuses inside a transaction block
    (``create index concurrently``, ``vacuum``...), or None for any other statement."""
    node = step.node
    if step.kind == "IndexStmt" and node.get("concurrent"):
        return "create index concurrently"
    if step.kind == "DropStmt" and node.get("concurrent"):
        return "drop index concurrently"
    if step.kind == "ReindexStmt":
        params = node.get("params", [])
        if any(p.get("DefElem", {}).get("defname") == "concurrently" for p in params):
            return "reindex concurrently"
    if step.kind == "VacuumStmt" and node.get("is_vacuumcmd"):
        return "vacuum"  # ANALYZE alone runs fine in a transaction
    if step.kind == "AlterSystemStmt":
        return "alter system"
    return None


def _non_transactional_object(step: Step) -> str:
    node = step.node
    if step.kind == "IndexStmt":
        return index_object(node)
    if step.kind == "DropStmt":
        keys = [names_key(o.get("List", {}).get("items", [])) for o in node.get("objects", [])]
        return "index " + ", ".join(qualified(k) for k in keys)
    if step.kind == "VacuumStmt":
        rels = [r.get("VacuumRelation", {}).get("relation") for r in node.get("rels", [])]
        names = [qualified(rel_key(r)) for r in rels if r]
        return ", ".join(names) or "database"
    rel = node.get("relation")
    if step.kind == "ReindexStmt":
        return f"index {qualified(rel_key(rel))}" if rel else f"database {node.get('name', '')}"
    return step.file.filename


@rule(
    "concurrently-in-transaction",
    "M402",
    "error",
    "correctness",
    "CONCURRENTLY (or VACUUM) statement that will run inside a transaction",
    requires=_MIGRATIONS,
)
def concurrently_in_transaction(ctx: LintContext) -> Iterator[Hit]:
    """``create index concurrently``, ``drop index concurrently`` and ``reindex ...
    concurrently`` refuse to run inside a transaction block (SQLSTATE 25001). Two cases
    make that happen to a migration: the file opens one itself with ``begin`` / ``start
    transaction``, or the statement shares its file with other statements: ``supabase db
    push`` sends a file as one batch, which PostgreSQL runs as one implicit transaction,
    and rejects CONCURRENTLY in it ("cannot be executed within a pipeline" / "cannot run
    inside a transaction block"). pgvet's own replay runs such files statement by statement
    so the rest of the review can go on; production will not. The rule: a CONCURRENTLY
    statement must be the only statement of its migration file. ``vacuum`` and ``alter
    system`` have the same restriction and are reported the same way.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_booking_status.sql
    alter table public.bookings add column status text not null default 'pending';
    create index concurrently idx_bookings_status on public.bookings (status);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_booking_status.sql
    alter table public.bookings add column status text not null default 'pending';
    -- file: 20240301000001_index_booking_status.sql
    create index concurrently idx_bookings_status on public.bookings (status);
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        phrase = non_transactional_phrase(step)
        if phrase is None:
            continue
        if history.begin_line is not None:
            why = (
                f"this file opens a transaction with `begin` at line {history.begin_line}, "
                "and PostgreSQL refuses it inside one (SQLSTATE 25001): the migration fails"
            )
        elif step.others_in_file:
            why = (
                f"it shares its file with {step.others_in_file} other statement(s), and "
                "`supabase db push` sends a file as one batch, which PostgreSQL runs as one "
                "implicit transaction and refuses it in (SQLSTATE 25001); pgvet's replay ran "
                "the file statement by statement, production will not"
            )
        else:
            continue
        yield Hit(
            object=_non_transactional_object(step),
            message=(
                f"`{phrase}` cannot run in a transaction: {why}. Move it to a migration file "
                "of its own, without begin/commit."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
            fix=f"-- in a migration file of its own:\n{step.stmt.text.rstrip(';')};",
        )


# --- M403 constraint-without-not-valid -------------------------------------------------------


@rule(
    "constraint-without-not-valid",
    "M403",
    "warn",
    "safety",
    "Foreign key or CHECK added to an existing table without NOT VALID",
    requires=_MIGRATIONS,
    fixable=True,
)
def constraint_without_not_valid(ctx: LintContext) -> Iterator[Hit]:
    """Adding a foreign key or a CHECK constraint to a table that has rows makes PostgreSQL
    read every row to prove the constraint, while it holds a lock: a CHECK holds ACCESS
    EXCLUSIVE on the table (nothing can read or write it), a foreign key holds SHARE ROW
    EXCLUSIVE on the table *and* on the referenced table (no writes to either). Add the
    constraint ``not valid`` instead (instant; new and updated rows are checked from then
    on) and run ``validate constraint`` in a later migration: validation scans under a
    SHARE UPDATE EXCLUSIVE lock that lets reads and writes go on. Validating in the same
    file gains nothing, because the file's transaction keeps the first lock until the end.
    Not flagged: constraints on a table created in the same file, and ``add column ...
    references`` (the new column is all null, so the check costs nothing).

    Bad:
    ```sql
    -- file: 20240101000000_create_tables.sql
    create table public.customers (id uuid primary key default gen_random_uuid());
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_customer_fk.sql
    alter table public.bookings
      add constraint bookings_customer_id_fkey
      foreign key (customer_id) references public.customers (id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_tables.sql
    create table public.customers (id uuid primary key default gen_random_uuid());
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_customer_fk.sql
    alter table public.bookings
      add constraint bookings_customer_id_fkey
      foreign key (customer_id) references public.customers (id) not valid;
    -- file: 20240301000001_validate_bookings_customer_fk.sql
    alter table public.bookings validate constraint bookings_customer_id_fkey;
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        for table, sub in alter_commands(step):
            con = sub.get("def", {}).get("Constraint", {})
            kind = con.get("contype")
            if sub.get("subtype") != "AT_AddConstraint" or kind not in (
                "CONSTR_FOREIGN",
                "CONSTR_CHECK",
            ):
                continue
            if con.get("skip_validation") or not history.existed(table):
                continue
            if kind == "CONSTR_FOREIGN" and _is_partitioned(ctx.catalog, table):
                continue  # NOT VALID foreign keys are not supported on partitioned tables
            yield _constraint_hit(step, table, con)


def _constraint_hit(step: Step, table: TableKey, con: Node) -> Hit:
    target = qualified(table)
    name = con.get("conname")
    label = f"`{name}`" if name else "(unnamed)"
    if con.get("contype") == "CONSTR_FOREIGN":
        ref = qualified(rel_key(con.get("pktable", {})))
        what = f"foreign key {label}"
        lock = (
            f"while holding a SHARE ROW EXCLUSIVE lock on {target} and on {ref}: writes to "
            "both tables wait for the scan"
        )
    else:
        what = f"check constraint {label}"
        lock = f"while holding an ACCESS EXCLUSIVE lock on {target}: reads and writes wait"
    fix = None
    if name:
        added = step.stmt.text.rstrip().rstrip(";")
        fix = (
            f"{added} not valid;\n-- in a later migration:\n"
            f"alter table {target} validate constraint {name};"
        )
    return Hit(
        object=target,
        message=(
            f"adding {what} to {target}, which existed before this migration, checks every "
            f"existing row {lock}. Add it `not valid` and `validate constraint` it in a later "
            "migration (validation does not block reads or writes)."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=fix if fix and len(step.node.get("cmds", [])) == 1 else None,
        detail=name or json.dumps(_strip_locations(con), sort_keys=True)[:200],
    )


# --- M404 volatile-default-add-column --------------------------------------------------------

#: Built-in and common extension functions whose pg_proc.provolatile is 'v' (checked on
#: PostgreSQL 15; random_normal is 16+, uuidv4 / uuidv7 18+). txid_current() and now() are
#: STABLE: a default calling them is evaluated once and stored, no rewrite.
VOLATILE_BUILTINS = frozenset(
    {
        "random",
        "random_normal",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "setval",
        "gen_random_bytes",
        "gen_salt",
    }
)
_SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


def _func_calls(node: Any) -> Iterator[Node]:
    if isinstance(node, dict):
        call = node.get("FuncCall")
        if call is not None:
            yield call
        for value in node.values():
            yield from _func_calls(value)
    elif isinstance(node, list):
        for value in node:
            yield from _func_calls(value)


def is_volatile_call(catalog: Catalog, call: Node) -> bool:
    """Whether a function call in a default is VOLATILE (pg_catalog list, else catalog)."""
    parts = [p["String"]["sval"] for p in call.get("funcname", []) if "String" in p]
    if not parts:
        return False
    name = parts[-1]
    schemas = [parts[-2]] if len(parts) > 1 else ["pg_catalog", DEFAULT_SCHEMA, "extensions"]
    if name in VOLATILE_BUILTINS and schemas[0] in ("pg_catalog", DEFAULT_SCHEMA, "extensions"):
        return True
    overloads = [f for s in schemas for f in catalog.functions_named(s, name)]
    return bool(overloads) and all(f.volatility == "volatile" for f in overloads)


def _volatile_reason(catalog: Catalog, col: Node) -> str | None:
    """Why adding this column rewrites the table, or None."""
    type_name = [p["String"]["sval"] for p in col.get("typeName", {}).get("names", [])]
    if type_name and type_name[-1] in _SERIAL_TYPES:
        return f"the {type_name[-1]} type (a nextval() default, volatile)"
    for con in col.get("constraints", []):
        body = con.get("Constraint", {})
        if body.get("contype") == "CONSTR_IDENTITY":
            return "an identity (each row draws from a sequence)"
        if body.get("contype") == "CONSTR_DEFAULT":
            for call in _func_calls(body.get("raw_expr", {})):
                if is_volatile_call(catalog, call):
                    fname = [p["String"]["sval"] for p in call["funcname"] if "String" in p]
                    return f"the volatile default {'.'.join(fname)}()"
    return None


@rule(
    "volatile-default-add-column",
    "M404",
    "warn",
    "safety",
    "Column added to an existing table with a volatile default (table rewrite)",
    requires=_MIGRATIONS,
    fixable=True,
)
def volatile_default_add_column(ctx: LintContext) -> Iterator[Hit]:
    """Since PostgreSQL 11, ``add column ... default <constant>`` is instant: the default is
    stored once in the catalog, and so is a STABLE one such as ``now()`` (evaluated once).
    A VOLATILE default (``gen_random_uuid()``, ``random()``, ``clock_timestamp()``,
    ``uuid_generate_v4()``, a serial or identity column's ``nextval()``) must be computed
    for each row, so PostgreSQL rewrites the whole table and its indexes while holding an
    ACCESS EXCLUSIVE lock: nothing can read or write the table until it is done. Add the
    column without a default, set the default in a second statement (it applies to new
    rows only, instantly), and backfill the existing rows in batches.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_public_id.sql
    alter table public.bookings add column public_id uuid not null default gen_random_uuid();
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (
      id bigint generated always as identity primary key,
      customer_id uuid not null
    );
    -- file: 20240301000000_bookings_public_id.sql
    alter table public.bookings add column public_id uuid;
    alter table public.bookings alter column public_id set default gen_random_uuid();
    alter table public.bookings add column created_at timestamptz not null default now();
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_AddColumn" or not history.existed(table):
                continue
            col = sub.get("def", {}).get("ColumnDef", {})
            name = col.get("colname", "")
            if sub.get("missing_ok") and name in history.columns.get(table, {}):
                continue  # add column if not exists of a column that is there: a no-op
            reason = _volatile_reason(ctx.catalog, col)
            if reason is None:
                continue
            target = qualified(table)
            yield Hit(
                object=target,
                message=(
                    f"adding column {name} to {target} with {reason} rewrites every row of "
                    f"{target} and its indexes under an ACCESS EXCLUSIVE lock (no reads or "
                    "writes until done): each row needs its own value. Add the column without "
                    "a default, then `alter column ... set default` (new rows only, instant), "
                    "and backfill existing rows in batches."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                fix=_volatile_fix(step.stmt, target, col),
                detail=name,
            )


def _default_sql(stmt_text: str, column: str) -> str | None:
    """The default expression of ``add column <column>`` in a statement, printed back."""
    try:
        import pglast
        from pglast.enums import ConstrType
        from pglast.stream import RawStream

        for cmd in pglast.parse_sql(stmt_text)[0].stmt.cmds or ():
            col = cmd.def_
            if getattr(col, "colname", None) != column:
                continue
            for con in col.constraints or ():
                if con.contype == ConstrType.CONSTR_DEFAULT:
                    return str(RawStream()(con.raw_expr))
    except Exception:
        return None
    return None


def _volatile_fix(stmt: Statement, target: str, col: Node) -> str | None:
    name = col.get("colname", "")
    default_sql = _default_sql(stmt.text, name)
    if default_sql is None or not col.get("typeName"):
        return None
    return (
        f"alter table {target} add column {name} {type_sql(col['typeName'])};\n"
        f"alter table {target} alter column {name} set default {default_sql};\n"
        f"-- then backfill in batches, repeated until no row is left:\n"
        f"update {target} set {name} = {default_sql} where ctid in "
        f"(select ctid from {target} where {name} is null limit 10000);"
    )


# --- M405 column-type-change -----------------------------------------------------------------


def _type_parts(type_name: Node | None) -> tuple[str, tuple[int, ...], bool] | None:
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


def binary_coercible(old: Node | None, new: Node | None) -> bool:
    """Whether changing a column from ``old`` to ``new`` skips the table rewrite
    (varchar(n) → varchar(m ≥ n) / varchar / text, numeric(p, s) → numeric(q ≥ p, s) /
    numeric, text ↔ unbounded varchar, text / varchar ↔ citext, cidr → inet, or no change
    at all)."""
    a, b = _type_parts(old), _type_parts(new)
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
    parts = _type_parts(type_name)
    if parts is None:
        return "?"
    name, mods, is_array = parts
    text = _TYPE_NAMES.get(name, name)
    if mods:
        text += "(" + ",".join(str(m) for m in mods) + ")"
    return text + "[]" * is_array


@rule(
    "column-type-change",
    "M405",
    "warn",
    "safety",
    "Column type changed on an existing table (rewrite under ACCESS EXCLUSIVE)",
    requires=_MIGRATIONS,
)
def column_type_change(ctx: LintContext) -> Iterator[Hit]:
    """``alter column ... type`` takes an ACCESS EXCLUSIVE lock and, unless the old type
    converts to the new one without changing the bytes (``varchar(n)`` to ``text`` or a
    longer ``varchar``, ``numeric(p, s)`` to a wider precision), rewrites every row and
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
    for step, history in walk(ctx.project):
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_AlterColumnType" or not history.existed(table):
                continue
            column = sub.get("name", "")
            new = sub.get("def", {}).get("ColumnDef", {}).get("typeName")
            old = history.column_type(table, column)
            plain = _plain_using(sub, column)
            if plain and binary_coercible(old, new):
                rebuilt = _rebuilt_indexes(ctx.catalog, table, column, old, new)
                if rebuilt:
                    yield _index_rebuild_hit(step, table, column, old, new, rebuilt)
                continue
            yield _type_change_hit(step, table, column, old, new, plain)


def _rebuilt_indexes(
    catalog: Catalog, table: TableKey, column: str, old: Node | None, new: Node | None
) -> list[str]:
    """Indexes on ``column`` that a binary-coercible type change still rebuilds: the ones
    whose operator class changes with the type (text / varchar ↔ citext)."""
    names = {(_type_parts(old) or ("",))[0], (_type_parts(new) or ("",))[0]}
    if "citext" not in names or len(names) == 1:
        return []
    word = re.compile(rf"\b{re.escape(column)}\b")
    return [
        index.name
        for index in catalog.indexes_of(*table)
        if column in index.columns
        or any(word.search(e) for e in index.expressions)
        or (index.predicate is not None and word.search(index.predicate))
    ]


def _index_rebuild_hit(
    step: Step,
    table: TableKey,
    column: str,
    old: Node | None,
    new: Node | None,
    rebuilt: list[str],
) -> Hit:
    target = qualified(table)
    return Hit(
        object=target,
        message=(
            f"changing the type of {target}.{column} from {type_sql(old)} to {type_sql(new)} "
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
    step: Step, table: TableKey, column: str, old: Node | None, new: Node | None, plain: bool
) -> Hit:
    target = qualified(table)
    change = f"from {type_sql(old)} to {type_sql(new)}" if old else f"to {type_sql(new)}"
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


# --- M406 set-not-null-without-check ---------------------------------------------------------


def _proven_not_null(history: History, table: TableKey, column: str) -> bool:
    """A CHECK (column IS NOT NULL) validated by an earlier file exists on the table."""
    return any(
        column in check.not_null
        and check.validated_in is not None
        and check.validated_in < history.file_no
        for check in history.checks.get(table, {}).values()
    )


@rule(
    "set-not-null-without-check",
    "M406",
    "warn",
    "safety",
    "SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL)",
    requires=_MIGRATIONS,
    fixable=True,
)
def set_not_null_without_check(ctx: LintContext) -> Iterator[Hit]:
    """``alter column ... set not null`` reads the whole table to prove no row is null,
    holding an ACCESS EXCLUSIVE lock the whole time: no reads, no writes. Since PostgreSQL
    12 the scan is skipped when a validated ``check (col is not null)`` constraint already
    exists. So: add the check ``not valid`` (instant), validate it in a later migration
    (scans without blocking writes), then ``set not null`` (instant) and drop the check.
    The check must be validated in an *earlier* file: validating it in the same file runs
    the scan while the file's transaction still holds the lock.

    Bad:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      email text
    );
    -- file: 20240301000000_customers_email_required.sql
    alter table public.customers alter column email set not null;
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      email text
    );
    -- file: 20240301000000_customers_email_check.sql
    alter table public.customers
      add constraint customers_email_not_null check (email is not null) not valid;
    -- file: 20240301000001_customers_email_validate.sql
    alter table public.customers validate constraint customers_email_not_null;
    -- file: 20240301000002_customers_email_required.sql
    alter table public.customers alter column email set not null;
    alter table public.customers drop constraint customers_email_not_null;
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_SetNotNull" or not history.existed(table):
                continue
            column = sub.get("name", "")
            if _proven_not_null(history, table, column):
                continue
            target = qualified(table)
            check = f"{table[1]}_{column}_not_null"[:63]
            yield Hit(
                object=target,
                message=(
                    f"`set not null` on {target}.{column} scans the whole table under an "
                    "ACCESS EXCLUSIVE lock (no reads or writes) to prove no row is null. Add "
                    f"`check ({column} is not null) not valid`, validate it in a later "
                    "migration, then set not null (PostgreSQL 12+ skips the scan) and drop "
                    "the check."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                fix=(
                    f"alter table {target} add constraint {check} "
                    f"check ({column} is not null) not valid;\n"
                    f"-- in a later migration:\nalter table {target} validate constraint {check};\n"
                    f"-- in a later migration:\nalter table {target} alter column {column} "
                    f"set not null;\nalter table {target} drop constraint {check};"
                ),
                detail=column,
            )


# --- M407 drop-column, M408 drop-table -------------------------------------------------------


def _backup_sql(catalog: Catalog, table: TableKey, column: str) -> str | None:
    pk = catalog.primary_key(*table)
    if pk is None or not pk.columns:
        return None
    keys = ", ".join(pk.columns)
    backup = f"{table[1]}_{column}_backup"[:63]
    return (
        f"-- keep a copy first (or rely on a tested backup):\n"
        f"create table {table[0]}.{backup} as select {keys}, {column} "
        f"from {qualified(table)};"
    )


@rule(
    "drop-column",
    "M407",
    "warn",
    "safety",
    "Column dropped from an existing table",
    requires=_MIGRATIONS,
)
def drop_column(ctx: LintContext) -> Iterator[Hit]:
    """Dropping a column deletes its data for good (only a backup restore brings it back),
    and during the deploy every running copy of the application that still selects,
    inserts or filters on the column fails with ``column does not exist``, as do views,
    functions and generated types that name it. Ship the application change that stops
    using the column first, keep a copy if the data may be needed, then drop it in a later
    migration (and say so in an inline ``-- pgvet: ignore drop-column``). Not flagged:
    columns of a table created in the same file, and ``drop column if exists`` of a column
    no migration ever created.

    Bad:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      customer_code text,
      legacy_hn text
    );
    -- file: 20240301000000_drop_legacy_hn.sql
    alter table public.customers drop column legacy_hn;
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_customers.sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      customer_code text,
      legacy_hn text
    );
    -- file: 20240301000000_deprecate_legacy_hn.sql
    comment on column public.customers.legacy_hn is
      'deprecated: copied into customer_code; unused since app 2.3, drop after 2024-06';
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        for table, sub in alter_commands(step):
            if sub.get("subtype") != "AT_DropColumn" or not history.existed(table):
                continue
            column = sub.get("name", "")
            if sub.get("missing_ok") and history.known_missing_column(table, column):
                continue
            target = qualified(table)
            cascade = " with CASCADE (dependent views and constraints go too)" * (
                sub.get("behavior") == "DROP_CASCADE"
            )
            yield Hit(
                object=target,
                message=(
                    f"dropping column {column} of {target}{cascade} deletes its data for good, "
                    "and any running version of the application that still reads or writes "
                    f"{column} fails with `column does not exist` during the deploy. Ship the "
                    "code that stops using it first and keep a copy of the data if it may be "
                    "needed."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                fix=_backup_sql(ctx.catalog, table, column),
                detail=column,
            )


@rule(
    "drop-table",
    "M408",
    "warn",
    "safety",
    "Table dropped by a migration",
    requires=_MIGRATIONS,
)
def drop_table(ctx: LintContext) -> Iterator[Hit]:
    """``drop table`` deletes the table and every row in it; with CASCADE also the views,
    foreign keys and policies that depend on it. Any running version of the application
    that still uses the table fails during the deploy. Stop using it in the code first,
    keep a copy (a backup you have tested, or ``create table ... as``), then drop it. Not
    flagged: a table created in the same file (a scratch table), and ``drop table if
    exists`` of a table no migration ever created.

    Bad:
    ```sql
    -- file: 20240101000000_create_audit_log.sql
    create table public.audit_log (
      id bigint generated always as identity primary key,
      action text not null,
      created_at timestamptz not null default now()
    );
    -- file: 20240301000000_drop_audit_log.sql
    drop table public.audit_log;
    ```
    Good:
    ```sql
    -- file: 20240101000000_import_services.sql
    create table public.services (id bigint primary key, name text not null);
    create table public.services_import (id bigint, name text);
    insert into public.services_import values (1, 'Facial'), (2, 'Laser');
    insert into public.services select id, name from public.services_import;
    drop table public.services_import;
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        node = step.node
        if step.kind != "DropStmt" or node.get("removeType") != "OBJECT_TABLE":
            continue
        for obj in node.get("objects", []):
            table = names_key(obj.get("List", {}).get("items", []))
            if not history.existed(table):
                continue
            if node.get("missing_ok") and table not in history.live:
                continue  # a table no migration created: a no-op on a migrated database
            target = qualified(table)
            cascade = (
                ", with CASCADE also every view, foreign key and policy depending on it,"
                if node.get("behavior") == "DROP_CASCADE"
                else ""
            )
            yield Hit(
                object=target,
                message=(
                    f"`drop table` deletes {target} and all its rows{cascade} for good; any "
                    "running version of the application that still uses it fails during the "
                    "deploy. Stop using it in the code first and keep a copy of the data."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
            )


# --- M409 rls-disabled-by-migration ----------------------------------------------------------


@rule(
    "rls-disabled-by-migration",
    "M409",
    "error",
    "security",
    "Row level security disabled by a migration and never re-enabled",
    requires=_MIGRATIONS,
    fixable=True,
)
def rls_disabled_by_migration(ctx: LintContext) -> Iterator[Hit]:
    """``alter table ... disable row level security`` is the classic 3 a.m. fix for a broken
    (often recursive) policy, and the classic data leak: without RLS, every role with a
    table grant (on Supabase ``anon`` and ``authenticated`` usually have them) reads and
    writes every row through the Data API, and the policies no longer matter. pgvet reports
    each such statement whose table still has RLS off at the end of the migrations; a
    table re-enabled by a later migration (or dropped) is not reported. Fix the policy
    instead of switching RLS off, e.g. with a SECURITY DEFINER helper that breaks the
    recursion.

    Bad:
    ```sql
    -- file: 20240101000000_create_notes.sql
    create table public.notes (
      id bigint generated always as identity primary key,
      user_id uuid not null default auth.uid(),
      body text
    );
    alter table public.notes enable row level security;
    -- file: 20240301000000_hotfix_notes.sql
    alter table public.notes disable row level security;
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_notes.sql
    create table public.notes (
      id bigint generated always as identity primary key,
      user_id uuid not null default auth.uid(),
      body text
    );
    alter table public.notes enable row level security;
    -- file: 20240301000000_fix_notes_policy.sql
    create policy "owners read notes" on public.notes
      for select to authenticated using ((select auth.uid()) = user_id);
    ```
    """
    assert ctx.project is not None
    disabled: dict[TableKey, Step] = {}
    for step, _history in walk(ctx.project):
        if step.kind == "DropStmt" and step.node.get("removeType") == "OBJECT_TABLE":
            for obj in step.node.get("objects", []):
                disabled.pop(names_key(obj.get("List", {}).get("items", [])), None)
        if step.kind == "RenameStmt" and step.node.get("renameType") == "OBJECT_TABLE":
            old = rel_key(step.node["relation"])
            if old in disabled:
                disabled[(old[0], step.node.get("newname", ""))] = disabled.pop(old)
        for table, sub in alter_commands(step):
            if sub.get("subtype") == "AT_DisableRowSecurity":
                disabled[table] = step
            elif sub.get("subtype") == "AT_EnableRowSecurity":
                disabled.pop(table, None)
    for table, step in disabled.items():
        found = ctx.catalog.find_table(*table)
        if found is not None and found.rls_enabled:
            continue  # re-enabled some way pgvet cannot follow (dynamic SQL)
        if found is None and _catalog_knows(ctx.catalog, table[0]):
            continue  # the table is gone
        target = qualified(table)
        policies = len(ctx.catalog.policies_of(*table))
        ignored = f" Its {policies} policies are ignored while RLS is off." if policies else ""
        yield Hit(
            object=target,
            message=(
                f"this migration disables row level security on {target} and no later "
                "migration turns it back on: every role with a grant on the table (on "
                "Supabase usually anon and authenticated) reads and writes every row through "
                f"the Data API.{ignored} Re-enable it and fix the policy that made you turn "
                "it off."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
            fix=f"alter table {target} enable row level security;",
        )


# --- M410 if-not-exists-skipped, M412 redundant-create-index --------------------------------


@rule(
    "if-not-exists-skipped",
    "M410",
    "error",
    "correctness",
    "CREATE ... IF NOT EXISTS silently skipped: the existing object has another definition",
    requires=_MIGRATIONS,
    fixable=True,
)
def if_not_exists_skipped(ctx: LintContext) -> Iterator[Hit]:
    """``create index if not exists`` and ``create table if not exists`` check the *name*
    only. When an earlier migration already created an index of that name with other
    columns, order, predicate, method or uniqueness, or a table of that name without some
    of the columns, PostgreSQL prints a notice, skips the statement, and the migration
    "succeeds": the database keeps the old object, and the index or the columns the author
    meant never exist, so the query stays slow, the uniqueness is not enforced, or the
    application fails on a missing column. pgvet compares parse trees (ignoring names, IF
    NOT EXISTS, CONCURRENTLY and formatting) and the table's columns at that point, and
    checks the end state in the catalog. Give the new index a new name (or drop the old
    one first); add new columns with ``alter table ... add column``.

    Bad:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    -- file: 20240301000000_history_index.sql
    create index if not exists idx_skin_analyses_user_id
      on public.skin_analyses (user_id, created_at desc);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    -- file: 20240301000000_history_index.sql
    create index concurrently if not exists idx_skin_analyses_user_created
      on public.skin_analyses (user_id, created_at desc);
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        if not step.node.get("if_not_exists"):
            continue
        if step.kind == "IndexStmt" and step.node.get("idxname"):
            table = rel_key(step.node["relation"])
            key = (table[0], step.node["idxname"])
            earlier = history.indexes.get(key)
            if earlier is None or earlier.shape == index_shape(step.node):
                continue
            if _catalog_knows(ctx.catalog, key[0]) and not any(
                (i.schema, i.name) == key for i in ctx.catalog.indexes
            ):
                continue  # gone by the end of the migrations (dropped some way pgvet can't see)
            yield _skipped_index_hit(step, key, earlier)
        elif step.kind == "CreateStmt":
            hit = _skipped_table_hit(ctx.catalog, step, history)
            if hit is not None:
                yield hit


def _skipped_index_hit(step: Step, key: TableKey, earlier: IndexDef) -> Hit:
    name = f"{key[0]}.{key[1]}"
    new_sql = concurrent_sql(step.stmt.text)
    return Hit(
        object=f"index {name}",
        message=(
            f"`create index if not exists {key[1]}` did nothing: an index of that name was "
            f"already created at {earlier.stmt.location} with a different definition "
            f"(`{_compact(earlier.stmt.text)}`), so the database keeps that one and this "
            f"definition (`{_compact(step.stmt.text)}`) never exists. Give it a new name, or "
            "drop the old index first."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=(
            f"-- in a migration file of its own:\ndrop index concurrently if exists {name};\n"
            f"-- then, in the next migration file:\n{new_sql}"
        ),
    )


_SERIAL_BASE = {
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
}


def _comparable_type(type_name: Node | None) -> tuple[str, tuple[int, ...], bool] | None:
    parts = _type_parts(type_name)
    if parts is None:
        return None
    return _SERIAL_BASE.get(parts[0], parts[0]), parts[1], parts[2]


def skipped_columns(
    catalog: Catalog, history: History, key: TableKey, node: Node
) -> tuple[list[str], list[str]]:
    """Columns a skipped ``create table if not exists`` defines that the existing table
    lacks, and ones whose type differs; confirmed against the end state when the catalog
    has the table (a column added later by ``alter table`` is not reported)."""
    existing = history.columns.get(key, {})
    final = catalog.find_table(*key) if _catalog_knows(catalog, key[0]) else None
    missing: list[str] = []
    retyped: list[str] = []
    for elt in node.get("tableElts", []):
        col = elt.get("ColumnDef")
        if not col or not col.get("colname"):
            continue
        name = col["colname"]
        at_end = final.column(name) if final is not None else None
        if name not in existing:
            if final is None or at_end is None:
                missing.append(name)
            continue
        old, new = _comparable_type(existing[name]), _comparable_type(col.get("typeName"))
        if old is None or new is None or old == new:
            continue
        if at_end is None or at_end.type_name != new[0] or at_end.is_array != new[2]:
            retyped.append(f"{name} ({type_sql(existing[name])}, not {type_sql(col['typeName'])})")
    return missing, retyped


def _skipped_table_hit(catalog: Catalog, step: Step, history: History) -> Hit | None:
    key = rel_key(step.node["relation"])
    if key not in history.live or key not in history.complete:
        return None  # new, or a table whose columns pgvet cannot know
    missing, retyped = skipped_columns(catalog, history, key, step.node)
    if not missing and not retyped:
        return None
    target = qualified(key)
    earlier = history.created_by.get(key)
    where = f" (created at {earlier.location})" if earlier else ""
    parts = []
    if missing:
        parts.append(f"its column(s) {', '.join(missing)} were never created")
    if retyped:
        parts.append(f"the existing table keeps {', '.join(retyped)}")
    return Hit(
        object=target,
        message=(
            f"`create table if not exists {target}` did nothing: the table already exists"
            f"{where}, so {'; '.join(parts)}. Change the existing table with `alter table` "
            "instead."
        ),
        file=step.stmt.file,
        line=step.stmt.line,
        fix=_add_columns_sql(step.stmt.text, target, missing),
        detail=",".join(missing + retyped),
    )


def _add_columns_sql(stmt_text: str, target: str, columns: list[str]) -> str | None:
    """``alter table ... add column if not exists ...`` for the columns a skipped create
    table defined (printed back from its parse tree)."""
    if not columns:
        return None
    try:
        import pglast
        from pglast.stream import RawStream

        elts = pglast.parse_sql(stmt_text)[0].stmt.tableElts or ()
        defs = [e for e in elts if getattr(e, "colname", None) in columns]
        return "\n".join(
            f"alter table {target} add column if not exists {RawStream()(d)};" for d in defs
        )
    except Exception:
        return None


@rule(
    "redundant-create-index",
    "M412",
    "info",
    "correctness",
    "CREATE INDEX IF NOT EXISTS repeats an index that already exists (a no-op)",
    requires=_MIGRATIONS,
)
def redundant_create_index(ctx: LintContext) -> Iterator[Hit]:
    """A ``create index if not exists`` with the same name *and* the same definition as an
    index an earlier statement created does nothing but print a notice. It is harmless for
    the schema, but it misleads a reader into thinking the index is new here, and it still
    takes the table's SHARE lock before finding out (see index-without-concurrently).
    Remove the statement.

    Bad:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    -- file: 20240301000000_skin_analyses_indexes.sql
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses(user_id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    ```
    """
    assert ctx.project is not None
    for step, history in walk(ctx.project):
        node = step.node
        if step.kind != "IndexStmt" or not node.get("if_not_exists") or not node.get("idxname"):
            continue
        table = rel_key(node["relation"])
        earlier = history.indexes.get((table[0], node["idxname"]))
        if earlier is None or earlier.shape != index_shape(node):
            continue
        yield Hit(
            object=f"index {table[0]}.{node['idxname']}",
            message=(
                f"this `create index if not exists` repeats {table[0]}.{node['idxname']}, "
                f"created with the same definition at {earlier.stmt.location}: PostgreSQL "
                "skips it. Remove the statement."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
        )


# --- M411 secret-in-migration ----------------------------------------------------------------

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}")
_SB_SECRET = re.compile(r"\bsb_secret_[A-Za-z0-9_-]{20,}")
_CONNINFO = re.compile(
    r"\bpostgres(?:ql)?://(?P<user>[^\s:/@'\"]+):(?P<password>[^\s@'\"/]+)@", re.I
)
_PLACEHOLDER = re.compile(
    r"^(\[.*\]|<.*>|\$\{.*\}|\$[A-Z_]+|\{\{.*\}\}|%\(.*\)s|:\w+|\*+|x+|\.+|"
    r"your[-_ ]?password|password|changeme|change[-_]me|secret|pass|pwd)$",
    re.I,
)
#: The JWT secret of ``supabase start`` (public, in the CLI's source): tokens it signs are
#: the demo keys every local stack shares, not secrets.
LOCAL_DEMO_JWT_SECRET = b"super-secret-jwt-token-with-at-least-32-characters-long"
_PRIVILEGED_ROLES = frozenset({"service_role", "supabase_admin", "postgres"})


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The decoded payload of a JWT (no signature check), or None if it is not one."""
    try:
        _, payload, _ = token.split(".")
        claims = json.loads(_b64url(payload))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def is_local_demo_token(token: str) -> bool:
    """Signed with the Supabase CLI's public local JWT secret (a demo key)."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(
            LOCAL_DEMO_JWT_SECRET, f"{header}.{payload}".encode(), hashlib.sha256
        ).digest()
        return hmac.compare_digest(expected, _b64url(signature))
    except (ValueError, binascii.Error):
        return False


@dataclass(frozen=True)
class Secret:
    """A credential found in a migration, described without its value."""

    offset: int  # in the file's text
    kind: str
    description: str


def text_secrets(text: str) -> Iterator[Secret]:
    """Privileged Supabase keys and passwords in connection strings, anywhere in ``text``
    (statements, function bodies, comments)."""
    for match in _JWT.finditer(text):
        token = match.group(0)
        claims = jwt_claims(token)
        if not claims or claims.get("role") not in _PRIVILEGED_ROLES:
            continue  # anon and authenticated keys are public by design
        if is_local_demo_token(token):
            continue  # the public demo key of the local stack
        project = f" of project {claims['ref']}" if isinstance(claims.get("ref"), str) else ""
        yield Secret(
            match.start(),
            "jwt",
            f"a {claims['role']} JWT{project} (`{token[:12]}…`, redacted)",
        )
    for match in _SB_SECRET.finditer(text):
        yield Secret(match.start(), "sb_secret", "a Supabase secret API key (`sb_secret_…`)")
    for match in _CONNINFO.finditer(text):
        password = match.group("password")
        if _PLACEHOLDER.match(password):
            continue
        yield Secret(
            match.start("password"),
            "connection string",
            f"the password of {match.group('user')} in a connection string (`…://"
            f"{match.group('user')}:****@…`)",
        )


def _option_password(options: list[Node]) -> tuple[str, int] | None:
    for opt in options:
        elem = opt.get("DefElem", {})
        if elem.get("defname") == "password":
            value = elem.get("arg", {}).get("String", {}).get("sval")
            if value and not _PLACEHOLDER.match(value):
                return value, int(elem.get("arg_location", elem.get("location", 0)))
    return None


def statement_secrets(step: Step) -> Iterator[tuple[Secret, str]]:
    """Passwords set by role and user-mapping statements: ``(secret, object)``."""
    node = step.node
    found: tuple[str, int] | None = None
    obj = ""
    if step.kind == "CreateRoleStmt":
        found, obj = _option_password(node.get("options", [])), f"role {node.get('role', '')}"
    elif step.kind == "AlterRoleStmt":
        role = node.get("role", {}).get("rolename", "")
        found, obj = _option_password(node.get("options", [])), f"role {role}"
    elif step.kind in ("CreateUserMappingStmt", "AlterUserMappingStmt"):
        found = _option_password(node.get("options", []))
        obj = f"user mapping for server {node.get('servername', '')}"
    if found is None:
        return
    value, at = found
    hashed = value.startswith(("md5", "SCRAM-SHA-256$"))
    what = "a password hash" if hashed else "a password"
    yield Secret(step.stmt.start + at, "password", f"{what} ('****', redacted)"), obj


def _object_at(migration: MigrationFile, offset: int) -> str:
    stmt = migration.statement_at(offset)
    if stmt is not None and stmt.start <= offset <= stmt.end:
        for touch in touches(stmt):
            if touch.created or touch.kind in ("function", "table"):
                return f"{touch.kind} {touch.schema}.{touch.name}"
    return migration.filename


@rule(
    "secret-in-migration",
    "M411",
    "error",
    "security",
    "Service key or password written into a migration",
    requires=_MIGRATIONS,
)
def secret_in_migration(ctx: LintContext) -> Iterator[Hit]:
    """A migration lives in git forever, is copied to every clone, CI log and laptop, and
    its statements are stored in ``supabase_migrations.schema_migrations`` of every
    database it touches. A ``service_role`` key in it (a JWT whose payload says
    ``"role":"service_role"``, or an ``sb_secret_`` key) bypasses every RLS policy of the
    project; a password in ``create role ... password``, ``alter role ... password``, a user
    mapping or a ``postgres://user:password@`` URL opens the database. Rotate the secret (it
    is in the history now) and read it at run time from Vault. pgvet decodes each JWT's
    payload: ``anon`` keys are public by design, and the demo keys of ``supabase start``
    (signed with its public local secret) are not secrets either; neither is reported.
    The secret itself is never printed.

    Bad:
    ```sql
    create function public.purge_storage_object(object_path text)
    returns void
    language plpgsql
    security definer
    set search_path = ''
    as $$
    declare
      service_key text := 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImFiY2RlZmdoaWprbG1ub3BxcnN0Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ.bm90LWEtcmVhbC1zaWduYXR1cmUtanVzdC1hbi1leGFtcGxl';
    begin
      perform net.http_delete(
        url := 'https://abcdefghijklmnopqrst.supabase.co/storage/v1/object/' || object_path,
        headers := jsonb_build_object('Authorization', 'Bearer ' || service_key)
      );
    end;
    $$;
    ```
    Good:
    ```sql
    create function public.purge_storage_object(object_path text)
    returns void
    language plpgsql
    security definer
    set search_path = ''
    as $$
    declare
      service_key text := (
        select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key'
      );
    begin
      perform net.http_delete(
        url := 'https://abcdefghijklmnopqrst.supabase.co/storage/v1/object/' || object_path,
        headers := jsonb_build_object('Authorization', 'Bearer ' || service_key)
      );
    end;
    $$;
    ```
    """  # noqa: E501
    assert ctx.project is not None
    found: list[tuple[MigrationFile, Secret, str]] = []
    for migration in ctx.project.files:
        found += [
            (migration, s, _object_at(migration, s.offset)) for s in text_secrets(migration.text)
        ]
    for step, _history in walk(ctx.project):
        found += [(step.file, secret, obj) for secret, obj in statement_secrets(step)]
    seen: dict[tuple[str, str], int] = {}
    for migration, secret, obj in found:
        # the fingerprint must not derive from the secret (a hash of a weak password can be
        # brute-forced), so findings of one kind on one object are told apart by order
        count = seen[(obj, secret.kind)] = seen.get((obj, secret.kind), 0) + 1
        yield _secret_hit(migration, secret, obj, f"{secret.kind}#{count}")


def _secret_hit(migration: MigrationFile, secret: Secret, obj: str, detail: str) -> Hit:
    line, _ = migration.line_col(secret.offset)
    if secret.kind in ("jwt", "sb_secret"):
        advice = "Rotate the key now and read it at run time from Vault instead."
        fix = (
            "-- rotate the key (it is in the git history), then read it at run time:\n"
            "select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key';"
        )
    elif secret.kind == "password" and obj.startswith("role "):
        role = obj.removeprefix("role ")
        advice = "Rotate it, and set role passwords outside migrations."
        fix = (
            f"-- rotate the password; create the role without one here and set it outside git "
            f"(psql: \\password {role})"
        )
    else:
        advice = "Rotate it now and keep it in Vault, not in git."
        fix = "-- rotate the password and store it with vault.create_secret(), outside git"
    return Hit(
        object=obj,
        message=(
            f"{secret.description} is written into this migration: it stays in the git "
            "history and in supabase_migrations.schema_migrations of every database the "
            f"migration ran on. {advice}"
        ),
        file=migration.filename,
        line=line,
        fix=fix,
        detail=detail,
    )
