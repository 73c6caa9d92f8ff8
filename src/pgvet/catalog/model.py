"""The typed catalog: what a PostgreSQL database contains, as frozen values.

Every rule, the RLS tester and the type generator work on these objects, whether they came
from a sandbox that replayed migrations or from a live server, so the model carries facts
as PostgreSQL states them (``pg_get_*def`` text, catalog flags) and no opinions.

Conventions
-----------
* Objects are identified by ``(schema, name)``; objects that live on a table (constraints,
  indexes' tables, policies, triggers) also carry ``table``.
* Collections are tuples (and frozensets for unordered sets) so a ``Catalog`` is immutable
  and can be shared between threads and cached.
* ``Catalog`` builds its lookup dictionaries once, in ``__post_init__``; ``dataclasses.replace``
  (used by :meth:`Catalog.with_origins`) rebuilds them.
* ``ObjectKey`` / ``Origin`` connect an object to the migration file and line that created
  it. ``pgvet.replay.origins`` computes them from migration statements; the catalog only stores
  them. Each model object has an ``origin_key`` property giving its ``ObjectKey``.

Which schemas are read (see ``pgvet.catalog.introspect``): objects of the excluded schemas
(system and Supabase-internal ones such as ``auth`` and ``storage``) are left out, except
functions: policies call ``auth.uid()`` and friends, so every function outside the system
schemas is read and the ones in excluded schemas have ``is_internal_schema=True``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Literal, TypeVar

# --- origins -------------------------------------------------------------------------------

ObjectKind = Literal[
    "table",
    "index",
    "policy",
    "function",
    "view",
    "trigger",
    "type",
    "constraint",
    "sequence",
    "schema",
]
"""Kinds used in an :data:`ObjectKey`."""

ObjectKey = tuple[str, str, str]
"""``(kind, schema, name)``. For policies, triggers and constraints the name is
``"<table>.<name>"`` because those names are only unique per table. Functions use the bare
function name (overloads share one key). Views and materialized views use kind ``view``;
enums use kind ``type``."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an object comes from in the migrations: the statement that created it and,
    when a later statement changed it (``ALTER``, ``CREATE OR REPLACE``), the last one."""

    file: str
    line: int
    last_altered_file: str | None = None
    last_altered_line: int | None = None


def object_key(kind: ObjectKind, schema: str, name: str, table: str | None = None) -> ObjectKey:
    """Build an :data:`ObjectKey`, joining ``table`` and ``name`` for per-table objects."""
    return (kind, schema, f"{table}.{name}" if table is not None else name)


# --- literal types -------------------------------------------------------------------------

TableKind = Literal["table", "partitioned", "view", "materialized_view", "foreign"]
ConstraintKind = Literal["primary", "unique", "check", "foreign", "exclusion"]
FkAction = Literal["cascade", "restrict", "set null", "set default", "no action"]
FkMatch = Literal["simple", "full", "partial"]
PolicyCommand = Literal["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"]
Volatility = Literal["immutable", "stable", "volatile"]
FunctionKind = Literal["function", "procedure", "aggregate", "window"]
Identity = Literal["always", "by default"]
TriggerTiming = Literal["BEFORE", "AFTER", "INSTEAD OF"]
TriggerLevel = Literal["ROW", "STATEMENT"]

QualifiedName = tuple[str, str]
"""``(schema, name)``."""


# --- objects -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schema:
    """A namespace (``pg_namespace``)."""

    name: str
    owner: str
    comment: str | None = None

    @property
    def origin_key(self) -> ObjectKey:
        return ("schema", self.name, self.name)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a table, view, materialized view or foreign table (``pg_attribute``).

    ``type`` is ``format_type()`` text (``character varying(20)``, ``integer[]``,
    ``public.status`` for a type not on ``pg_catalog``'s path). ``type_schema`` /
    ``type_name`` name the *element* type for arrays (``int4`` with ``is_array=True`` for
    ``integer[]``) so an enum array finds its :class:`Enum`. ``default`` is None for
    generated columns; their expression is in ``generated``.
    """

    name: str
    position: int
    type: str
    type_schema: str
    type_name: str
    not_null: bool
    default: str | None = None
    identity: Identity | None = None
    generated: str | None = None
    is_array: bool = False
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A relation with columns (``pg_class`` relkind r, p, v, m, f).

    Views and materialized views appear here too (``kind`` says which) so
    ``catalog.table(s, v).columns`` works for them; their definition is in :class:`View`.
    ``parent`` is the partitioned table this one is a partition of (plain inheritance is
    not reported). ``reltuples`` is the planner's estimate, -1 when never analyzed.
    ``extension`` names the extension that owns the table (e.g. postgis'
    ``spatial_ref_sys``), rules usually skip those. ``options`` are its storage parameters
    as stored (``autovacuum_enabled=false``).
    """

    schema: str
    name: str
    kind: TableKind
    rls_enabled: bool = False
    rls_forced: bool = False
    partition_key: str | None = None
    parent: QualifiedName | None = None
    partition_bound: str | None = None
    owner: str = ""
    reltuples: float = -1.0
    comment: str | None = None
    columns: tuple[Column, ...] = ()
    extension: str | None = None
    options: tuple[str, ...] = ()

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    @property
    def is_view(self) -> bool:
        return self.kind in ("view", "materialized_view")

    @property
    def origin_key(self) -> ObjectKey:
        return ("view" if self.is_view else "table", self.schema, self.name)

    def column(self, name: str) -> Column | None:
        """The column called ``name``, or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A table constraint (``pg_constraint``; NOT NULL constraints, which PostgreSQL 18
    also stores there, are reported as ``Column.not_null`` only).

    ``columns`` are the constrained columns in key order (expression entries of exclusion
    constraints are omitted). The ``ref_*``, ``on_update``, ``on_delete`` and ``match``
    fields are set for foreign keys only. ``index_name`` is the index backing a primary,
    unique or exclusion constraint. ``inherited`` is true for a copy that PostgreSQL made
    on a partition or child. ``enforced`` is false only for PostgreSQL 18's NOT ENFORCED.
    ``ref_primary`` (foreign keys only) says whether the referenced columns are the
    referenced table's primary key rather than another unique constraint or index.
    """

    schema: str
    table: str
    name: str
    kind: ConstraintKind
    columns: tuple[str, ...]
    definition: str
    validated: bool = True
    deferrable: bool = False
    deferred: bool = False
    ref_schema: str | None = None
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()
    on_update: FkAction | None = None
    on_delete: FkAction | None = None
    match: FkMatch | None = None
    index_name: str | None = None
    inherited: bool = False
    enforced: bool = True
    ref_primary: bool | None = None

    @property
    def origin_key(self) -> ObjectKey:
        return object_key("constraint", self.schema, self.name, self.table)


@dataclass(frozen=True, slots=True)
class Index:
    """An index (``pg_index``).

    Per key position (``key_count`` of them, INCLUDE columns excluded): ``columns`` holds
    the column name or None for an expression, ``expressions`` the text PostgreSQL prints
    for that position (the column name or the expression), ``opclasses``, ``collations``
    (None where the key type has none), ``descending`` and ``nulls_first``.
    ``constraint_name`` is set when the index backs a primary key, unique or exclusion
    constraint. ``partitioned`` is true for the parent index of a partitioned table (it has
    no storage; each partition has its own index).
    """

    schema: str
    table: str
    name: str
    columns: tuple[str | None, ...]
    expressions: tuple[str, ...]
    key_count: int
    method: str
    definition: str
    include_columns: tuple[str, ...] = ()
    unique: bool = False
    primary: bool = False
    valid: bool = True
    ready: bool = True
    predicate: str | None = None
    opclasses: tuple[str, ...] = ()
    collations: tuple[str | None, ...] = ()
    descending: tuple[bool, ...] = ()
    nulls_first: tuple[bool, ...] = ()
    nulls_not_distinct: bool = False
    constraint_name: str | None = None
    partitioned: bool = False
    size_bytes: int = 0  # relpages × block size: as of the last build, VACUUM or ANALYZE

    @property
    def is_partial(self) -> bool:
        return self.predicate is not None

    @property
    def has_expressions(self) -> bool:
        return any(c is None for c in self.columns)

    @property
    def origin_key(self) -> ObjectKey:
        return ("index", self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Policy:
    """A row-level security policy (``pg_policy``).

    ``roles`` is sorted; ``('public',)`` means the policy applies to every role.
    ``using`` / ``with_check`` are ``pg_get_expr`` text, the same as ``pg_policies`` shows.
    """

    schema: str
    table: str
    name: str
    command: PolicyCommand
    roles: tuple[str, ...]
    permissive: bool = True
    using: str | None = None
    with_check: str | None = None

    def applies_to(self, role: str) -> bool:
        """Whether the policy names ``role`` or PUBLIC (role membership is not followed)."""
        return "public" in self.roles or role in self.roles

    @property
    def origin_key(self) -> ObjectKey:
        return object_key("policy", self.schema, self.name, self.table)


@dataclass(frozen=True, slots=True)
class Function:
    """A function, procedure or aggregate (``pg_proc``).

    ``settings`` is ``proconfig`` as stored (``search_path=public, extensions``);
    ``search_path`` is the value of its ``search_path`` entry as stored (``""`` for
    ``SET search_path = ''``), None when the function does not pin it. ``body`` is
    ``prosrc``, or the deparsed body of a SQL-standard (``BEGIN ATOMIC``) function.
    ``owner_bypasses_rls`` matters for SECURITY DEFINER functions: their queries skip RLS
    when the owner is a superuser or has BYPASSRLS. ``extension`` is set when the function
    belongs to an extension. ``is_internal_schema`` marks functions of excluded
    (Supabase-internal) schemas such as ``auth.uid``, read so policies can be understood.
    ``executable_by`` are the roles holding EXECUTE directly (``public`` for PUBLIC).
    """

    schema: str
    name: str
    identity_args: str
    result: str | None
    language: str
    volatility: Volatility
    security_definer: bool = False
    leakproof: bool = False
    strict: bool = False
    settings: tuple[str, ...] = ()
    search_path: str | None = None
    body: str = ""
    owner: str = ""
    kind: FunctionKind = "function"
    owner_bypasses_rls: bool = False
    extension: str | None = None
    is_internal_schema: bool = False
    executable_by: frozenset[str] = frozenset()
    comment: str | None = None

    @property
    def signature(self) -> str:
        """``schema.name(identity args)``, unique among functions."""
        return f"{self.schema}.{self.name}({self.identity_args})"

    @property
    def origin_key(self) -> ObjectKey:
        return ("function", self.schema, self.name)


@dataclass(frozen=True, slots=True)
class View:
    """A view or materialized view (``pg_class`` relkind v, m).

    ``security_invoker`` matters on Supabase: a view without it runs with its owner's
    rights and so skips the RLS of the tables it reads. ``check_option`` is ``local`` /
    ``cascaded`` / None. ``relations`` are the relations its definition reads directly
    (``pg_depend`` of its rewrite rule), in any schema (``("auth", "users")`` too).
    """

    schema: str
    name: str
    materialized: bool
    definition: str
    security_invoker: bool = False
    security_barrier: bool = False
    check_option: str | None = None
    owner: str = ""
    columns: tuple[Column, ...] = ()
    extension: str | None = None
    relations: tuple[QualifiedName, ...] = ()

    @property
    def origin_key(self) -> ObjectKey:
        return ("view", self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A user trigger (``pg_trigger``; internal ones such as FK triggers are left out).

    ``events`` in ``pg_get_triggerdef`` order (INSERT, DELETE, UPDATE, TRUNCATE).
    ``update_columns`` for ``UPDATE OF``. ``inherited`` marks the clone PostgreSQL makes on
    each partition of a partitioned table.
    """

    schema: str
    table: str
    name: str
    timing: TriggerTiming
    events: tuple[str, ...]
    level: TriggerLevel
    function_schema: str
    function_name: str
    definition: str
    enabled: bool = True
    update_columns: tuple[str, ...] = ()
    inherited: bool = False

    @property
    def origin_key(self) -> ObjectKey:
        return object_key("trigger", self.schema, self.name, self.table)


