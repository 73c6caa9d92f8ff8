"""Foreign keys seen through views: which view columns show a key's columns.

PostgREST (and so the generated ``Relationships``) lets a view embed another relation when
the view exposes every column of a foreign key (or of the key it references). PostgreSQL
records where each view column comes from in the view's rewrite rule (``pg_rewrite.ev_action``,
a ``pg_node_tree``): the target entries' ``resorigtbl`` / ``resorigcol``. This module reads
that text, follows views built on views (stopping at cycles), and expands the table-level
foreign keys into view↔table and view↔view relationships the way postgres-meta does.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pgvet.types.model import Relationship

Row = dict[str, Any]
Node = dict[str, Any]

# pg_strtok: brackets are tokens of their own; anything else runs to a blank or a bracket,
# a backslash escaping the next character.
_TOKEN = re.compile(r"[(){}]|(?:\\.|[^\s(){}\\])+")


@dataclass(frozen=True, slots=True)
class ViewKeyDependency:
    """The view columns showing each column of one key (in key order)."""

    table_schema: str
    table_name: str
    view_schema: str
    view_name: str
    constraint_name: str
    constraint_type: str  # "f" (the key's own columns) or "f_ref" (the referenced ones)
    columns: tuple[tuple[str, tuple[str, ...]], ...]  # (table column, view columns)


def parse_node_tree(text: str) -> Any:
    """A ``pg_node_tree`` as nested dicts (nodes), lists and strings (everything else)."""
    tokens = _TOKEN.findall(text)
    value, _ = _value(tokens, 0)
    return value


def _value(tokens: list[str], i: int) -> tuple[Any, int]:
    token = tokens[i]
    if token == "{":
        node: Node = {"": tokens[i + 1]}
        i += 2
        while tokens[i] != "}":
            key = tokens[i]
            i += 1
            values: list[Any] = []
            while tokens[i] != "}" and not tokens[i].startswith(":"):
                item, i = _value(tokens, i)
                values.append(item)
            node[key] = values[0] if len(values) == 1 else values
        return node, i + 1
    if token == "(":
        items: list[Any] = []
        i += 1
        while tokens[i] != ")":
            item, i = _value(tokens, i)
            items.append(item)
        return items, i + 1
    return token, i + 1


def _target_origins(action: str) -> list[tuple[int, int, int]]:
    """``(resno, resorigtbl, resorigcol)`` of the view query's own target list."""
    tree = parse_node_tree(action)
    query = tree[0] if isinstance(tree, list) and tree else {}
    entries = query.get(":targetList", []) if isinstance(query, dict) else []
    if isinstance(entries, dict):
        entries = [entries]
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            out.append((int(entry[":resno"]), int(entry[":resorigtbl"]), int(entry[":resorigcol"])))
    return out


def view_key_deps(
    view_rows: list[Row], key_rows: list[Row], table_rows: list[Row]
) -> list[ViewKeyDependency]:
    """The key dependencies of every view in ``view_rows`` (see the module docstring)."""
    views: dict[int, Row] = {r["view_id"]: r for r in view_rows}
    origins = {vid: _target_origins(r["action"]) for vid, r in views.items()}
    by_column: dict[tuple[int, int], tuple[int, int]] = {}
    for vid, entries in origins.items():
        for resno, tbl, col in entries:
            by_column[(vid, resno)] = (tbl, col)
    # Every (view, view column) → each (relation, column) it comes from, level by level.
    references: dict[tuple[int, int, int], list[str]] = {}
    names = {
        vid: dict(zip(r["column_nums"] or [], r["column_names"] or [], strict=True))
        for vid, r in views.items()
    }
    level = [
        (vid, resno, tbl, col, (tbl,))
        for vid, entries in origins.items()
        for resno, tbl, col in entries
    ]
    while level:
        following = []
        for vid, resno, tbl, col, path in level:
            name = names[vid].get(resno)
            if name is not None:
                references.setdefault((vid, tbl, col), []).append(name)
            if (tbl, col) in by_column and not (len(path) > 1 and tbl in path[:-1]):
                nxt_tbl, nxt_col = by_column[(tbl, col)]
                following.append((vid, resno, nxt_tbl, nxt_col, (*path, nxt_tbl)))
        level = following
    tables = {r["table_id"]: r for r in table_rows}
    groups: dict[tuple[Any, ...], list[tuple[int, str, tuple[str, ...]]]] = {}
    keys_by_column: dict[tuple[int, int], list[Row]] = {}
    for key in key_rows:
        keys_by_column.setdefault((key["table_id"], key["col"]), []).append(key)
    for (vid, tbl, col), view_columns in references.items():
        for key in keys_by_column.get((tbl, col), ()):
            if key["contype"] == "p":
                continue
            table = tables[tbl]
            column = dict(zip(table["nums"], table["cols"], strict=True))[col]
            group = (
                table["schema"],
                table["name"],
                views[vid]["view_schema"],
                views[vid]["view_name"],
                key["name"],
                key["contype"],
                key["ncol"],
            )
            groups.setdefault(group, []).append((key["ord"], column, tuple(view_columns)))
    out = []
    for (t_schema, t_name, v_schema, v_name, name, contype, ncol), cols in groups.items():
        if len(cols) != ncol:
            continue
        cols.sort(key=lambda c: c[0])
        out.append(
            ViewKeyDependency(
                t_schema, t_name, v_schema, v_name, name, contype, tuple((c[1], c[2]) for c in cols)
            )
        )
    return out


def _combinations(deps: ViewKeyDependency) -> list[tuple[str, ...]]:
    """Every choice of one view column per key column (a column may be shown twice)."""
    return [tuple(c) for c in itertools.product(*(views for _, views in deps.columns))]


def expand_view_relationships(
    table_fks: Iterable[Relationship], deps: list[ViewKeyDependency]
) -> list[Relationship]:
    """view→table, table→view and view→view copies of each table foreign key."""
    out: list[Relationship] = []
    index: dict[tuple[str, str, str, str], list[ViewKeyDependency]] = {}
    for d in deps:
        key = (d.constraint_type, d.table_schema, d.table_name, d.constraint_name)
        index.setdefault(key, []).append(d)
    for r in table_fks:
        to_table = index.get(("f", r.schema, r.relation, r.foreign_key_name), [])
        to_view = index.get(
            ("f_ref", r.referenced_schema, r.referenced_relation, r.foreign_key_name), []
        )
        for d in to_table:
            for columns in _combinations(d):
                out.append(
                    Relationship(
                        r.foreign_key_name,
                        d.view_schema,
                        d.view_name,
                        columns,
                        r.one_to_one,
                        r.referenced_schema,
                        r.referenced_relation,
                        r.referenced_columns,
                    )
                )
        for d in to_view:
            for columns in _combinations(d):
                out.append(
                    Relationship(
                        r.foreign_key_name,
                        r.schema,
                        r.relation,
                        r.columns,
                        r.one_to_one,
                        d.view_schema,
                        d.view_name,
                        columns,
                    )
                )
        for d in to_table:
            for columns in _combinations(d):
                for ref in to_view:
                    for ref_columns in _combinations(ref):
                        out.append(
                            Relationship(
                                r.foreign_key_name,
                                d.view_schema,
                                d.view_name,
                                columns,
                                r.one_to_one,
                                ref.view_schema,
                                ref.view_name,
                                ref_columns,
                            )
                        )
    return out
