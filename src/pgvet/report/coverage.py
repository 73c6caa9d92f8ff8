"""The index coverage table: per table, which of the lookups it needs an index serves.

This is the table a team writes by hand during a database review ("skin_analyses: 14
indexes, excellent coverage; customer_notes: only a full-text index"), computed instead of
estimated: for every table, its indexes, and for each thing that needs an index (foreign
keys, tenant columns, columns RLS policies filter on) whether one serves it. It uses the
same test as the index rules (:func:`pgvet.analysis.indexing.serving_index`), so the table and
the findings never disagree.

Grade (one letter per table)
----------------------------
*Needs* are the distinct leading-column sets the table needs served: each foreign key's
columns, each tenant column, each policy filter column (a column that is both a tenant
column and a foreign key counts once). ``coverage = served needs / needs`` (1 when there
are none). Grade from coverage: 100 % → A, ≥ 75 % → B, ≥ 50 % → C, ≥ 25 % → D, else F;
then one grade lower (A→B … D→F) when the table has duplicate, redundant or invalid
indexes, which cost writes without serving anything new.

Not reviewed
------------
A table or index whose migration failed (or never ran) is not in the sandbox, so it has no
grade: the table lists each one that never reached the sandbox (the objects of
:func:`pgvet.replay.unreached.never_reached` the table is about), with the file that would
have created it and the words "not reviewed", so a gap is never read as a pass. Their
tables' grades are computed without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table as RichTable

from pgvet.analysis import indexing as idx
from pgvet.catalog.model import Catalog, Table
from pgvet.config import Config
from pgvet.findings import Finding
from pgvet.replay.unreached import Unreached
from pgvet.report.sanitize import md_cell, safe_markup

PROBLEM_RULES = ("duplicate-index", "redundant-index", "invalid-index")
GRADES = "ABCDF"
#: the kinds of never-reached object the coverage table is about
UNREVIEWED_KINDS = ("table", "index")
NOT_REVIEWED = "not reviewed"


@dataclass(frozen=True)
class TableCoverage:
    """One row of the coverage table."""

    schema: str
    name: str
    indexes: int
    fks_total: int
    fks_covered: int
    tenant_total: int
    tenant_covered: int
    policy_total: int
    policy_covered: int
    index_problems: int
    needs_total: int
    needs_covered: int
    grade: str
    missing: tuple[str, ...] = ()  # the uncovered column sets, e.g. "customer_id"
    kind: str = "table"  # "index" only for a row that never reached the sandbox
    #: why the object has no figures ("never reached the sandbox: created at …"; "" reviewed)
    not_reviewed: str = ""

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def reviewed(self) -> bool:
        return not self.not_reviewed

    @property
    def coverage(self) -> float:
        return self.needs_covered / self.needs_total if self.needs_total else 1.0


def grade_for(coverage: float, index_problems: int) -> str:
    """The letter for a coverage ratio, one lower when there are index problems."""
    thresholds = ((1.0, 0), (0.75, 1), (0.5, 2), (0.25, 3))
    step = next((s for limit, s in thresholds if coverage >= limit), 4)
    if index_problems:
        step = min(step + 1, 4)
    return GRADES[step]


def _problems_from_catalog(catalog: Catalog) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    pairs = idx.duplicate_indexes(catalog) + idx.redundant_indexes(catalog)
    bad = [i for i, _ in pairs] + [i for i in catalog.indexes if not i.valid]
    for index in bad:
        key = (index.schema, index.table)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _problems_from_findings(findings: Iterable[Finding]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for finding in findings:
        table = finding.data.get("table")
        if finding.rule in PROBLEM_RULES and isinstance(table, str) and "." in table:
            schema, name = table.split(".", 1)
            counts[(schema, name)] = counts.get((schema, name), 0) + 1
    return counts


def _row(
    catalog: Catalog, table: Table, tenant_columns: Sequence[str], problems: int
) -> TableCoverage:
    def served(columns: Sequence[str]) -> bool:
        return idx.serving_index(catalog, table.schema, table.name, columns) is not None

    fks = [
        fk.columns for fk in catalog.foreign_keys_of(table.schema, table.name) if not fk.inherited
    ]
    tenants = idx.tenant_columns_of(table, tenant_columns)
    policy = sorted(idx.policy_columns(catalog, table))
    needs: dict[frozenset[str], tuple[str, ...]] = {}
    for columns in [*fks, *((c,) for c in tenants), *((c,) for c in policy)]:
        needs.setdefault(frozenset(columns), tuple(columns))
    missing = tuple(", ".join(cols) for cols in needs.values() if not served(cols))
    total, covered = len(needs), len(needs) - len(missing)
    return TableCoverage(
        schema=table.schema,
        name=table.name,
        indexes=len(catalog.indexes_of(table.schema, table.name)),
        fks_total=len(fks),
        fks_covered=sum(served(c) for c in fks),
        tenant_total=len(tenants),
        tenant_covered=sum(served((c,)) for c in tenants),
        policy_total=len(policy),
        policy_covered=sum(served((c,)) for c in policy),
        index_problems=problems,
        needs_total=total,
        needs_covered=covered,
        grade=grade_for(covered / total if total else 1.0, problems),
        missing=missing,
    )


def coverage_table(
    catalog: Catalog,
    config: Config | None = None,
    findings: Iterable[Finding] | None = None,
    never_reached: Iterable[Unreached] = (),
) -> list[TableCoverage]:
    """One row per reviewed table (plain and partitioned tables, not partitions nor
    extension tables), sorted by schema and name, then one per table or index of
    ``never_reached`` (not reviewed). ``findings``, when given, supply the index problems
    (so the team's ignores apply); otherwise they are computed."""
    config = config or Config()
    if findings is None:
        problems = _problems_from_catalog(catalog)
    else:
        problems = _problems_from_findings(findings)
    rows = [
        _row(catalog, table, config.tenant_columns, problems.get(table.key, 0))
        for table in idx.reviewed_tables(catalog)
    ]
    rows.sort(key=lambda r: (r.schema, r.name))
    return rows + [_unreviewed(item) for item in never_reached if item.kind in UNREVIEWED_KINDS]


def _unreviewed(item: Unreached) -> TableCoverage:
    schema, _, name = item.name.rpartition(".")
    return TableCoverage(
        schema=schema,
        name=name,
        indexes=0,
        fks_total=0,
        fks_covered=0,
        tenant_total=0,
        tenant_covered=0,
        policy_total=0,
        policy_covered=0,
        index_problems=0,
        needs_total=0,
        needs_covered=0,
        grade="-",
        kind=item.kind,
        not_reviewed=f"never reached the sandbox: {item.why}",
    )


def coverage_doc(rows: Sequence[TableCoverage]) -> dict[str, list[dict[str, object]]]:
    """The JSON form: the reviewed tables' figures, and what was not reviewed and why."""
    return {
        "tables": [
            {
                "table": r.table,
                "indexes": r.indexes,
                "foreign_keys": [r.fks_covered, r.fks_total],
                "tenant_columns": [r.tenant_covered, r.tenant_total],
                "policy_columns": [r.policy_covered, r.policy_total],
                "index_problems": r.index_problems,
                "coverage": round(r.coverage, 4),
                "grade": r.grade,
                "missing": list(r.missing),
            }
            for r in rows
            if r.reviewed
        ],
        "not_reviewed": [
            {"kind": r.kind, "name": r.table, "why": r.not_reviewed} for r in rows if not r.reviewed
        ],
    }


def _ratio(covered: int, total: int) -> str:
    return f"{covered}/{total}" if total else "-"


def _label(row: TableCoverage) -> str:
    return row.table if row.kind == "table" else f"{row.kind} {row.table}"


def _unreviewed_lines(rows: Sequence[TableCoverage]) -> tuple[str, list[str]]:
    """The heading and one line per object that never reached the sandbox."""
    missing = [row for row in rows if not row.reviewed]
    if not missing:
        return "", []
    head = (
        f"{len(missing)} object(s) never reached the sandbox: {NOT_REVIEWED} (their migration "
        "failed or did not run; their tables' grades are without them)"
    )
    return head, [f"{row.kind} {row.table}: {NOT_REVIEWED}, {row.not_reviewed}" for row in missing]


def _cells(row: TableCoverage) -> list[str]:
    if not row.reviewed:
        return [_label(row), "-", "-", "-", "-", "-", "-", f"{NOT_REVIEWED} (see below)"]
    return [
        row.table,
        str(row.indexes),
        _ratio(row.fks_covered, row.fks_total),
        _ratio(row.tenant_covered, row.tenant_total),
        _ratio(row.policy_covered, row.policy_total),
        str(row.index_problems) if row.index_problems else "-",
        row.grade,
        "; ".join(row.missing) or "-",
    ]


HEADERS = ("table", "indexes", "FKs", "tenant", "policy cols", "idx problems", "grade", "missing")
_GRADE_STYLE = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}


