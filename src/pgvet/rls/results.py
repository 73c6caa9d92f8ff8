"""What an RLS test run found: one result per persona × table × command × kind of check."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "denied", "skip"]
Kind = Literal["isolation", "anon", "expectation", "read"]
FAILING: frozenset[str] = frozenset({"fail", "error"})


@dataclass(frozen=True)
class CheckResult:
    """One check. ``fail`` is a leak or an unmet expectation; ``error`` a query that
    broke (recursion, a failing function); ``denied`` a read refused by privileges (not a
    failure: nothing was exposed); ``skip`` a check that had nothing to aim at."""

    persona: str
    table: str
    command: str
    kind: Kind
    status: Status
    summary: str
    query: str | None = None
    sqlstate: str | None = None
    error: str | None = None
    policies: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    cycle: str | None = None
    where: str | None = None  # the config entry a declared expectation came from

    @property
    def failed(self) -> bool:
        return self.status in FAILING

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["policies"] = list(self.policies)
        out["rows"] = list(self.rows)
        return {k: v for k, v in out.items() if v not in (None, [], "")}


@dataclass(frozen=True)
class PersonaInfo:
    """A persona as the report shows it."""

    name: str
    role: str
    summary: str
    description: str = ""
    tenant: str | None = None
    source: str = "config"  # config | generated | builtin


@dataclass
class RlsReport:
    """Everything a renderer needs."""

    source: str
    personas: list[PersonaInfo] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    tenancy: list[str] = field(default_factory=list)
    unfilled: dict[str, str] = field(default_factory=dict)
    shared: list[str] = field(default_factory=list)
    tested_tables: list[str] = field(default_factory=list)
    seeded: bool = False
    auto: bool = True
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    #: the declared expectations, as plain dicts (persona, table, visible, allow, …)
    expectations: list[dict[str, Any]] = field(default_factory=list)
    #: the automatic run's coverage (:class:`pgvet.rls.coverage.Coverage`), when it ran
    coverage: Any = None

    @property
    def inconclusive(self) -> str | None:
        """Why the automatic run proves nothing (too little tested), or None."""
        return self.coverage.inconclusive if self.coverage is not None else None

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.failed]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.inconclusive

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("pass", "fail", "error", "denied", "skip")}
        for r in self.results:
            out[r.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "summary": self.counts(),
            "seconds": round(self.seconds, 3),
            "seeded": self.seeded,
            "auto": self.auto,
            "tenancy": self.tenancy,
            "personas": [asdict(p) for p in self.personas],
            "tested_tables": self.tested_tables,
            "unfilled": self.unfilled,
            "shared": self.shared,
            "notes": self.notes,
            "expectations": self.expectations,
            "coverage": self.coverage.to_dict() if self.coverage is not None else None,
            "results": [r.to_dict() for r in self.results],
        }
