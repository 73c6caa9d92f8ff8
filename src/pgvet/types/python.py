"""Pydantic models, byte for byte as ``supabase gen types python`` prints them.

postgres-meta's Python generator writes, for every table, a ``BaseModel`` (rows) and two
``TypedDict`` classes (``Insert``, ``Update``); a ``BaseModel`` per view, materialized view
and composite type; and a ``Literal`` alias per enum. Unlike the TypeScript generator it
looks types up by bare name across *every* schema (the last one in schema order wins) and
lists the enums of every schema, ``auth``'s included; both facts are kept so the output
matches.
"""

from __future__ import annotations

import json
import re

from pgvet.types.model import Column, PgType, Relation, TypesMeta
from pgvet.types.typescript import js_key_order

HEADER = """from __future__ import annotations

import datetime
import uuid
from typing import (
    Annotated,
    Any,
    List,
    Literal,
    Optional,
    TypedDict,
)
from typing_extensions import NotRequired, TypeAlias

from pydantic import BaseModel, Field, JsonValue"""

PY_TYPES = {
    "bool": "bool",
    **dict.fromkeys(("int2", "int4", "int8"), "int"),
    **dict.fromkeys(("float4", "float8", "numeric"), "float"),
    "bytea": "bytes",
    **dict.fromkeys(("bpchar", "varchar", "string", "text", "citext", "interval"), "str"),
    "date": "datetime.date",
    **dict.fromkeys(("time", "timetz"), "datetime.time"),
    **dict.fromkeys(("timestamp", "timestamptz"), "datetime.datetime"),
    "uuid": "uuid.UUID",
    "vector": "list[Any]",
    **dict.fromkeys(("json", "jsonb"), "JsonValue"),
    **dict.fromkeys(
        (
            "int4range", "int4multirange", "int8range", "int8multirange", "numrange",
            "nummultirange", "tsrange", "tsmultirange", "tstzrange", "tstzmultirange",
            "daterange", "datemultirange",
        ),
        "str",
    ),
    "void": "None",
    "record": "dict[str, Any]",
}  # fmt: skip

_CLASS_WORD = re.compile(r"[^a-zA-Z0-9]")
_ATTR_WORD = re.compile(r"[^a-zA-Z0-9]+")


def class_name(name: str) -> str:
    """``pokemon_center`` → ``PokemonCenter`` (words split at anything but ASCII letters
    and digits)."""
    return "".join(w[0].upper() + w[1:] for w in _CLASS_WORD.split(name) if w)


def attribute_name(name: str) -> str:
    """``PokemonCenter`` → ``pokemoncenter``, ``victory-road`` → ``victory_road``."""
    return "_".join(w.lower() for w in _ATTR_WORD.split(name))


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class PythonGenerator:
    """Builds the module for one :class:`TypesMeta`."""

    def __init__(self, meta: TypesMeta) -> None:
        self.meta = meta
        self.schemas = set(meta.schemas)
        by_name: dict[str, PgType] = {}
        for t in meta.types:
            by_name[t.name] = t
        self.types_by_name = {k: by_name[k] for k in js_key_order(t.name for t in meta.types)}
        enums: dict[str, PgType] = {}
        for t in meta.types:
            if t.enums:
                enums[t.name] = t
        self.enums = {k: enums[k] for k in js_key_order(t.name for t in meta.types if t.enums)}

    def type_name(self, name: str) -> str:
        if name in self.enums:
            enum = self.enums[name]
            return class_name(enum.schema) + class_name(enum.name)
        if name in PY_TYPES:
            return PY_TYPES[name]
        if name in self.types_by_name:
            t = self.types_by_name[name]
            return class_name(t.schema) + class_name(t.name)
        return "Any"

    def py_type(self, pg_type: str) -> str:
        if pg_type.startswith("_"):
            return f"List[{self.py_type(pg_type[1:])}]"
        return self.type_name(pg_type)

    def _model_attr(self, name: str, pg_type: str, nullable: bool) -> str:
        t = self.py_type(pg_type)
        t = f"Optional[{t}]" if nullable else t
        return f"    {attribute_name(name)}: {t} = Field(alias={_quoted(name)})"

    def _dict_attr(self, col: Column, not_required: bool) -> str:
        t = self.py_type(col.format)
        t = f"Optional[{t}]" if col.nullable else t
        annotation = f"Annotated[{t}, Field(alias={_quoted(col.name)})]"
        return f"    {attribute_name(col.name)}: " + (
            f"NotRequired[{annotation}]" if not_required else annotation
        )

    @staticmethod
    def _class(name: str, base: str, attributes: list[str]) -> str:
        return f"class {name}({base}):\n" + ("\n".join(attributes) if attributes else "    pass")

    def _model(self, relation: Relation) -> str:
        attributes = [
            self._model_attr(c.name, c.format, c.nullable) for c in self.meta.columns_of(relation)
        ]
        return self._class(
            class_name(relation.schema) + class_name(relation.name), "BaseModel", attributes
        )

    def _table(self, table: Relation) -> list[str]:
        columns = self.meta.columns_of(table)
        name = class_name(table.schema) + class_name(table.name)
        insert = [
            self._dict_attr(c, c.nullable or c.identity is not None or c.has_default)
            for c in columns
        ]
        update = [self._dict_attr(c, True) for c in columns]
        return [
            self._model(table),
            self._class(f"{name}Insert", "TypedDict", insert),
            self._class(f"{name}Update", "TypedDict", update),
        ]

    def _composite(self, t: PgType) -> str:
        by_id = self.meta.types_by_id
        attributes = [
            self._model_attr(name, by_id[type_id].name, True) for name, type_id in t.attributes
        ]
        return self._class(class_name(t.schema) + class_name(t.name), "BaseModel", attributes)

    def generate(self) -> str:
        """The module, as postgres-meta writes it to stdout."""
        enums = [
            f"{class_name(t.schema)}{class_name(t.name)}: TypeAlias = "
            f"Literal[{', '.join(_quoted(v) for v in t.enums)}]"
            for t in self.enums.values()
        ]
        tables = [block for table in self.meta.tables for block in self._table(table)]
        views = [self._model(v) for v in self.meta.views]
        matviews = [self._model(v) for v in self.meta.materialized_views]
        composites = [
            self._composite(t) for t in self.meta.types if t.attributes and t.schema in self.schemas
        ]
        sections = [HEADER, *("\n\n".join(s) for s in (enums, tables, views, matviews, composites))]
        return "\n\n".join(sections).strip() + "\n"


def generate_python(meta: TypesMeta) -> str:
    return PythonGenerator(meta).generate()
