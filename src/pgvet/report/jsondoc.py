"""JSON documents (stable keys, documented in docs/json.md) for every result type."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pgvet.analysis.inventory import Inventory
from pgvet.findings import Finding
from pgvet.replay.apply import ReplayResult
from pgvet.replay.failure import Failure
from pgvet.replay.preflight import notices

SCHEMA_VERSION = 1
#: characters of a failing statement carried in JSON (the excerpt in text and Markdown is
#: a few lines around the error)
STATEMENT_LIMIT = 2000


def capped_statement(text: str | None) -> str | None:
    """A failing statement cut to STATEMENT_LIMIT characters with a marker saying how much
    was left out: a "statement" may be a whole file (one that does not parse is one
    statement), and a report must never carry a file wholesale."""
    if text is None or len(text) <= STATEMENT_LIMIT:
        return text
    return text[:STATEMENT_LIMIT] + f"… [{len(text) - STATEMENT_LIMIT} more characters]"


def _failure(failure: Failure) -> dict[str, Any]:
    return asdict(failure) | {
        "location": failure.location,
        "statement": capped_statement(failure.statement),
    }


def replay_doc(result: ReplayResult) -> dict[str, Any]:
    project = result.project
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "replay",
        "project": str(project.root),
        "migrations_dir": str(project.migrations_dir),
        "server": result.server,
        "mode": "strict" if result.strict else "keep-going",
        "warnings": result.warnings,
        "preflight": [asdict(n) for n in notices(project)],
        "files": [
            {
                "file": f.filename,
                "version": f.version,
                "status": f.status,
                "seconds": round(f.seconds, 6),
                "statements_applied": f.statements_applied,
                "statements_total": f.statements_total,
                "applied_in_pass": f.applied_in_pass,
                "prelude": f.prelude,
                "failure": _failure(f.failure) if f.failure else None,
            }
            for f in result.files
        ],
        "applied_order": result.applied_order,
        "passes": result.passes,
        "never_reached": never_reached_doc(result),
        "summary": {
            "files": len(result.files),
            "applied": sum(1 for f in result.files if f.status == "applied"),
            "failed": len(result.failed),
            "not_run": sum(1 for f in result.files if f.status == "not run"),
            "prelude": sum(1 for f in result.files if f.prelude),
            "partial": result.partial,
            "seconds": round(result.seconds, 4),
        },
    }


def inventory_doc(inventory: Inventory, result: ReplayResult | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "inventory",
        "partial": inventory.partial,
        "totals": inventory.totals,
        "domains": {k: list(v) for k, v in inventory.domains.items()},
        "extensions": list(inventory.extensions),
        "tables": [
            asdict(t) | {"tenant_columns": list(t.tenant_columns)} for t in inventory.tables
        ],
    }
    if result is not None:
        doc["replay"] = replay_doc(result)["summary"] | {"server": result.server}
        doc["never_reached"] = never_reached_doc(result)
    return doc


def never_reached_doc(result: ReplayResult) -> list[dict[str, str]]:
    """Objects the migrations meant to exist that are not in the sandbox: kind, name, why."""
    return [asdict(item) for item in result.never_reached]


def findings_doc(
    findings: list[Finding],
    *,
    source: str,
    partial: bool = False,
    baselined: int = 0,
    history: list[Finding] | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """``kind: lint``; each finding has rule, code, level, category, object, message, file,
    line, location, fix, detail, data and a fingerprint stable across unrelated edits.

    Findings of deployment rules on migrations already in history (``history``) are kept,
    after the others, with ``"history": true``; the summary's level counts leave them out
    (as ``--fail-on`` does) and ``summary.history`` counts them; ``scope`` says how pgvet
    learned what is being deployed."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "lint",
        "source": source,
        "partial": partial,
        "summary": {
            "findings": len(findings),
            "error": sum(1 for f in findings if f.level.value == "error"),
            "warn": sum(1 for f in findings if f.level.value == "warn"),
            "info": sum(1 for f in findings if f.level.value == "info"),
            "baselined": baselined,
        },
        "findings": [f.to_dict() for f in findings],
    }
    if history is not None:
        doc["summary"]["history"] = len(history)
        doc["scope"] = scope
        for item in doc["findings"]:
            item["history"] = False
        doc["findings"] += [f.to_dict() | {"history": True} for f in history]
    return doc
