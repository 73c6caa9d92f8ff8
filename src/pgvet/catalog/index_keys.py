"""An index's keys by name, resolved on the client from numbers the server hands over.

``pg_index`` keeps each key as numbers: the column's ``attnum`` (0 for an expression), the
operator class and collation oids, two option bits. Turning them into names on the server
(one grouped pass joining every key to ``pg_attribute``, ``pg_opclass`` and
``pg_collation``, seven ordered aggregates per index) was 0.5 s of a 5,000-table catalog's
1.2 s index query. The column names are already in the catalog's columns (same snapshot);
operator classes, collations and the server's keywords (for ``quote_ident``) are one
small query; only expression keys still ask the server (``pg_get_indexdef(index, column,
true)``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pgvet.catalog.model import Index

Row = dict[str, Any]

#: operator classes, collations, and the keywords quote_ident() quotes on this server (all
#: but the unreserved ones: the list depends on the server's version)
KEY_NAMES_SQL = """
SELECT 'opclass' AS kind, oid, opcname::text AS name FROM pg_catalog.pg_opclass
UNION ALL
SELECT 'collation', oid, collname::text FROM pg_catalog.pg_collation
UNION ALL
SELECT 'keyword', 0, word FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'
UNION ALL
SELECT 'quote_all', 0, pg_catalog.current_setting('quote_all_identifiers')
"""

_SAFE = re.compile(r"[a-z_][a-z0-9_]*", re.ASCII)


@dataclass(frozen=True)
class KeyNames:
    """What :data:`KEY_NAMES_SQL` read: names by oid, and how the server quotes."""

    opclasses: Mapping[int, str]
    collations: Mapping[int, str]
    keywords: frozenset[str]
    quote_all: bool
    #: quote_ident's answers so far (a catalog's indexes share a few column names)
    quoted: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, rows: list[Row]) -> KeyNames:
        by_kind: dict[str, list[Row]] = {}
        for r in rows:
            by_kind.setdefault(r["kind"], []).append(r)
        return cls(
            opclasses={r["oid"]: r["name"] for r in by_kind.get("opclass", [])},
            collations={r["oid"]: r["name"] for r in by_kind.get("collation", [])},
            keywords=frozenset(r["name"] for r in by_kind.get("keyword", [])),
            quote_all=any(r["name"] == "on" for r in by_kind.get("quote_all", [])),
        )

    def quote_ident(self, name: str) -> str:
        """PostgreSQL's ``quote_ident`` (ruleutils.c ``quote_identifier``): bare only when
        lower-case ASCII letters, digits and underscores, not starting with a digit, and
        not a keyword other than an unreserved one."""
        quoted = self.quoted.get(name)
        if quoted is None:
            if not self.quote_all and _SAFE.fullmatch(name) and name not in self.keywords:
                quoted = name
            else:
                quoted = '"' + name.replace('"', '""') + '"'
            self.quoted[name] = quoted
        return quoted


#: indoption's bits: 1 DESC, 2 NULLS FIRST
_DESCENDING = (False, True, False, True)
_NULLS_FIRST = (False, False, True, True)


def index_of(r: Any, names: KeyNames, attnames: Mapping[int, str]) -> Index:
    """The :class:`~pgvet.catalog.model.Index` of one row of the index query, its keys
    named from ``attnames`` (the indexed table's column names by number) and ``names``."""
    count: int = r.key_count
    attnums: list[int] = r.attnums
    columns = tuple(map(attnames.get, attnums[:count]))  # an expression's 0 is no column
    definitions: list[str] | None = r.key_definitions
    if definitions is None and None not in columns:  # plain columns: most indexes
        expressions = tuple(map(names.quote_ident, columns))  # type: ignore[arg-type]
    else:  # an expression as pg_get_indexdef prints that column
        expressions = tuple(
            (definitions[k] if definitions else "")
            if attnums[k] == 0
            else (names.quote_ident(name) if (name := columns[k]) is not None else "")
            for k in range(count)
        )
    options = [o & 3 for o in r.options[:count]]
    return Index(
        schema=r.schema,
        table=r.table_name,
        name=r.name,
        columns=columns,
        expressions=expressions,
        key_count=count,
        method=r.method,
        definition=r.definition,
        include_columns=tuple(n for a in attnums[count:] if (n := attnames.get(a)) is not None),
        unique=r.unique,
        primary=r.primary,
        valid=r.valid,
        ready=r.ready,
        predicate=r.predicate,
        opclasses=tuple(map(names.opclasses.get, r.opclass_oids[:count])),
        collations=tuple(map(names.collations.get, r.collation_oids[:count])),
        descending=tuple(map(_DESCENDING.__getitem__, options)),
        nulls_first=tuple(map(_NULLS_FIRST.__getitem__, options)),
        nulls_not_distinct=r.nulls_not_distinct,
        constraint_name=r.constraint_name,
        partitioned=r.partitioned,
        size_bytes=r.size_bytes,
    )