def coverage_text(console: Console, rows: Sequence[TableCoverage]) -> None:
    """Print the coverage table on ``console``."""
    table = RichTable(title="Index coverage", title_justify="left")
    for header in HEADERS:
        justify = "left" if header in ("table", "missing") else "right"
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        cells = [safe_markup(cell) for cell in _cells(row)]
        if row.reviewed:
            cells[6] = f"[{_GRADE_STYLE[row.grade]}]{row.grade}[/]"
        else:
            cells[7] = f"[yellow]{cells[7]}[/]"
        table.add_row(*cells)
    console.print(table)
    head, items = _unreviewed_lines(rows)
    if head:
        console.print(f"[yellow]{safe_markup(head)}[/]")
        for item in items:
            console.print(f"  {safe_markup(item)}", soft_wrap=True)
    console.print(
        "grade: share of FK, tenant and policy columns served by a leading index "
        "(A 100%, B ≥75%, C ≥50%, D ≥25%, F below), one lower with duplicate, redundant or "
        "invalid indexes"
    )


def coverage_markdown(rows: Sequence[TableCoverage]) -> str:
    """The coverage table as GitHub-flavoured Markdown."""
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---", *["---:"] * 6, "---"]) + "|",
    ]
    lines += ["| " + " | ".join(md_cell(c) for c in _cells(row)) + " |" for row in rows]
    head, items = _unreviewed_lines(rows)
    if head:
        lines += ["", f"{head}:", ""] + [f"- {md_cell(item)}" for item in items]
    return "\n".join(lines) + "\n"
