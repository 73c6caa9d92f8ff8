"""``pgvet inspect -f json``: every figure, the targets, the findings and how each figure
was obtained, as one JSON document (documented in docs/inspect.md).

A 5,000-table database has some 20,000 figure records. ``dataclasses.asdict`` deep-copies
each of them and ``json.dumps(indent=...)`` falls back to the pure-Python encoder, which
together took longer than reading the database. So records are turned into dicts only by
the C encoder's ``default`` hook (a shallow ``vars``), and the document is indented down to
its lists, with one record per line, each encoded by the C encoder.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pgvet.findings import Finding
from pgvet.inspect.model import SOURCES, Inspection
from pgvet.inspect.report import targets
from pgvet.inspect.settings import InspectSettings

SCHEMA_VERSION = 1
_INDENT = "  "


def _default(value: Any) -> Any:
    """What the encoder cannot write itself: figure records (frozen dataclasses whose fields
    are plain values, datetimes or other records) and datetimes."""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return vars(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(default=_default, ensure_ascii=True)


def inspection_doc(
    ins: Inspection, findings: list[Finding], s: InspectSettings, source: str
) -> dict[str, Any]:
    """``kind: inspect``: the figures are the inspection's records as they are (encoded by
    :func:`dumps`), with connections as a list and the overall rates added."""
    figures = dict(vars(ins))
    figures["connections"] = [
        {"role": role, "state": state, "count": n} for (role, state), n in ins.connections.items()
    ]
    figures["cache_hit_rate"] = ins.cache_hit_rate
    figures["index_hit_rate"] = ins.index_hit_rate
    figures["connection_limit"] = ins.connection_limit
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "inspect",
        "source": source,
        "targets": [
            {"target": t, "figure": f, "verdict": v, "how": h} for t, f, v, h in targets(ins, s)
        ],
        "figures": figures,
        "summary": {
            "findings": len(findings),
            **{
                lvl: sum(1 for f in findings if f.level.value == lvl)
                for lvl in ("error", "warn", "info")
            },
        },
        "findings": [f.to_dict() for f in findings],
        "sources": SOURCES,
    }


def dumps(doc: Any, depth: int = 0) -> str:
    """``doc`` as JSON: objects indented, lists with one item per line, anything below a
    list's items (a record) on its item's line."""
    pad, inner = _INDENT * depth, _INDENT * (depth + 1)
    if isinstance(doc, dict) and doc:
        items = (f"{inner}{json.dumps(str(k))}: {dumps(v, depth + 1)}" for k, v in doc.items())
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(doc, list | tuple) and doc:
        return "[\n" + ",\n".join(inner + _ENCODER.encode(v) for v in doc) + "\n" + pad + "]"
    return _ENCODER.encode(doc)
