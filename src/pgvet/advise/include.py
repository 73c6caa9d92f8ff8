"""INCLUDE index candidates: an index scan that goes to the heap for a few columns.

``Index Scan using i on t`` fetches each matching row from the table for the columns the
query outputs or filters on (RLS policies' quals included). When those are a few plain
columns, the same btree keys with ``include (…)`` lets PostgreSQL answer from the index
alone (an Index Only Scan, the visibility map permitting). The columns come from
``EXPLAIN (VERBOSE)`` run as the query's persona (the plain plans do not list them); the
candidate is screened, built and measured like every other.
"""

from __future__ import annotations

import json
import re
from typing import Any

import psycopg

from pgvet.advise.candidates import Candidate
from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog
from pgvet.rls.acting import set_persona
from pgvet.workload.run import Prepared, WorkloadRun

#: at most this many columns included (a wide INCLUDE is a second copy of the table)
MAX_INCLUDED = 3
_COLUMN = re.compile(r"^(?:\w+\.)?(\w+)$")
_REFERENCED = re.compile(r"\b(\w+)\.(\w+)\b")


def from_index_scans(
    conn: psycopg.Connection, catalog: Catalog, prepared: list[Prepared], run: WorkloadRun
) -> list[Candidate]:
    """A candidate per index scan whose heap columns are a few plain columns."""
    out = []
    for item, query in zip(prepared, run.queries, strict=True):
        if query.error is not None:
            continue
        for node in _nodes(_verbose_plan(conn, item, query.params)):
            found = _candidate(catalog, node, item.name)
            if found is not None:
                out.append(found)
    return out


def _candidate(catalog: Catalog, node: dict[str, Any], query: str) -> Candidate | None:
    if node.get("Node Type") != "Index Scan" or not node.get("Index Name"):
        return None
    schema, table = node.get("Schema", "public"), node.get("Relation Name", "")
    index = next(
        (i for i in catalog.indexes_of(schema, table) if i.name == node["Index Name"]), None
    )
    if index is None or index.method != "btree" or None in index.columns:
        return None
    alias = node.get("Alias", table)
    needed: list[str] = []
    for entry in node.get("Output", []):
        match = _COLUMN.match(entry.strip())
        if match is None:
            return None  # an expression: leave it to the heap
        needed.append(match.group(1))
    for key in ("Filter",):
        for owner, column in _REFERENCED.findall(node.get(key, "")):
            if owner == alias:
                needed.append(column)
    keys = [c for c in index.columns if c]
    extra = [c for c in dict.fromkeys(needed) if c not in keys and c not in index.include_columns]
    if not extra or len(extra) > MAX_INCLUDED:
        return None
    names = {c.name for c in (catalog.table(schema, table).columns)}
    if not set(extra) <= names:
        return None
    name = f"{index.name[:40]}_incl_{'_'.join(extra)}"[:63]
    sql = (
        f"create index {ident(name)} on {ident(schema)}.{ident(table)} "
        f"({', '.join(ident(c) for c in keys)}) include ({', '.join(ident(c) for c in extra)})"
    )
    key = (schema, table, "btree", f"{', '.join(keys)} include {', '.join(extra)}")
    source = (
        f"plan of {query}: Index Scan using {index.name} reads {', '.join(extra)} from the heap"
    )
    return Candidate(name, schema, table, sql, key, [source])


def _verbose_plan(conn: psycopg.Connection, item: Prepared, params: dict) -> dict | None:
    try:
        with conn.transaction(force_rollback=True):
            set_persona(conn, item.acting.persona)
            row = conn.execute(
                "explain (verbose, format json) " + item.text,
                params,  # type: ignore[arg-type]
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    document = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    return document[0]["Plan"] if document else None


def _nodes(root: dict | None) -> list[dict[str, Any]]:
    out, stack = [], [root] if root else []
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.get("Plans", []))
    return out
