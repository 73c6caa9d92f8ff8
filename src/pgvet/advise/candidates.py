"""Index candidates: the fixes the index rules propose, and btrees for the workload's
sequential scans that filter.

The rules (``unindexed-foreign-key``, the tenant and policy column rules, the JSONB and
full-text GIN rules, ``workload-filter-not-indexed``) run on the replayed catalog and each
finding's fix SQL is a candidate as written. A plan's ``Seq Scan`` that removes rows by
equality filters gives one btree on those columns together (multi-column when the filters
combine). Candidates are keyed by table, method and columns, so the same index proposed
twice is measured once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog
from pgvet.config import Config
from pgvet.fixes import fix_statements
from pgvet.replay.project import Project
from pgvet.rules.engine import run_lint
from pgvet.rules.registry import LintContext
from pgvet.workload.run import WorkloadRun

RULES = (
    "unindexed-foreign-key",
    "tenant-column-not-indexed",
    "policy-column-not-indexed",
    "jsonb-without-gin",
    "fts-without-gin",
    "workload-filter-not-indexed",
)

_CREATE = re.compile(
    r"create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?(\w+)\s+on\s+"
    r"(?:only\s+)?(?:(\w+)\.)?(\w+)\s*(?:using\s+(\w+)\s*)?\((.*)\)",
    re.I | re.S,
)


@dataclass
class Candidate:
    """One index to try: its SQL (plain ``create index``), table and where it came from."""

    name: str
    schema: str
    table: str
    sql: str
    key: tuple[str, str, str, str]
    sources: list[str] = field(default_factory=list)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"


def parse_create(sql: str, source: str) -> Candidate | None:
    """A candidate from a ``create index`` statement (concurrently dropped: it is built on a
    sandbox nobody else uses); None for anything else."""
    match = _CREATE.search(sql)
    if match is None:
        return None
    name, schema, table, method, body = match.groups()
    schema = schema or "public"
    method = (method or "btree").lower()
    plain = re.sub(r"\s+concurrently\b", "", sql.strip().rstrip(";"), count=1, flags=re.I)
    plain = re.sub(r"\s+if\s+not\s+exists\b", "", plain, count=1, flags=re.I)
    columns = re.sub(r"\s+", " ", body.strip().lower())
    return Candidate(name, schema, table, plain, (schema, table, method, columns), [source])


def from_lint(catalog: Catalog, config: Config, project: Project) -> list[Candidate]:
    findings = run_lint(LintContext(catalog, config, project), only=RULES)
    out = []
    for finding in findings:
        for statement in fix_statements([finding]):
            found = parse_create(statement, f"{finding.rule} ({finding.object})")
            if found is not None:
                out.append(found)
    return out


def from_plans(run: WorkloadRun) -> list[Candidate]:
    out = []
    for query in run.queries:
        for scan in query.plan.seq_filters if query.plan else []:
            name = f"idx_{scan.table}_{'_'.join(scan.columns)}"[:63]
            columns = ", ".join(ident(c) for c in scan.columns)
            table = f"{ident(scan.schema)}.{ident(scan.table)}"
            sql = f"create index {ident(name)} on {table} ({columns})"
            found = parse_create(sql, f"plan of {query.name}: Seq Scan on {scan.table} filters")
            if found is not None:
                out.append(found)
    return out


def merged(candidates: list[Candidate], catalog: Catalog) -> list[Candidate]:
    """One candidate per key, sources joined; names made unique against the catalog."""
    by_key: dict[tuple[str, str, str, str], Candidate] = {}
    for candidate in candidates:
        kept = by_key.get(candidate.key)
        if kept is None:
            by_key[candidate.key] = candidate
        else:
            kept.sources += [s for s in candidate.sources if s not in kept.sources]
    existing = {i.name for i in catalog.indexes}
    return [c for c in by_key.values() if c.name not in existing]
