"""An index's keys by name and its definition, resolved on the client from numbers the
server hands over.

``pg_index`` keeps each key as numbers: the column's ``attnum`` (0 for an expression), the
operator class and collation oids, two option bits. Turning them into names on the server
(one grouped pass joining every key to ``pg_attribute``, ``pg_opclass`` and
``pg_collation``, seven ordered aggregates per index) was 0.5 s of a 5,000-table catalog's
1.2 s index query. The column names are already in the catalog's columns (same snapshot);
operator classes, collations and the server's keywords (for ``quote_ident``) are one
small query; only expression keys still ask the server (``pg_get_indexdef(index, column,
true)``).

``pg_get_indexdef(index)`` was most of what remained (0.4 s of 0.66 s for 15,000 indexes:
for each key it looks up the type's default operator class with a catalog scan). An index
of plain columns, each with the default operator class of its column's type and the
column's collation, and without predicate, storage parameters or operator-class options,
is written here as ruleutils.c writes it; the server writes the others
(:func:`definition_of` says which).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pgvet.catalog.model import Index
from pgvet.catalog.positional import positional

Row = dict[str, Any]

#: operator classes (with the type a default one is the default for, and the name as
#: pg_get_indexdef writes it with search_path = pg_catalog, as the catalog is read),
#: collations, the keywords quote_ident() quotes on this server (all but the unreserved
#: ones: the list depends on the server's version), the access methods that sort (DESC,
#: NULLS FIRST)
KEY_NAMES_SQL = """
SELECT 'opclass' AS kind, c.oid, c.opcname::text AS name,
       CASE WHEN c.opcdefault THEN c.opcintype END AS default_for,
       CASE WHEN c.opcnamespace <> 'pg_catalog'::regnamespace
            THEN pg_catalog.quote_ident(n.nspname) || '.' ELSE '' END
           || pg_catalog.quote_ident(c.opcname) AS written
FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace
UNION ALL
SELECT 'collation', oid, collname::text, NULL, NULL FROM pg_catalog.pg_collation
UNION ALL
SELECT 'keyword', 0, word, NULL, NULL FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'
UNION ALL
SELECT 'ordered', oid, amname::text, NULL, NULL FROM pg_catalog.pg_am
WHERE amtype = 'i' AND pg_catalog.pg_indexam_has_property(oid, 'can_order')
UNION ALL
SELECT 'quote_all', 0, pg_catalog.current_setting('quote_all_identifiers'), NULL, NULL
"""

#: indoption's bits: 1 DESC, 2 NULLS FIRST
_DESCENDING = (False, True, False, True)
_NULLS_FIRST = (False, False, True, True)

#: an index's operator classes, collations, DESC and NULLS FIRST flags, key by key
Decorations = tuple[tuple[str, ...], tuple[str | None, ...], tuple[bool, ...], tuple[bool, ...]]

_SAFE = re.compile(r"[a-z_][a-z0-9_]*", re.ASCII)


class Quoted(dict[str, str]):
    """PostgreSQL's ``quote_ident`` (ruleutils.c ``quote_identifier``) of each name looked
    up, remembered: bare only when lower-case ASCII letters, digits and underscores, not
    starting with a digit, and not a keyword other than an unreserved one. A dictionary,
    so that a name met before (a catalog's indexes share a few column names) costs one
    lookup in C."""

    def __init__(self, keywords: frozenset[str], quote_all: bool) -> None:
        super().__init__()
        self.keywords = keywords
        self.quote_all = quote_all

    def __missing__(self, name: str) -> str:
        if not self.quote_all and _SAFE.fullmatch(name) and name not in self.keywords:
            quoted = name
        else:
            quoted = '"' + name.replace('"', '""') + '"'
        self[name] = quoted
        return quoted


@dataclass(frozen=True)
class KeyNames:
    """What :data:`KEY_NAMES_SQL` read: names by oid, and how the server quotes."""

    opclasses: Mapping[int, str]
    collations: Mapping[int, str]
    keywords: frozenset[str]
    quote_all: bool
    #: the type each default operator class is the default for, by the class's oid
    default_for: Mapping[int, int]
    #: operator classes that are no type's default, as pg_get_indexdef writes them
    written: Mapping[int, str]
    #: access methods whose keys have an order (btree): their DESC / NULLS are written
    ordered: frozenset[str]
    #: quote_ident of each name: ``quoted[name]``
    quoted: Quoted = field(init=False, compare=False)
    #: the per-key fields of the index model by (operator classes, collations, options):
    #: a catalog's 15,000 indexes have a few dozen combinations
    decorations: dict[tuple[tuple[int, ...], ...], Decorations] = field(
        default_factory=dict, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "quoted", Quoted(self.keywords, self.quote_all))

    def decorate(
        self, opclasses: list[int], collations: list[int], options: list[int]
    ) -> Decorations:
        """Operator class names, collation names, DESC and NULLS FIRST of each key."""
        key = (tuple(opclasses), tuple(collations), tuple(options))
        made = self.decorations.get(key)
        if made is None:
            bits = [o & 3 for o in options]
            made = self.decorations[key] = (
                tuple(map(self.opclasses.get, opclasses)),  # type: ignore[arg-type]
                tuple(map(self.collations.get, collations)),
                tuple(map(_DESCENDING.__getitem__, bits)),
                tuple(map(_NULLS_FIRST.__getitem__, bits)),
            )
        return made

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
            default_for={
                r["oid"]: r["default_for"]
                for r in by_kind.get("opclass", [])
                if r["default_for"] is not None
            },
            written={
                r["oid"]: r["written"]
                for r in by_kind.get("opclass", [])
                if r["default_for"] is None
            },
            ordered=frozenset(r["name"] for r in by_kind.get("ordered", [])),
        )


_new_index = positional(Index)
#: what ruleutils.c writes after a key of an ordered access method, by indoption's bits
_ORDER_WORDS = ("", " DESC NULLS LAST", " NULLS FIRST", " DESC")

#: a column of a table by its number: name, type oid, collation oid
Attribute = tuple[str, int, int]


def written_definition(
    r: Any,
    names: KeyNames,
    attributes: Mapping[int, Attribute],
    keys: tuple[str, ...],
    included: tuple[str, ...],
) -> str | None:
    """``pg_get_indexdef(index)`` of one row of the index query (its key columns'
    ``keys`` and INCLUDE columns' names already quoted), written as ruleutils.c writes it
    (``pg_get_indexdef_worker``) when every key is a plain column with the column's
    collation and either the default operator class of the column's own type (left out:
    ``GetDefaultOpClass`` prefers the exact match, which is unique per type and method)
    or a class that is no type's default (written); None otherwise (a class that is the
    default for another type may be this type's default by binary coercion, which only
    the server knows). The server writes the definitions of indexes with expressions,
    predicates, storage parameters or operator-class options itself (``r.definition``)."""
    ordered = r.method in names.ordered
    quoted = names.quoted
    written = []
    for key, attnum, opclass, collation, option in zip(
        keys, r.attnums[: len(keys)], r.opclass_oids, r.collation_oids, r.options, strict=True
    ):
        attribute = attributes.get(attnum)
        if attribute is None:
            return None
        _, type_oid, column_collation = attribute
        if collation and collation != column_collation:
            return None
        default_for = names.default_for.get(opclass)
        if default_for is None:
            opclass_name = names.written.get(opclass)
            if opclass_name is None:
                return None
            key += " " + opclass_name
        elif default_for != type_oid:
            return None
        written.append(key + _ORDER_WORDS[option & 3] if ordered else key)
    columns = ", ".join(written)
    if included:
        columns += ") INCLUDE (" + ", ".join(map(quoted.__getitem__, included))
    return (
        f"CREATE {'UNIQUE ' if r.unique else ''}INDEX {quoted[r.name]} ON "
        f"{'ONLY ' if r.partitioned else ''}{quoted[r.schema]}.{quoted[r.table_name]} "
        f"USING {quoted[r.method]} ({columns})"
        f"{' NULLS NOT DISTINCT' if r.nulls_not_distinct else ''}"
    )


def index_of(
    r: Any,
    names: KeyNames,
    attributes: Mapping[int, Attribute],
    attnames: Mapping[int, str],
    definition: str | None,
) -> Index | None:
    """The :class:`~pgvet.catalog.model.Index` of one row of the index query, its keys
    named from ``attnames`` (the indexed table's column names by number) and ``names``;
    its definition ``definition``, else the server's (``r.definition``), else written
    here (:func:`written_definition`), else None: ask the server, and call again."""
    count: int = r.key_count
    attnums: list[int] = r.attnums
    columns = tuple(map(attnames.get, attnums[:count]))  # an expression's 0 is no column
    key_definitions: list[str] | None = r.key_definitions
    plain = key_definitions is None and None not in columns
    if plain:  # plain columns: most indexes
        expressions = tuple(map(names.quoted.__getitem__, columns))  # type: ignore[arg-type]
    else:  # an expression as pg_get_indexdef prints that column
        expressions = tuple(
            (key_definitions[k] if key_definitions else "")
            if attnums[k] == 0
            else (names.quoted[name] if (name := columns[k]) is not None else "")
            for k in range(count)
        )
    included = (
        tuple(n for a in attnums[count:] if (n := attnames.get(a)) is not None)
        if len(attnums) > count
        else ()
    )
    definition = definition or r.definition
    if definition is None:
        if not plain or len(included) != len(attnums) - count:
            return None
        definition = written_definition(r, names, attributes, expressions, included)
        if definition is None:
            return None
    opclasses, collations, descending, nulls_first = names.decorate(
        r.opclass_oids[:count], r.collation_oids[:count], r.options[:count]
    )
    return _new_index(
        r.schema,
        r.table_name,
        r.name,
        columns,
        expressions,
        count,
        r.method,
        definition,
        included,
        r.unique,
        r.primary,
        r.valid,
        r.ready,
        r.predicate,
        opclasses,
        collations,
        descending,
        nulls_first,
        r.nulls_not_distinct,
        r.constraint_name,
        r.partitioned,
        r.size_bytes,
    )
