"""How much of the tenant data the automatic run really tested, and whether that is enough.

A table counts as *isolation-tested* when its generated rows passed the evidence checks
in both tenants and at least one tenant-A persona's read had a positive control (it saw
tenant A's rows and none of tenant B's), or no SELECT policy could show it a row at all.
Everything else with a tenant path is listed with its reason. Below ``min_coverage``
(default: every table with a tenant path), or with nothing tested, the run is
*inconclusive*: exit 1, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pgvet.catalog.model import Catalog
from pgvet.rls.evidence import Evidence
from pgvet.rls.fixture import Fixture
from pgvet.rls.results import CheckResult


@dataclass
class Coverage:
    """N of M tenant tables tested, the rest with reasons, and who acted."""

    tested: list[str] = field(default_factory=list)
    total: int = 0
    untested: dict[str, str] = field(default_factory=dict)
    personas: dict[str, str] = field(default_factory=dict)
    min_coverage: float = 100.0
    problems: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.tested) / self.total if self.total else 0.0

    @property
    def inconclusive(self) -> str | None:
        """Why no verdict can be given, or None."""
        if self.problems:
            return "the generated world is not what it should be: " + "; ".join(self.problems)
        if not self.tested:
            return "no tenant table was isolation-tested" + (
                "" if self.total else " (no table with a tenant path: declare [rls.tenancy])"
            )
        if self.percent + 1e-9 < self.min_coverage:
            return (
                f"{len(self.tested)} of {self.total} tenant tables tested "
                f"({self.percent:.0f}%), below --min-coverage {self.min_coverage:g}%"
            )
        return None

    def line(self) -> str:
        """The one-line summary every report prints."""
        return (
            f"coverage: {len(self.tested)} of {self.total} tenant tables isolation-tested; "
            f"{len(self.untested)} not tested"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "tested": self.tested,
            "total": self.total,
            "untested": self.untested,
            "personas": self.personas,
            "min_coverage": self.min_coverage,
            "problems": self.problems,
            "inconclusive": self.inconclusive,
        }


def measure(
    catalog: Catalog,
    fixture: Fixture,
    evidence: Evidence,
    results: list[CheckResult],
    personas: dict[str, str],
    min_coverage: float,
) -> Coverage:
    """Coverage of the automatic run, from the fixture, the evidence and the results."""
    partitions = {t.key for t in catalog.tables if t.parent is not None}
    tenant_tables = sorted(
        k
        for k in fixture.tenancy.scoped
        if k[0] != "auth" and k not in partitions and catalog.find_table(*k) is not None
    )
    controlled: set[str] = set()
    for r in results:
        if r.kind == "isolation" and r.command == "select" and r.persona.startswith("A:"):
            if r.status == "pass" or (r.status == "denied" and "closed" in r.summary):
                controlled.add(r.table)
            elif r.status == "fail":
                controlled.add(r.table)  # a leak is a verdict too
    tested_keys = set(fixture.tested_tables)
    out = Coverage(total=len(tenant_tables), personas=personas, min_coverage=min_coverage)
    out.problems = list(evidence.problems)
    for key in tenant_tables:
        name = ".".join(key)
        if key in tested_keys and name in controlled:
            out.tested.append(name)
        elif key in evidence.excluded:
            out.untested[name] = evidence.excluded[key]
        elif key in fixture.unfilled:
            out.untested[name] = f"unfillable: {fixture.unfilled[key]}"
        elif key in tested_keys:
            out.untested[name] = (
                "no positive control: no tenant-A persona sees tenant A's rows "
                "(read refused or errored for all)"
            )
        else:
            out.untested[name] = "rows exist in only one tenant"
    if not personas:
        out.problems.append("no persona is a member of tenant A")
    return out
