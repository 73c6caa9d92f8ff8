"""How the project queries its JSON and text, so generated documents have that shape.

A JSONB column filtered with ``tags @> '["acne"]'`` must hold arrays in which ``"acne"``
occurs (sometimes), and one read as ``settings ->> 'theme'`` objects with a ``theme`` key,
or every plan and index decision made on the generated data is about rows production never
has. The evidence is every piece of SQL the project wrote: the workload file and its
default parameters, function bodies, views, policies, index and check definitions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pgvet.catalog.model import Catalog

_KEY_READ = re.compile(r"(?<![\w.])(?:\w+\.)?(?P<col>\w+)\)?\s*(?:->>?|\?)\s*'(?P<key>[^']+)'")
_CONTAINS = re.compile(r"(?<![\w.])(?:\w+\.)?(?P<col>\w+)\s*@>\s*(?P<rhs>'[^']*'|%\(\w+\)s|\w+)")
_PARAM = re.compile(r"%\((\w+)\)s")
_SEARCH = re.compile(r"to_tsquery\(\s*(?:'[a-z_]+'\s*,\s*)?(?P<arg>'[^']*'|%\(\w+\)s)", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
#: JSON columns with these names hold arrays of labels even when no query says so
_LIST_NAMES = ("tags", "labels", "categories", "concerns", "keywords", "interests", "skills")


@dataclass
class JsonShape:
    """What the queries read of one JSON column: keys of an object, or array items."""

    keys: dict[str, Any] = field(default_factory=dict)
    items: list[Any] = field(default_factory=list)
    is_array: bool = False


@dataclass
class Usage:
    """Per JSON column name: its shape; and words the project searches text for."""

    json: dict[str, JsonShape] = field(default_factory=dict)
    search_words: list[str] = field(default_factory=list)

    def shape(self, column: str) -> JsonShape:
        shape = self.json.get(column)
        if shape is None:
            shape = JsonShape(is_array=column.lower() in _LIST_NAMES)
        return shape


def project_sql(catalog: Catalog) -> list[str]:
    """Every piece of SQL the project wrote that the catalog keeps."""
    texts = [f.body for f in catalog.functions if not f.is_internal_schema and not f.extension]
    texts += [v.definition for v in catalog.views]
    texts += [p.using or "" for p in catalog.policies] + [
        p.with_check or "" for p in catalog.policies
    ]
    texts += [i.definition for i in catalog.indexes] + [c.definition for c in catalog.constraints]
    return texts


def read_usage(
    catalog: Catalog, texts: Iterable[str], defaults: dict[str, Any] | None = None
) -> Usage:
    """The JSON shapes and searched words found in ``texts`` (``%(param)s`` placeholders
    stand for their value in ``defaults``, the workload's ``-- params`` line)."""
    defaults = defaults or {}
    json_columns = {
        c.name
        for t in catalog.base_tables
        for c in t.columns
        if c.type_name in ("json", "jsonb") and not c.is_array
    }
    usage = Usage()
    words: list[str] = []
    for text in texts:
        for match in _KEY_READ.finditer(text):
            if match["col"] in json_columns:
                usage.json.setdefault(match["col"], JsonShape()).keys.setdefault(match["key"], None)
        for match in _CONTAINS.finditer(text):
            if match["col"] not in json_columns:
                continue
            shape = usage.json.setdefault(match["col"], JsonShape())
            _merge_contained(shape, _literal(match["rhs"], defaults), match["col"])
        for match in _SEARCH.finditer(text):
            value = _literal(match["arg"], defaults)
            if isinstance(value, str):
                words += [w.lower() for w in _WORD.findall(value)]
    for name in defaults:  # a list-valued parameter named like the column
        if name in json_columns:
            _merge_contained(
                usage.json.setdefault(name, JsonShape()), _literal(f"%({name})s", defaults), name
            )
    usage.search_words = list(dict.fromkeys(words))
    return usage


def _literal(rhs: str, defaults: dict[str, Any]) -> Any:
    """The value of a quoted literal or a parameter with a default (JSON text parsed)."""
    if rhs.startswith("'"):
        raw: Any = rhs[1:-1]
    elif (param := _PARAM.fullmatch(rhs)) is not None:
        raw = defaults.get(param.group(1))
    else:
        return None
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _merge_contained(shape: JsonShape, value: Any, column: str) -> None:
    if isinstance(value, list):
        shape.is_array = True
        shape.items += [v for v in value if v not in shape.items]
    elif isinstance(value, dict):
        for key, item in value.items():
            shape.keys.setdefault(key, item)
    elif value is None and column.lower() in _LIST_NAMES:
        shape.is_array = True
