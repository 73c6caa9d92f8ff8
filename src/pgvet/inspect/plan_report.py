"""LARGE_TABLE_OPTIMIZATION.md: the large-table plan as Markdown, every figure with its
source, every statement as pg_stat_statements normalised it (no literal values)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pgvet.analysis.sql.quote import qualified
from pgvet.inspect.model import Inspection
from pgvet.inspect.plan import HORIZON_DAYS, Candidate
from pgvet.inspect.settings import InspectSettings
from pgvet.report.sanitize import fenced, md_cell, untrusted
from pgvet.report.units import size


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
    lines += _steps(c)
    lines += [
        "Autovacuum sized to the table (fixed thresholds instead of 20 % / 10 % of "
        f"{t.rows:,} rows; on a partitioned table, set them on each partition):",
        "",
        *fenced(_settings_sql(c), "sql"),
        "",
    ]
    return lines


def _steps(c: Candidate) -> list[str]:
    """The online partitioning: why not, or the three steps and their verification."""
    if c.blocked is not None:
        return [f"Online partitioning: not generated: {md_cell(c.blocked)}.", ""]
    p = c.partitioning
    if p is None:
        return []
    lines = [
        f"### Online partitioning ({p.partitions} partitions)",
        "",
        "Three steps: **prepare** (a migration: the partitioned twin, a trigger forwarding "
        "every write, the backfill procedure), **backfill** (psql, outside a transaction, "
        "committed batches; can be stopped and rerun), **swap** (a migration: writes wait, "
        "reads go on; it refuses to run on a table with rows before the backfill is done). "
        "The old table stays as `…_unpartitioned` for a rollback.",
        "",
    ]
    lines += [f"- **changes meaning**: {md_cell(n)}" for n in p.notes]
    if p.notes:
        lines.append("")
    lines += _verification(c)
    for title, text in (
        ("1. prepare", p.prepare),
        ("2. backfill", p.backfill),
        ("3. swap", p.swap),
    ):
        lines += [f"#### {title}", "", *fenced(text.rstrip(), "sql"), ""]
    return lines


def _verification(c: Candidate) -> list[str]:
    v = c.verification
    if v is None:
        return [
            "Not verified: run with `--verify PATH` (the project's folder) to run these steps "
            "on a sandbox with generated rows and writes going on.",
            "",
        ]
    if v.error is not None:
        return [f"**Verification FAILED** on the sandbox: {md_cell(v.error)}", ""]
    verdict = "passed" if v.ok else "FAILED"
    w = v.writes
    lines = [
        f"**Verification {verdict}** on a sandbox (the project replayed, "
        f"{v.rows_before:,} generated rows): the steps ran as written while another session "
        f"inserted {w.inserted:,}, updated {w.updated:,} (moving the key) and deleted "
        f"{w.deleted:,} rows through the table. Afterwards {v.rows_after:,} rows in the "
        f"partitioned table, {v.rows_old:,} in the old one, content "
        f"{'identical' if v.same_content else 'DIFFERENT'} (hash of every row). Measured: "
        f"prepare {v.prepare_s:.2f} s, backfill {v.backfill_s:.2f} s, swap {v.swap_s:.2f} s "
        "(the only time writes wait).",
        "",
    ]
    lines += [f"- writes not tried: {md_cell(s)}" for s in w.skipped]
    lines += [
        "| query | same rows | before ms | after ms | partitions read |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {md_cell(q.label)} | {'yes' if q.same_rows else 'NO'} | {q.old_ms:,.2f} | "
        f"{q.new_ms:,.2f} | {q.partitions_read if q.partitions_read is not None else '?'} "
        f"of {q.partitions} |"
        for q in v.queries
    ]
    lines += [
        "",
        "Before: the unpartitioned table, after: the partitioned one, same rows, medians of "
        "5 interleaved runs on the sandbox (timings are this machine's, not production's). "
        "A lookup that does not name the partition key reads every partition.",
        "",
    ]
    return lines


def write_steps(candidates: list[Candidate], folder: Path) -> list[Path]:
    """Each partitioning's steps as files: two timestamped migrations and the backfill."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    written = []
    for c in candidates:
        p = c.partitioning
        if p is None:
            continue
        first = stamp.strftime("%Y%m%d%H%M%S")
        stamp += timedelta(seconds=1)
        second = stamp.strftime("%Y%m%d%H%M%S")
        stamp += timedelta(seconds=1)
        for name, text in (
            (f"{first}_partition_{p.table}.sql", p.prepare),
            (f"partition_{p.table}_backfill.psql", p.backfill),
            (f"{second}_partition_{p.table}_swap.sql", p.swap),
        ):
            target = folder / name
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


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
