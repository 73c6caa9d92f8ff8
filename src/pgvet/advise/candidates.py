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

import hashlib
import re
from dataclasses import dataclass, field

from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog
from pgvet.config import Config
from pgvet.replay.project import Project, split_sql
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
    #: a partial index's ``where`` (None: the whole table)
    predicate: str | None = None

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
        for piece in split_sql(finding.fix or ""):
            statement = piece.text.strip() + ";"
            found = parse_create(statement, f"{finding.rule} ({finding.object})")
            if found is not None:
                out.append(found)
    return out


def from_plans(run: WorkloadRun, texts: dict[str, str] | None = None) -> list[Candidate]:
    """A btree per filtering seq scan; and a partial one where the filter also tests
    constants the query's text holds (``deleted_at is null``, ``status = 'pending'``):
    those rows only, keyed by the other columns (``texts``: query name → its SQL)."""
    out = []
    for query in run.queries:
        for scan in query.plan.seq_filters if query.plan else []:
            partial = _partial(scan, (texts or {}).get(query.name, ""), query.name)
            if partial is not None:
                out.append(partial)
            name = f"idx_{scan.table}_{'_'.join(scan.columns)}"[:63]
            columns = ", ".join(ident(c) for c in scan.columns)
            table = f"{ident(scan.schema)}.{ident(scan.table)}"
            sql = f"create index {ident(name)} on {table} ({columns})"
            found = parse_create(sql, f"plan of {query.name}: Seq Scan on {scan.table} filters")
            if found is not None:
                out.append(found)
    return out


_CONST_EQ = re.compile(r"\(\(?(\w+)\)?(?:::[\w ]+)? = ('(?:[^']|'')*')(?:::[\w ]+)?\)")
_IS_NULL = re.compile(r"\((\w+) IS (NOT )?NULL\)")


def _partial(scan, text: str, query: str) -> Candidate | None:
    """``create index … (other columns) where <constants>`` for a filter that tests
    constants written in the query (a parameter's value is no constant: not in the text)."""
    preds: list[str] = []
    constant_columns: set[str] = set()
    for column, negated in _IS_NULL.findall(scan.filter):
        wanted = rf"\b{re.escape(column)}\s+is\s+{'not' if negated else ''}\s*null\b"
        if re.search(wanted, text, re.I):
            preds.append(f"{ident(column)} is {'not ' if negated else ''}null")
    for column, literal in _CONST_EQ.findall(scan.filter):
        if literal in text:
            preds.append(f"{ident(column)} = {literal}")
            constant_columns.add(column)
    keys = [c for c in scan.columns if c not in constant_columns]
    if not preds or not keys:
        return None
    where = " and ".join(dict.fromkeys(preds))
    slug = re.sub(r"\W+", "_", where.replace(" is ", " ").lower()).strip("_")
    name = f"idx_{scan.table}_{'_'.join(keys)}_where_{slug}"
    if len(name) > 63:  # distinct predicates keep distinct names
        digest = hashlib.sha1(where.encode()).hexdigest()[:8]
        name = f"{name[:54]}_{digest}"
    table = f"{ident(scan.schema)}.{ident(scan.table)}"
    columns = ", ".join(ident(c) for c in keys)
    sql = f"create index {ident(name)} on {table} ({columns}) where {where}"
    key = (scan.schema, scan.table, "btree", f"{columns.lower()} where {where.lower()}")
    source = f"plan of {query}: Seq Scan on {scan.table} filters constants"
    return Candidate(name, scan.schema, scan.table, sql, key, [source], where)


def partial_share(conn, candidate: Candidate) -> float:
    """Share of the table's rows a partial candidate's predicate keeps."""
    table = f"{ident(candidate.schema)}.{ident(candidate.table)}"
    row = conn.execute(
        f"select count(*) filter (where {candidate.predicate})::float8 / greatest(count(*), 1) "
        f"from {table}"
    ).fetchone()
    return float(row[0]) if row else 1.0


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
