"""What the type generators need from a database, as postgres-meta's generator sees it.

The shared :class:`pgvet.catalog.Catalog` leaves out Supabase's internal schemas and
``pg_catalog``'s types and carries no object ids; the generators resolve every column,
argument and return type by oid across *all* schemas (an ``auth`` enum, a ``pg_catalog``
array type), so they read their own facts (:mod:`pgvet.types.introspect`) into these
values. Field meanings follow postgres-meta's metadata so the generators' rules carry over.
Collections are already in the generators' order (see :mod:`pgvet.types.collation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RelationKind = Literal["table", "foreign", "view", "materialized_view"]
ArgMode = Literal["in", "out", "inout", "variadic", "table"]


@dataclass(frozen=True, slots=True)
class Relation:
    """A table, foreign table, view or materialized view (``pg_class``).

    ``insert_enabled`` / ``update_enabled`` say whether PostgREST can write through a
    view (auto-updatable, or an INSTEAD OF trigger or unconditional INSTEAD rule).
    """

    id: int
    schema: str
    name: str
    kind: RelationKind
    insert_enabled: bool = False
    update_enabled: bool = False

    @property
    def is_view(self) -> bool:
        return self.kind in ("view", "materialized_view")


@dataclass(frozen=True, slots=True)
class Column:
    """A column; ``format`` is the type name (a domain's base type), ``type_schema`` its
    schema. ``updatable`` matters for views (a computed view column is read-only)."""

    table_id: int
    name: str
    position: int
    format: str
    type_schema: str
    nullable: bool
    has_default: bool
    identity: Literal["ALWAYS", "BY DEFAULT"] | None
    generated: bool
    updatable: bool


@dataclass(frozen=True, slots=True)
class Relationship:
    """A foreign key as PostgREST embeds it, also through views that expose its columns."""

    foreign_key_name: str
    schema: str
    relation: str
    columns: tuple[str, ...]
    one_to_one: bool
    referenced_schema: str
    referenced_relation: str
    referenced_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FunctionArg:
    """One argument; ``has_default`` is None where postgres-meta's positional pairing of
    defaults with arguments runs out (OUT and TABLE arguments after the inputs)."""

    mode: ArgMode
    name: str
    type_id: int
    has_default: bool | None


@dataclass(frozen=True, slots=True)
class Function:
    """A plain function (``prokind = 'f'``) that is not a trigger function.

    ``argument_types`` is ``pg_get_function_arguments`` and ``return_type``
    ``pg_get_function_result``: the generators order overloads by that text.
    """

    id: int
    schema: str
    name: str
    args: tuple[FunctionArg, ...]
    argument_types: str
    identity_argument_types: str
    return_type_id: int
    return_type: str
    return_type_relation_id: int | None
    set_returning: bool
    prorows: float | None


@dataclass(frozen=True, slots=True)
class PgType:
    """Any type of any schema. ``enums`` are the labels of an enum, ``attributes``
    ``(name, type oid)`` of a composite type; ``relation_id`` is set for row types."""

    id: int
    name: str
    schema: str
    format: str
    enums: tuple[str, ...] = ()
    attributes: tuple[tuple[str, int], ...] = ()
    relation_id: int | None = None


@dataclass(frozen=True)
class TypesMeta:
    """Everything the generators read, for the schemas asked for (types: every schema)."""

    schemas: tuple[str, ...]
    tables: tuple[Relation, ...]
    foreign_tables: tuple[Relation, ...]
    views: tuple[Relation, ...]
    materialized_views: tuple[Relation, ...]
    columns: tuple[Column, ...]
    relationships: tuple[Relationship, ...]
    functions: tuple[Function, ...]
    types: tuple[PgType, ...]
    columns_by_table: dict[int, list[Column]] = field(init=False, repr=False)
    types_by_id: dict[int, PgType] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_table: dict[int, list[Column]] = {}
        for column in self.columns:
            by_table.setdefault(column.table_id, []).append(column)
        object.__setattr__(self, "columns_by_table", by_table)
        object.__setattr__(self, "types_by_id", {t.id: t for t in self.types})

    def columns_of(self, relation: Relation) -> list[Column]:
        return self.columns_by_table.get(relation.id, [])
