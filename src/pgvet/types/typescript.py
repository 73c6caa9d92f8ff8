"""``Database`` TypeScript types, byte for byte as ``supabase gen types typescript`` prints.

The rules are postgres-meta 0.99.0's: which functions PostgREST can call and how their
overloads, table arguments and ``SETOF`` results are typed, how columns become ``Row`` /
``Insert`` / ``Update`` members, which foreign keys are ``Relationships``. The layout is
its formatter's (see :mod:`pgvet.types.tsdoc`): blocks that are always expanded are
written line by line here, and a member is laid out by the document printer only when
its one-line form does not fit, which keeps 5,000 tables well under a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pgvet.types.collation import collation_key
from pgvet.types.model import Column, Function, FunctionArg, PgType, Relation, TypesMeta
from pgvet.types.tsdoc import WIDTH, render, text_width
from pgvet.types.tshelpers import HELPERS, JSON_TYPE
from pgvet.types.tstypes import (
    ANY,
    JSON,
    NEVER_MAPPED,
    NULL,
    UNKNOWN,
    ArrayOf,
    Atom,
    Intersection,
    Member,
    Obj,
    TsType,
    Tuple,
    array_of,
    literal,
    property_key,
    string_literal,
    union,
)

_VALID_UNNAMED_ARG_TYPES = frozenset({114, 3802, 25})  # json, jsonb, text
_INPUT_MODES = frozenset({"in", "inout", "variadic"})
_NOT_NULL_JSON = Atom("NonNullable<Json>")
_NUMBERS = frozenset({"int2", "int4", "int8", "float4", "float8", "numeric"})
_STRINGS = frozenset(
    {
        "bytea", "bpchar", "varchar", "date", "text", "citext", "time", "timetz",
        "timestamp", "timestamptz", "uuid", "vector", "interval",
    }
)  # fmt: skip


def js_key_order(keys: Iterable[str]) -> list[str]:
    """The order a JavaScript object lists ``keys`` inserted in this order: array-index
    keys (``"0"``, ``"12"``) first, ascending, then the others as inserted."""
    keys = list(dict.fromkeys(keys))
    index = [k for k in keys if k.isdigit() and str(int(k)) == k and int(k) < 2**32 - 1]
    if not index:
        return keys
    chosen = set(index)
    return sorted(index, key=int) + [k for k in keys if k not in chosen]


@dataclass
class _Schema:
    """One schema's objects, in the generator's order."""

    name: str
    tables: list[Relation] = field(default_factory=list)
    views: list[Relation] = field(default_factory=list)
    functions: list[tuple[Function, list[FunctionArg]]] = field(default_factory=list)
    enums: list[PgType] = field(default_factory=list)
    composites: list[PgType] = field(default_factory=list)


class TypeScriptGenerator:
    """Builds the file for one :class:`TypesMeta`."""

    def __init__(
        self,
        meta: TypesMeta,
        *,
        one_to_one: bool = True,
        postgrest_version: str | None = None,
    ) -> None:
        self.meta = meta
        self.one_to_one = one_to_one
        self.postgrest_version = postgrest_version
        self.schema_names = set(meta.schemas)
        self.types_by_id = meta.types_by_id
        self.relation_types = {t.id: t for t in meta.types if t.relation_id}
        self.names_by_relation = {
            r.id: r.name
            for r in (
                *meta.tables, *meta.foreign_tables, *meta.views, *meta.materialized_views
            )
        }  # fmt: skip
        self.enums_by_name: dict[str, list[PgType]] = {}
        self.composites_by_name: dict[str, list[PgType]] = {}
        for t in meta.types:
            if t.enums:
                self.enums_by_name.setdefault(t.name, []).append(t)
            if t.attributes:
                self.composites_by_name.setdefault(t.name, []).append(t)
        self.relations_by_kind: list[tuple[str, dict[str, list[Relation]]]] = []
        for kind, relations in (
            ("Tables", meta.tables),
            ("Tables", meta.foreign_tables),
            ("Views", meta.views),
            ("Views", meta.materialized_views),
        ):
            by_name: dict[str, list[Relation]] = {}
            for r in relations:
                by_name.setdefault(r.name, []).append(r)
            self.relations_by_kind.append((kind, by_name))
        self.relationships: dict[tuple[str, str], list] = {}
        for rel in meta.relationships:
            if rel.referenced_schema == rel.schema:
                self.relationships.setdefault((rel.schema, rel.relation), []).append(rel)
        self.schemas = {name: _Schema(name) for name in meta.schemas}
        self._column_types: dict[tuple[str, str, str, bool], TsType] = {}
        self._group()
        self._computed = {name: self._computed_index(s) for name, s in self.schemas.items()}
        self._by_id = {
            name: {r.id: r for r in (*s.views, *s.tables)} for name, s in self.schemas.items()
        }

    # --- grouping ---------------------------------------------------------------------

    def _group(self) -> None:
        for t in self.meta.types:
            if t.schema in self.schemas:
                if t.enums:
                    self.schemas[t.schema].enums.append(t)
                if t.attributes:
                    self.schemas[t.schema].composites.append(t)
        for r in (*self.meta.tables, *self.meta.foreign_tables):
            if r.schema in self.schemas:
                self.schemas[r.schema].tables.append(r)
        for r in (*self.meta.views, *self.meta.materialized_views):
            if r.schema in self.schemas:
                self.schemas[r.schema].views.append(r)
        for fn in self.meta.functions:
            if fn.schema in self.schemas:
                in_args = [a for a in fn.args if a.mode in _INPUT_MODES]
                if self._callable(fn, in_args):
                    self.schemas[fn.schema].functions.append((fn, in_args))
        for s in self.schemas.values():
            s.tables.sort(key=lambda r: collation_key(r.name))
            s.views.sort(key=lambda r: collation_key(r.name))
            s.functions.sort(key=lambda f: collation_key(f[0].name))
            s.enums.sort(key=lambda t: collation_key(t.name))
            s.composites.sort(key=lambda t: collation_key(t.name))

    def _callable(self, fn: Function, in_args: list[FunctionArg]) -> bool:
        """Whether PostgREST can call ``fn`` (named arguments, or one unnamed json/text
        or row argument, or unnamed ones with json/text defaults)."""
        if not in_args or all(a.name for a in in_args):
            return True
        if all(
            a.name or (a.has_default and a.type_id in _VALID_UNNAMED_ARG_TYPES) for a in in_args
        ):
            return True
        return (
            len(in_args) == 1
            and in_args[0].name == ""
            and (
                in_args[0].type_id in _VALID_UNNAMED_ARG_TYPES
                or in_args[0].type_id in self.relation_types
            )
        )

    # --- type mapping ------------------------------------------------------------------

    def ts_type(self, schema: str, pg_type: str, type_schema: str | None) -> TsType:
        """The TypeScript type of the PostgreSQL type called ``pg_type``."""
        if pg_type == "bool":
            return Atom("boolean")
        if pg_type in _NUMBERS:
            return Atom("number")
        if pg_type in _STRINGS:
            return Atom("string")
        if pg_type in ("json", "jsonb"):
            return Atom("Json")
        if pg_type == "void":
            return Atom("undefined")
        if pg_type == "record":
            return Atom("Record<string, unknown>")
        if pg_type.startswith("_"):
            return ArrayOf(self.ts_type(schema, pg_type[1:], type_schema))
        preferred = type_schema if type_schema is not None else schema
        enums = self.enums_by_name.get(pg_type)
        if enums:
            enum = next((t for t in enums if t.schema == preferred), enums[0])
            if enum.schema in self.schema_names:
                return Atom(
                    f'Database[{string_literal(enum.schema)}]["Enums"][{string_literal(enum.name)}]'
                )
            return union([literal(v) for v in enum.enums])
        composites = self.composites_by_name.get(pg_type)
        if composites:
            composite = next((t for t in composites if t.schema == preferred), composites[0])
            if composite.schema in self.schema_names:
                return Atom(
                    f'Database[{string_literal(composite.schema)}]["CompositeTypes"]'
                    f"[{string_literal(composite.name)}]"
                )
            return UNKNOWN
        found = self._relation_named(pg_type, preferred)
        if found is not None:
            kind, relation = found
            return Atom(
                f'Database[{string_literal(relation.schema)}]["{kind}"]'
                f'[{string_literal(relation.name)}]["Row"]'
            )
        return UNKNOWN

    def _relation_named(self, name: str, schema: str) -> tuple[str, Relation] | None:
        for kind, by_name in self.relations_by_kind:
            for r in by_name.get(name, ()):
                if r.schema == schema:
                    return kind, r
        for kind, by_name in self.relations_by_kind:
            if by_name.get(name):
                return kind, by_name[name][0]
        return None

    def _type_of(self, schema: str, type_id: int) -> TsType:
        t = self.types_by_id.get(type_id)
        return self.ts_type(schema, t.name, t.schema) if t else UNKNOWN

    @staticmethod
    def nullable(t: TsType, is_nullable: bool) -> TsType:
        if not is_nullable:
            return _NOT_NULL_JSON if t == JSON else t
        if t in (UNKNOWN, ANY):
            return t
        return union([t, NULL])

    def column(self, schema: str, col: Column, *, optional: bool, nullable: bool) -> Member:
        key = (schema, col.format, col.type_schema, nullable)
        t = self._column_types.get(key)
        if t is None:
            t = self.nullable(self.ts_type(schema, col.format, col.type_schema), nullable)
            self._column_types[key] = t
        return Member(col.name, t, optional)

    # --- functions ---------------------------------------------------------------------

    def _table_name_of(self, relation_id: int | None, return_type_id: int | None) -> str | None:
        if not relation_id:
            return None
        if relation_id in self.names_by_relation:
            return self.names_by_relation[relation_id]
        reltype = self.relation_types.get(return_type_id) if return_type_id else None
        return reltype.name if reltype else None

    def return_type(self, schema: _Schema, fn: Function) -> TsType:
        table_args = [a for a in fn.args if a.mode == "table"]
        if table_args:
            return Obj(
                tuple(Member(a.name, self._type_of(schema.name, a.type_id)) for a in table_args),
                expanded=True,
            )
        relation = self._by_id[schema.name].get(fn.return_type_relation_id or 0)
        if relation is not None:
            return Obj(
                tuple(
                    self.column(schema.name, c, optional=False, nullable=c.nullable)
                    for c in self.meta.columns_of(relation)
                ),
                expanded=True,
            )
        return self._type_of(schema.name, fn.return_type_id)

    def _returns(self, fn: Function, returns: TsType) -> list[Member]:
        """``Returns`` (and ``SetofOptions`` for results PostgREST can embed)."""
        table_name = self._table_name_of(fn.return_type_relation_id, fn.return_type_id)
        setof_table = fn.set_returning and fn.return_type_relation_id is not None
        many = fn.prorows is not None and fn.prorows > 1
        setof: tuple[str, str, bool, bool] | None = None
        if table_name:
            setof = ("*", table_name, not many, fn.set_returning)
        if len(fn.args) == 1:
            relation_type = self.relation_types.get(fn.args[0].type_id)
            if relation_type is not None:
                if setof_table and table_name:
                    setof = (relation_type.format, table_name, not many, True)
                elif table_name and not setof_table:
                    setof = (relation_type.format, table_name, True, False)
        single_row = not many and table_name is not None
        if fn.set_returning and not single_row:
            returns = array_of(returns)
        members = [Member("Returns", returns)]
        if setof is not None:
            source, target, one, set_return = setof
            members.append(
                Member(
                    "SetofOptions",
                    Obj(
                        (
                            Member("from", literal(source)),
                            Member("to", literal(target)),
                            Member("isOneToOne", Atom(_js_bool(one))),
                            Member("isSetofReturn", Atom(_js_bool(set_return))),
                        ),
                        expanded=True,
                    ),
                )
            )
        return members

    def _args(self, schema: str, in_args: list[FunctionArg]) -> TsType:
        return Obj(
            tuple(
                Member(a.name, self._type_of(schema, a.type_id), bool(a.has_default))
                for a in in_args
            )
        )

    def _conflict(
        self,
        schema: str,
        group: list[tuple[Function, list[FunctionArg]]],
        fn: Function,
        in_args: list[FunctionArg],
    ) -> str | None:
        """PostgREST's "could not choose the best candidate" overloads, as an error."""
        if len(group) <= 1:
            return None
        if not in_args:
            others = [
                (f, a)
                for f, a in group
                if f is not fn and len(a) == 1 and a[0].name == "" and a[0].has_default
            ]
            if others:
                other = self.types_by_id.get(others[0][0].return_type_id)
                type_name = other.name if other else "unknown"
                return (
                    f"Could not choose the best candidate function between: {schema}.{fn.name}(), "
                    f"{schema}.{fn.name}( => {type_name}). Try renaming the parameters or the "
                    "function itself in the database so function overloading can be resolved"
                )
        if len(in_args) == 1 and in_args[0].name != "":
            others = [
                (f, a)
                for f, a in group
                if f is not fn
                and len(a) == 1
                and a[0].name == in_args[0].name
                and a[0].type_id != in_args[0].type_id
            ]
            if others:
                every = sorted([(fn, in_args), *others], key=lambda e: e[1][0].type_id or 0)
                listed = ", ".join(
                    f"{schema}.{fn.name}("
                    + ", ".join(f"{a.name} => {self._type_name(a.type_id)}" for a in args)
                    + ")"
                    for _, args in every
                )
                return (
                    f"Could not choose the best candidate function between: {listed}. Try "
                    "renaming the parameters or the function itself in the database so "
                    "function overloading can be resolved"
                )
        return None

    def _type_name(self, type_id: int) -> str:
        t = self.types_by_id.get(type_id)
        return t.name if t else "unknown"

    def _table_row_error(self, fn: Function, in_args: list[FunctionArg]) -> bool:
        return (
            len(in_args) == 1
            and in_args[0].name == ""
            and in_args[0].type_id in self.relation_types
            and not self._table_name_of(fn.return_type_relation_id, fn.return_type_id)
        )

    def signature(
        self,
        schema: _Schema,
        group: list[tuple[Function, list[FunctionArg]]],
        fn: Function,
        in_args: list[FunctionArg],
    ) -> TsType:
        args: TsType = Atom("Record<PropertyKey, never>")
        returns = self.return_type(schema, fn)
        error = self._conflict(schema.name, group, fn, in_args)
        if error is None and self._table_row_error(fn, in_args):
            error = (
                f"the function {schema.name}.{fn.name} with parameter or with a single unnamed "
                "json/jsonb parameter, but no matches were found in the schema cache"
            )
        if in_args:
            args = self._args(schema.name, in_args)
        if error is not None:
            returns = Intersection((Obj((Member("error", Atom("true")),)), literal(error)))
        return Obj((Member("Args", args), *self._returns(fn, returns)))

    def _computed_index(
        self, schema: _Schema
    ) -> tuple[dict[int, list[Function]], dict[str, list[Function]]]:
        """Computed fields (functions taking one row argument) by relation id, and the
        others by their argument text (postgres-meta's fallback comparison)."""
        by_relation: dict[int, list[Function]] = {}
        by_text: dict[str, list[Function]] = {}
        for fn, in_args in schema.functions:
            if len(in_args) == 1 and in_args[0].type_id in self.relation_types:
                relation_id = self.relation_types[in_args[0].type_id].relation_id or 0
                by_relation.setdefault(relation_id, []).append(fn)
            else:
                by_text.setdefault(fn.argument_types, []).append(fn)
        return by_relation, by_text

    def _computed_fields(self, schema: _Schema, relation: Relation) -> list[Member]:
        by_relation, by_text = self._computed[schema.name]
        found = {id(f) for f in by_relation.get(relation.id, [])}
        found |= {id(f) for f in by_text.get(relation.name, [])}
        if not found:
            return []
        return [
            Member(fn.name, self.nullable(self.return_type(schema, fn), True))
            for fn, _ in schema.functions
            if id(fn) in found
        ]

    # --- output ------------------------------------------------------------------------

    def generate(self) -> str:
        """The file, as postgres-meta writes it to stdout."""
        w = _Writer()
        w.lines.extend(JSON_TYPE.splitlines())
        w.line(0, "")
        if not self.schemas and self.postgrest_version is None:
            w.line(0, "export type Database = {}")
        else:
            w.line(0, "export type Database = {")
            if self.postgrest_version is not None:
                w.line(2, "// Allows to automatically instantiate createClient with right options")
                w.line(
                    2,
                    "// instead of createClient<Database, { PostgrestVersion: 'XX' }>(URL, KEY)",
                )
                w.open(2, "__InternalSupabase")
                w.member(4, Member("PostgrestVersion", literal(self.postgrest_version)))
                w.close(2)
            for name in self.meta.schemas:
                self._schema(w, self.schemas[name])
            w.line(0, "}")
        w.line(0, "")
        w.lines.extend(HELPERS.splitlines())
        self._constants(w)
        return w.text() + "\n\n"

    def _schema(self, w: _Writer, schema: _Schema) -> None:
        w.open(2, property_key(schema.name), raw=True)
        w.open(4, "Tables")
        if not schema.tables:
            w.line(6, NEVER_MAPPED.value)
        for table in schema.tables:
            self._table(w, schema, table)
        w.close(4)
        w.open(4, "Views")
        if not schema.views:
            w.line(6, NEVER_MAPPED.value)
        for view in schema.views:
            self._view(w, schema, view)
        w.close(4)
        w.open(4, "Functions")
        if not schema.functions:
            w.line(6, NEVER_MAPPED.value)
        groups: dict[str, list[tuple[Function, list[FunctionArg]]]] = {}
        for fn, in_args in schema.functions:
            groups.setdefault(fn.name, []).append((fn, in_args))
        for name in js_key_order(groups):
            group = groups[name]
            group.sort(
                key=lambda e: (collation_key(e[0].argument_types), collation_key(e[0].return_type))
            )
            signatures = [self.signature(schema, group, fn, a) for fn, a in group]
            w.member(6, Member(name, union(signatures)))
        w.close(4)
        w.open(4, "Enums")
        if not schema.enums:
            w.line(6, NEVER_MAPPED.value)
        for enum in schema.enums:
            w.member(6, Member(enum.name, union([literal(v) for v in enum.enums])))
        w.close(4)
        w.open(4, "CompositeTypes")
        if not schema.composites:
            w.line(6, NEVER_MAPPED.value)
        for composite in schema.composites:
            attributes = tuple(
                Member(name, self.nullable(self._type_of(schema.name, type_id), True))
                for name, type_id in composite.attributes
            )
            w.member(6, Member(composite.name, Obj(attributes, expanded=True)))
        w.close(4)
        w.close(2)

    def _table(self, w: _Writer, schema: _Schema, table: Relation) -> None:
        columns = self.meta.columns_of(table)
        w.open(6, property_key(table.name), raw=True)
        row = [self.column(schema.name, c, optional=False, nullable=c.nullable) for c in columns]
        w.member(8, Member("Row", Obj((*row, *self._computed_fields(schema, table)), True)))
        for label, insert in (("Insert", True), ("Update", False)):
            members = []
            for c in columns:
                if c.identity == "ALWAYS" or c.generated:
                    members.append(Member(c.name, Atom("never"), True))
                else:
                    optional = (
                        c.nullable or c.identity is not None or c.has_default if insert else True
                    )
                    members.append(
                        self.column(schema.name, c, optional=optional, nullable=c.nullable)
                    )
            w.member(8, Member(label, Obj(tuple(members), True)))
        self._relationships(w, table)
        w.close(6)

    def _view(self, w: _Writer, schema: _Schema, view: Relation) -> None:
        columns = self.meta.columns_of(view)
        w.open(6, property_key(view.name), raw=True)
        row = [self.column(schema.name, c, optional=False, nullable=c.nullable) for c in columns]
        w.member(8, Member("Row", Obj((*row, *self._computed_fields(schema, view)), True)))
        for label, enabled in (("Insert", view.insert_enabled), ("Update", view.update_enabled)):
            if not enabled:
                continue
            members = [
                Member(c.name, Atom("never"), True)
                if not c.updatable
                else self.column(schema.name, c, optional=True, nullable=True)
                for c in columns
            ]
            w.member(8, Member(label, Obj(tuple(members), True)))
        self._relationships(w, view)
        w.close(6)

    def _relationships(self, w: _Writer, relation: Relation) -> None:
        found = self.relationships.get((relation.schema, relation.name), [])
        if not found:
            w.line(8, "Relationships: []")
            return
        w.line(8, "Relationships: [")
        for rel in found:
            w.line(10, "{")
            w.member(12, Member("foreignKeyName", literal(rel.foreign_key_name)))
            w.member(12, Member("columns", Tuple(tuple(literal(c) for c in rel.columns))))
            if self.one_to_one:
                w.member(12, Member("isOneToOne", Atom(_js_bool(rel.one_to_one))))
            w.member(12, Member("referencedRelation", literal(rel.referenced_relation)))
            referenced = Tuple(tuple(literal(c) for c in rel.referenced_columns))
            w.member(12, Member("referencedColumns", referenced))
            w.line(10, "},")
        w.line(8, "]")

    def _constants(self, w: _Writer) -> None:
        if not self.meta.schemas:
            w.line(0, "export const Constants = {} as const")
            return
        w.line(0, "export const Constants = {")
        for name in self.meta.schemas:
            enums = self.schemas[name].enums
            w.line(2, property_key(name) + ": {")
            if not enums:
                w.line(4, "Enums: {},")
            else:
                w.line(4, "Enums: {")
                for enum in enums:
                    head = property_key(enum.name) + ": "
                    values = [string_literal(v) for v in enum.enums]
                    flat = head + "[" + ", ".join(values) + "],"
                    if 6 + text_width(flat) <= WIDTH:
                        w.line(6, flat)
                    else:
                        w.line(6, head + "[")
                        for v in values:
                            w.line(8, v + ",")
                        w.line(6, "],")
                w.line(4, "},")
            w.line(2, "},")
        w.line(0, "} as const")


def _js_bool(value: bool) -> str:
    return "true" if value else "false"


class _Writer:
    """Lines of the output; members are laid out flat when they fit, else by the printer."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, indent: int, content: str) -> None:
        self.lines.append(" " * indent + content if content else "")

    def open(self, indent: int, key: str, *, raw: bool = False) -> None:
        self.line(indent, (key if raw else property_key(key)) + ": {")

    def close(self, indent: int) -> None:
        self.line(indent, "}")

    def member(self, indent: int, member: Member) -> None:
        t = member.type
        if isinstance(t, Obj) and t.expanded and t.members:
            self.line(indent, member.head + "{")
            for m in t.members:
                self.member(indent + 2, m)
            self.line(indent, "}")
            return
        if not t.hard:
            flat = member.flat()
            if indent + text_width(flat) <= WIDTH:
                self.line(indent, flat)
                return
        self.lines.append(" " * indent + render(member.doc(), indent))

    def text(self) -> str:
        return "\n".join(self.lines)