@dataclass(frozen=True, slots=True)
class Enum:
    """An enum type, labels in their sort order."""

    schema: str
    name: str
    values: tuple[str, ...]

    @property
    def origin_key(self) -> ObjectKey:
        return ("type", self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Extension:
    """An installed extension. ``relocatable``: ``ALTER EXTENSION ... SET SCHEMA`` can
    move it; ``default_version``: what the server's control file installs by default
    (None when the server has no control file for it)."""

    name: str
    schema: str
    version: str
    relocatable: bool = False
    default_version: str | None = None


@dataclass(frozen=True, slots=True)
class Bucket:
    """A Supabase Storage bucket: a row of ``storage.buckets``, written by migrations
    (``insert into storage.buckets``) like any data. ``public`` buckets serve their objects
    by URL without any policy."""

    id: str
    name: str
    public: bool = False


@dataclass(frozen=True, slots=True)
class TablePrivilege:
    """Table privileges held by one role (``anon``, ``authenticated``, ... or ``public``
    for grants to PUBLIC, which every role inherits). Privileges are upper case:
    SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER (MAINTAIN on 17+)."""

    schema: str
    table: str
    role: str
    privileges: frozenset[str]


@dataclass(frozen=True, slots=True)
class ColumnPrivilege:
    """Column-level grants (``GRANT UPDATE (col) ON t TO role``) held by one role."""

    schema: str
    table: str
    column: str
    role: str
    privileges: frozenset[str]


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence. ``owned_by`` is ``(schema, table, column)`` for serial/identity ones."""

    schema: str
    name: str
    data_type: str
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 2**63 - 1
    cycle: bool = False
    owned_by: tuple[str, str, str] | None = None
    identity: bool = False

    @property
    def origin_key(self) -> ObjectKey:
        return ("sequence", self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Role:
    """A role (``pg_roles``, ``pg_*`` roles left out). ``member_of`` lists directly
    granted roles."""

    name: str
    superuser: bool = False
    bypass_rls: bool = False
    can_login: bool = False
    inherit: bool = True
    member_of: tuple[str, ...] = ()


# --- the catalog ---------------------------------------------------------------------------

_EMPTY_ORIGINS: Mapping[ObjectKey, Origin] = MappingProxyType({})


_K = TypeVar("_K")
_V = TypeVar("_V")


def _group(items: Iterable[_V], key: Callable[[_V], _K]) -> dict[_K, tuple[_V, ...]]:
    """``items`` by ``key``, each group in the items' order. A run of equal keys is one
    dictionary operation: the catalog's objects come sorted by table, so a 5,000-table
    catalog's 15,000 indexes are 5,000 runs (a key met again later is added on)."""
    grouped: dict[_K, list[_V]] = {}
    for k, run in itertools.groupby(items, key):
        earlier = grouped.get(k)
        if earlier is None:
            grouped[k] = list(run)
        else:
            earlier.extend(run)
    return {k: tuple(v) for k, v in grouped.items()}


#: ``(schema, table)`` of an index, constraint, policy…: a C-level key for 50,000 objects
_by_table: Callable[[Any], QualifiedName] = operator.attrgetter("schema", "table")


@dataclass(frozen=True)
class Catalog:
    """Everything read from one database, plus lookups built once.

    All fields have defaults so tests can build a small catalog by hand. ``partial`` is set
    by the replay when some migrations failed (the catalog then shows what did apply).
    ``origins`` maps :data:`ObjectKey` to :class:`Origin`; see :meth:`with_origins`.
    ``buckets`` and ``storage_policies`` (the policies on ``storage.objects``) are the
    only things read from the ``storage`` schema: Storage's access is decided there.
    """

    server_version: int = 0
    schemas: tuple[Schema, ...] = ()
    tables: tuple[Table, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    policies: tuple[Policy, ...] = ()
    functions: tuple[Function, ...] = ()
    views: tuple[View, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    enums: tuple[Enum, ...] = ()
    extensions: tuple[Extension, ...] = ()
    privileges: tuple[TablePrivilege, ...] = ()
    column_privileges: tuple[ColumnPrivilege, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    roles: tuple[Role, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    storage_policies: tuple[Policy, ...] = ()
    origins: Mapping[ObjectKey, Origin] = field(default_factory=lambda: _EMPTY_ORIGINS)
    partial: bool = False

    _tables: dict[QualifiedName, Table] = field(init=False, repr=False, compare=False)
    _views: dict[QualifiedName, View] = field(init=False, repr=False, compare=False)
    _indexes: dict[QualifiedName, tuple[Index, ...]] = field(init=False, repr=False, compare=False)
    _constraints: dict[QualifiedName, tuple[Constraint, ...]] = field(
        init=False, repr=False, compare=False
    )
    _referencing: dict[QualifiedName, tuple[Constraint, ...]] = field(
        init=False, repr=False, compare=False
    )
    _policies: dict[QualifiedName, tuple[Policy, ...]] = field(
        init=False, repr=False, compare=False
    )
    _triggers: dict[QualifiedName, tuple[Trigger, ...]] = field(
        init=False, repr=False, compare=False
    )
    _functions: dict[QualifiedName, tuple[Function, ...]] = field(
        init=False, repr=False, compare=False
    )
    _enums: dict[QualifiedName, Enum] = field(init=False, repr=False, compare=False)
    _partitions: dict[QualifiedName, tuple[Table, ...]] = field(
        init=False, repr=False, compare=False
    )
    _privileges: dict[QualifiedName, tuple[TablePrivilege, ...]] = field(
        init=False, repr=False, compare=False
    )
    _roles: dict[str, Role] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.origins, MappingProxyType):
            object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))
        indexes = {
            "_tables": {t.key: t for t in self.tables},
            "_views": {(v.schema, v.name): v for v in self.views},
            "_indexes": _group(self.indexes, _by_table),
            "_constraints": _group(self.constraints, _by_table),
            "_referencing": _group(
                (c for c in self.constraints if c.kind == "foreign"),
                lambda c: (c.ref_schema, c.ref_table),
            ),
            "_policies": _group(self.policies, _by_table),
            "_triggers": _group(self.triggers, _by_table),
            "_functions": _group(self.functions, operator.attrgetter("schema", "name")),
            "_enums": {(e.schema, e.name): e for e in self.enums},
            "_partitions": _group((t for t in self.tables if t.parent), lambda t: t.parent),
            "_privileges": _group(self.privileges, _by_table),
            "_roles": {r.name: r for r in self.roles},
        }
        for name, value in indexes.items():
            object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # MappingProxyType does not pickle: rebuild from the init fields instead, so a
        # catalog can be cached on disk or sent to another process.
        kwargs = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        kwargs["origins"] = dict(self.origins)
        return (_restore_catalog, (kwargs,))

    # -- tables and views --

    def table(self, schema: str, name: str) -> Table:
        """The table (or view) ``schema.name``; KeyError when absent."""
        try:
            return self._tables[(schema, name)]
        except KeyError:
            raise KeyError(f"no table {schema}.{name} in the catalog") from None

    def find_table(self, schema: str, name: str) -> Table | None:
        """The table (or view) ``schema.name``, or None."""
        return self._tables.get((schema, name))

    @property
    def base_tables(self) -> tuple[Table, ...]:
        """Tables that hold rows: plain, partitioned and foreign tables (no views)."""
        return tuple(t for t in self.tables if not t.is_view)

    def partitions_of(self, schema: str, table: str) -> tuple[Table, ...]:
        """Direct partitions of a partitioned table."""
        return self._partitions.get((schema, table), ())

    def view(self, schema: str, name: str) -> View | None:
        """The view or materialized view ``schema.name``, or None."""
        return self._views.get((schema, name))

    # -- per-table objects --

    def indexes_of(self, schema: str, table: str) -> tuple[Index, ...]:
        """Indexes on ``schema.table`` (a partitioned table's own are ``partitioned``)."""
        return self._indexes.get((schema, table), ())

    def constraints_of(self, schema: str, table: str) -> tuple[Constraint, ...]:
        """Constraints declared on ``schema.table``, by name."""
        return self._constraints.get((schema, table), ())

    def primary_key(self, schema: str, table: str) -> Constraint | None:
        """The primary key constraint of ``schema.table``, or None (a rule in itself)."""
        for con in self.constraints_of(schema, table):
            if con.kind == "primary":
                return con
        return None

    @property
    def foreign_keys(self) -> tuple[Constraint, ...]:
        """Every foreign key constraint."""
        return tuple(c for c in self.constraints if c.kind == "foreign")

    def foreign_keys_of(self, schema: str, table: str) -> tuple[Constraint, ...]:
        """Foreign keys declared on ``schema.table`` (outgoing)."""
        return tuple(c for c in self.constraints_of(schema, table) if c.kind == "foreign")

    def referencing(self, schema: str, table: str) -> tuple[Constraint, ...]:
        """Foreign keys of other (or the same) tables that point at ``schema.table``."""
        return self._referencing.get((schema, table), ())

    def policies_of(self, schema: str, table: str) -> tuple[Policy, ...]:
        """RLS policies on ``schema.table``, by name."""
        return self._policies.get((schema, table), ())

    def triggers_of(self, schema: str, table: str) -> tuple[Trigger, ...]:
        """User triggers on ``schema.table``, by name."""
        return self._triggers.get((schema, table), ())

    def privileges_of(self, schema: str, table: str) -> tuple[TablePrivilege, ...]:
        """Grants on ``schema.table`` to the roles read (and PUBLIC), one per role."""
        return self._privileges.get((schema, table), ())

    def table_privileges(self, schema: str, table: str, role: str) -> frozenset[str]:
        """Privileges ``role`` has on the table directly or through PUBLIC grants
        (membership in other roles is not followed)."""
        out: set[str] = set()
        for priv in self.privileges_of(schema, table):
            if priv.role in (role, "public"):
                out |= priv.privileges
        return frozenset(out)

    # -- functions, types, roles --

    def functions_named(self, schema: str, name: str) -> tuple[Function, ...]:
        """All overloads of ``schema.name``."""
        return self._functions.get((schema, name), ())

    def enum(self, schema: str, name: str) -> Enum | None:
        """The enum type ``schema.name``, or None."""
        return self._enums.get((schema, name))

    def role(self, name: str) -> Role | None:
        """The role called ``name``, or None."""
        return self._roles.get(name)

    def schema_names(self) -> frozenset[str]:
        """Names of the schemas read (excluded ones are not there)."""
        return frozenset(s.name for s in self.schemas)

    # -- origins --

    def origin_of(self, kind: ObjectKind | str, schema: str, name: str) -> Origin | None:
        """Where ``(kind, schema, name)`` was created; for policies, triggers and
        constraints ``name`` is ``"<table>.<name>"``."""
        return self.origins.get((kind, schema, name))

    def origin_for(self, obj: Any) -> Origin | None:
        """Origin of any model object that has an ``origin_key``."""
        key = getattr(obj, "origin_key", None)
        return self.origins.get(key) if key is not None else None

    def with_origins(self, origins: Mapping[ObjectKey, Origin]) -> Catalog:
        """A copy whose ``origins`` is ``origins``."""
        return replace(self, origins=MappingProxyType(dict(origins)))

    def with_partial(self, partial: bool = True) -> Catalog:
        """A copy with ``partial`` set."""
        return replace(self, partial=partial)


def _restore_catalog(kwargs: dict[str, Any]) -> Catalog:
    return Catalog(**kwargs)
