"""LARGE_TABLE_OPTIMIZATION.md: the large-table plan as Markdown, every figure with its
source, every statement as pg_stat_statements normalised it (no literal values)."""

from __future__ import annotations

from pgvet.analysis.sql.quote import qualified
from pgvet.inspect.model import Inspection
from pgvet.inspect.plan import HORIZON_DAYS, Candidate
from pgvet.inspect.report import size
from pgvet.inspect.settings import InspectSettings
from pgvet.report.sanitize import fenced, md_cell, untrusted


def _settings_sql(c: Candidate) -> str:
    options = ",\n  ".join(f"{k} = {v}" for k, v in c.autovacuum.items())
    return f"alter table {qualified(c.table.schema, c.table.name)} set (\n  {options}\n);"


def _candidate(c: Candidate) -> list[str]:
    t = c.table
    lines = [
        f"## {md_cell(t.qualified)}",
        "",
        f"Why: {md_cell(c.why)} (rows: pg_class.reltuples). Heap "
        f"{size(t.heap_bytes)}, indexes {size(t.index_bytes)}, TOAST {size(t.toast_bytes)}.",
    ]
    if c.growth is not None:
        g = c.growth
        lines.append(
            f"Growth over {g.days:.1f} days of saved history: {g.rows_per_day:,.0f} rows and "
            f"{size(g.bytes_per_day)} a day."
        )
    else:
        lines.append("Growth: no saved history (`pgvet inspect --save` on a schedule).")
    lines.append("")
    if c.key is None:
        lines += [
            "Partition key: none. No hot statement filters this table on a date/time or "
            "tenant column; partitioned on any other column, every statement would read "
            "every partition.",
            "",
        ]
    else:
        how = "range partitions by month" if c.key.kind == "time" else "hash partitions"
        lines += [
            f"Partition key: `{md_cell(c.key.column)}` ({c.key.kind} column: {how}), "
            f"filtered by {len(c.key.statements)} of the hot statements "
            f"({c.key.total_ms:,.0f} ms in total):",
            "",
            "| calls | mean ms | total ms | statement |",
            "|---:|---:|---:|---|",
        ]
        lines += [
            f"| {s.calls:,} | {s.mean_ms:,.1f} | {s.total_ms:,.0f} | "
            f"{md_cell(' '.join(s.query.split())[:200])} |"
            for s in c.key.statements
        ]
        lines.append("")
    lines += [
        "Autovacuum sized to the table (fixed thresholds instead of 20 % / 10 % of "
        f"{t.rows:,} rows; on a partitioned table, set them on each partition):",
        "",
        *fenced(_settings_sql(c), "sql"),
        "",
    ]
    return lines


def plan_markdown(ins: Inspection, candidates: list[Candidate], s: InspectSettings) -> str:
    srv = ins.server
    lines = [
        "# Large-table optimization",
        "",
        f"Database `{md_cell(srv.database)}`, PostgreSQL {srv.version}, read by `pgvet inspect "
        f"--plan` at {srv.now:%Y-%m-%d %H:%M %Z}. A table is a candidate past "
        f"{s.large_rows:,} rows or {s.large_gb:g} GB, or within {HORIZON_DAYS} days of "
        "either at the saved growth (`[inspect] large_rows`, `large_gb`). Hot statements: "
        f"pg_stat_statements' top {s.statements} by total and by mean time.",
        "",
    ]
    if ins.statements is None:
        lines += [f"> **note** statements: {md_cell(ins.notes.get('statements', ''))}", ""]
    if not candidates:
        lines += ["No table is a candidate.", ""]
    for c in candidates:
        lines += _candidate(c)
    return untrusted("\n".join(lines))
