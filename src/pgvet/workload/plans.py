"""What one EXPLAIN (ANALYZE, FORMAT JSON) says: the costliest node, the indexes used, and
the sequential scans that filter (what ``pgvet advise`` proposes indexes for)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_EQUALITY = re.compile(r"\(\(?(\w+)\)? = (?:ANY )?")


@dataclass(frozen=True)
class Node:
    """The node that spent the most time itself (its children's time taken out)."""

    kind: str
    relation: str | None
    index: str | None
    self_ms: float

    @property
    def label(self) -> str:
        on = f" on {self.relation}" if self.relation else ""
        using = f" using {self.index}" if self.index else ""
        return f"{self.kind}{using}{on} ({self.self_ms:.2f} ms)"


@dataclass(frozen=True)
class SeqFilter:
    """A sequential scan that throws rows away: its table and the equality columns."""

    schema: str
    table: str
    columns: tuple[str, ...]
    removed: int
    #: the scan's filter as EXPLAIN prints it (constants of the query read as partial
    #: index predicates)
    filter: str = ""


@dataclass
class PlanFacts:
    total_ms: float
    costliest: Node | None
    indexes: list[str] = field(default_factory=list)
    scans: list[str] = field(default_factory=list)  # "Seq Scan on x", "Index Scan using i"
    seq_filters: list[SeqFilter] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)  # every table the plan reads


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def _self_ms(node: dict[str, Any]) -> float:
    loops = node.get("Actual Loops", 1) or 1
    own = node.get("Actual Total Time", 0.0) * loops
    for child in node.get("Plans", []):
        own -= child.get("Actual Total Time", 0.0) * (child.get("Actual Loops", 1) or 1)
    return max(own, 0.0)


def read_plan(document: Any) -> PlanFacts:
    """Facts of an ``EXPLAIN (ANALYZE, FORMAT JSON)`` result (its first row's value)."""
    top = document[0] if isinstance(document, list) else document
    root = top["Plan"]
    facts = PlanFacts(
        total_ms=top.get("Execution Time", root.get("Actual Total Time", 0.0)), costliest=None
    )
    best: tuple[float, dict[str, Any]] | None = None
    for node in _walk(root):
        spent = _self_ms(node)
        if best is None or spent > best[0]:
            best = (spent, node)
        kind = node.get("Node Type", "")
        relation = node.get("Relation Name")
        if relation and relation not in facts.relations:
            facts.relations.append(relation)
        if node.get("Index Name"):
            facts.indexes.append(node["Index Name"])
            facts.scans.append(f"{kind} using {node['Index Name']}")
        elif relation and "Scan" in kind:
            facts.scans.append(f"{kind} on {relation}")
        if kind == "Seq Scan" and relation and node.get("Filter"):
            columns = tuple(dict.fromkeys(_EQUALITY.findall(node["Filter"])))
            removed = int(node.get("Rows Removed by Filter", 0))
            if columns and removed:
                schema = node.get("Schema", "public")
                facts.seq_filters.append(
                    SeqFilter(schema, relation, columns, removed, node["Filter"])
                )
    if best is not None:
        spent, node = best
        facts.costliest = Node(
            node.get("Node Type", "?"), node.get("Relation Name"), node.get("Index Name"), spent
        )
    return facts
