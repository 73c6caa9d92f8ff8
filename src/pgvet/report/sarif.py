"""SARIF 2.1.0, so GitHub code scanning underlines the migration line of each finding."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pgvet import __version__
from pgvet.findings import Finding
from pgvet.rules.registry import REGISTRY

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warn": "warning", "info": "note"}


def sarif_doc(
    findings: list[Finding],
    root: Path | None,
    migrations_dir: Path | None,
    rules: Mapping[str, Any] = REGISTRY,
) -> dict[str, Any]:
    """A SARIF log; file URIs are relative to ``root`` (the repository). ``rules`` describes
    the findings' rules (name, code, level, category, title, doc): lint's registry, or
    another command's own (``pgvet types --check``)."""
    prefix = ""
    if root is not None and migrations_dir is not None:
        try:
            prefix = migrations_dir.resolve().relative_to(root.resolve()).as_posix() + "/"
        except ValueError:
            prefix = ""
    used = sorted({f.rule for f in findings})
    described = []
    for name in used:
        rule = rules[name]
        described.append(
            {
                "id": rule.name,
                "name": rule.name,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.doc.split("\n\n")[0]},
                "help": {"text": rule.doc, "markdown": rule.doc},
                "defaultConfiguration": {"level": _LEVEL[rule.level.value]},
                "properties": {
                    "code": rule.code,
                    "category": rule.category.value,
                    "tags": [rule.category.value],
                },
            }
        )
    index = {name: i for i, name in enumerate(used)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.level.value],
            "message": {
                "text": f"{f.object}: {f.message}"
                + (f"\nFix:\n{f.fix}" if f.fix else "")
                + (f"\nAdvice:\n{f.advice}" if f.advice else "")
            },
            "partialFingerprints": {"pgvet/v1": f.fingerprint},
            "properties": {"object": f.object, "code": f.code},
        }
        if f.file:
            region = {"startLine": f.line} if f.line else {}
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": prefix + f.file, "uriBaseId": "%SRCROOT%"},
                        **({"region": region} if region else {}),
                    }
                }
            ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pgvet",
                        "version": __version__,
                        "informationUri": "https://github.com/pgvet/pgvet",
                        "rules": described,
                    }
                },
                "results": results,
            }
        ],
    }
