"""Findings: what a rule reports, and how a team filters them (ignores, baseline, --fail-on).

A finding names its rule, level and object, says what is wrong the way a DBA would, points
at the file and line the object came from, and carries a fix when one exists. Its
fingerprint (rule + object + a discriminator, never the line) survives unrelated edits, so a
baseline taken today still matches next month.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pgvet.errors import InputError


class Level(StrEnum):
    error = "error"
    warn = "warn"
    info = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warn": 2, "info": 1}[self.value]


class Category(StrEnum):
    security = "security"
    performance = "performance"
    correctness = "correctness"
    safety = "safety"


@dataclass(frozen=True)
class Finding:
    """One problem, located, with the fix a reviewer would propose.

    Two kinds of fix: ``fix`` is a *schema fix*, SQL that changes today's database and that
    ``pgvet fix`` may write as a new migration (after proving it on a sandbox); ``advice``
    is text for a person, never written as SQL: how a past migration should have been
    written (for that file), or a change that depends on what the app needs (revoke *if*
    server-only, enable RLS *then* add policies).
    """

    rule: str
    code: str
    level: Level
    category: Category
    object: str  # e.g. "public.sales_leads", "index public.idx_x", "policy users.p on public.users"
    message: str
    file: str | None = None
    line: int | None = None
    fix: str | None = None
    #: distinguishes two findings of one rule on one object (e.g. the FK's columns)
    detail: str = ""
    #: extra machine-readable facts (cycle path, columns...) for JSON consumers
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: text for a person (may quote SQL); never applied or written by ``pgvet fix``
    advice: str | None = None

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def fingerprint(self) -> str:
        raw = "\0".join((self.rule, self.object, self.detail))
        return hashlib.sha256(raw.encode()).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        items = list(asdict(self).items())
        advice = items.pop([k for k, _ in items].index("advice"))
        at = [k for k, _ in items].index("fix") + 1
        doc = dict([*items[:at], advice, *items[at:]])  # advice beside fix
        doc["level"] = self.level.value
        doc["category"] = self.category.value
        doc["location"] = self.location
        doc["fingerprint"] = self.fingerprint
        return doc


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (-f.level.rank, f.category, f.rule, f.file or "~", f.line or 0, f.object),
    )


def at_or_above(findings: Iterable[Finding], level: Level) -> list[Finding]:
    return [f for f in findings if f.level.rank >= level.rank]


# --- ignores ---------------------------------------------------------------------------------

_INLINE = re.compile(r"pgvet:\s*ignore\s+([\w\-, ]+)", re.I)


def inline_ignores(sql_with_comments: str) -> set[str]:
    """Rule names or codes listed in ``-- pgvet: ignore a, b`` comments."""
    out: set[str] = set()
    for match in _INLINE.finditer(sql_with_comments):
        out |= {p.strip().lower() for p in re.split(r"[,\s]+", match.group(1)) if p.strip()}
    return out


@dataclass(frozen=True)
class Baseline:
    """Fingerprints of accepted findings: CI then fails only on new ones."""

    fingerprints: frozenset[str]

    @classmethod
    def read(cls, path: Path) -> Baseline:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            return cls(frozenset(item["fingerprint"] for item in doc["findings"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"{path}: not a pgvet baseline ({exc})",
                hint="write one with `pgvet lint PATH --write-baseline FILE`",
            ) from exc

    @staticmethod
    def write(path: Path, findings: Iterable[Finding]) -> int:
        items = [
            {"fingerprint": f.fingerprint, "rule": f.rule, "object": f.object, "detail": f.detail}
            for f in sort_findings(findings)
        ]
        path.write_text(json.dumps({"version": 1, "findings": items}, indent=2) + "\n")
        return len(items)
