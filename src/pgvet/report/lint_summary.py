"""What a long lint report opens with: counts by level and by rule, the tables with the
most findings, and the findings folded as history; shared by the text and Markdown reports.

On a project with hundreds of tables the findings run to thousands of lines; a reader (or
a pull-request comment) first needs to know where the problems are concentrated, then the
details, a bounded number per rule (``--max-per-rule``; JSON always carries all of them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pgvet.catalog.model import Catalog
from pgvet.findings import Finding

#: rules and tables named in the summary
TOP_RULES = 10
TOP_TABLES = 5
#: findings listed per rule unless ``--max-per-rule`` says otherwise (0: all)
DEFAULT_MAX_PER_RULE = 20

HOW_TO_SEE_HISTORY = "--changed-since REF, [lint] migrations_since or --db URL"


@dataclass(frozen=True)
class LintSummary:
    total: int
    levels: dict[str, int]
    rules: list[tuple[str, int]]
    tables: list[tuple[str, int]]
    #: rule → number of its findings folded as history (on migrations already deployed)
    history: dict[str, int] = field(default_factory=dict)


def finding_table(finding: Finding, index_tables: dict[str, str], tables: set[str]) -> str | None:
    """The table a finding is about: ``… on schema.table`` (policies, triggers), an index's
    table, or the object itself when it is a table."""
    obj = finding.object
    if " on " in obj:
        obj = obj.rsplit(" on ", 1)[1]
    elif obj.startswith("index "):
        return index_tables.get(obj.removeprefix("index "))
    return obj if obj in tables else None


def summarize(
    findings: list[Finding], catalog: Catalog | None = None, history: Sequence[Finding] = ()
) -> LintSummary:
    levels = {
        lvl: sum(1 for f in findings if f.level.value == lvl) for lvl in ("error", "warn", "info")
    }
    rules = Counter(f.rule for f in findings).most_common()
    tables_count: Counter[str] = Counter()
    if catalog is not None:
        names = {f"{t.schema}.{t.name}" for t in catalog.tables}
        index_tables = {f"{i.schema}.{i.name}": f"{i.schema}.{i.table}" for i in catalog.indexes}
        for f in findings:
            table = finding_table(f, index_tables, names)
            if table is not None:
                tables_count[table] += 1
    folded = dict(Counter(f.rule for f in history).most_common())
    return LintSummary(len(findings), levels, rules, tables_count.most_common(TOP_TABLES), folded)


def history_header(total: int) -> str:
    return (
        f"{total} finding{'s' if total != 1 else ''} on migrations already in history, folded "
        f"(use {HOW_TO_SEE_HISTORY} to see them)"
    )


def history_line(rule: str, count: int) -> str:
    return f"{rule}: {count} finding{'s' if count != 1 else ''} on migrations already in history"


def overflow_line(rule: str, hidden: int) -> str:
    return (
        f"… and {hidden} more {rule} finding{'s' if hidden != 1 else ''} "
        "(--max-per-rule 0 lists every one; all are in --format json)"
    )
