"""``backup verify`` results as text, JSON and Markdown.

Server messages, statements and names come from an untrusted dump or database, so text
and Markdown escape their control characters (:func:`pgvet.report.sanitize.untrusted`);
JSON needs nothing (``json.dumps`` escapes them).
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from pgvet.backup.drill import DrillReport
from pgvet.backup.verify import VerifyReport
from pgvet.report.sanitize import md_cell, safe_markup

_STATUS = {"failed": "red", "refused": "red", "exists": "dim", "skipped": "yellow"}


def print_verify(console: Console, report: VerifyReport) -> None:
    """The human report: what restored, what failed (file:line), every difference."""
    restore = report.restore
    console.print(
        f"[bold]restore[/] as {restore.role} on {safe_markup(report.server)} "
        f"in {restore.seconds:.2f} s",
        highlight=False,
    )
    for f in restore.files:
        what = f"{f.statements} statements" + (f", {f.rows} rows" if f.rows else "")
        if f.format != "plain":
            what = f"{f.statements} archive entries ({f.format} format)"
        console.print(f"  {safe_markup(f.path)} [dim]({f.kind})[/]: {what}", highlight=False)
    if restore.databases:
        names = ", ".join(safe_markup(d) for d in restore.databases)
        console.print(f"  other databases of the dump restored: {names}", highlight=False)
    for issue in restore.issues:
        colour = _STATUS.get(issue.status, "red")
        state = f" [{issue.sqlstate}]" if issue.sqlstate else ""
        console.print(
            f"  [{colour}]{issue.status}[/] {safe_markup(issue.file)}:{safe_markup(issue.location)}"
            f"{safe_markup(state)}: {safe_markup(issue.message)}",
            highlight=False,
        )
        if issue.statement and issue.failed:
            console.print(f"      [dim]{safe_markup(issue.statement)}[/]", highlight=False)
    console.print(
        f"\n[bold]compared[/] with {safe_markup(report.source)}: {report.tables} tables, "
        f"{report.rows} rows",
        highlight=False,
    )
    for diff in report.differences:
        console.print(
            f"  [red]{diff.area}[/] {diff.kind} [bold]{safe_markup(diff.name)}[/]: "
            f"{safe_markup(diff.detail)}",
            highlight=False,
        )
        for row in diff.rows:
            console.print(f"      {safe_markup(row)}", highlight=False)
    for note in report.notes:
        console.print(f"  [dim]note: {safe_markup(note)}[/]", highlight=False)
    failures = len(restore.failures)
    if report.ok:
        console.print(
            f"\n[green]backup verified[/]: restored without errors and equal to the source "
            f"({report.seconds.get('total', 0):.2f} s)"
        )
    else:
        console.print(
            f"\n[red]backup differs[/]: {failures} restore failures, "
            f"{len(report.differences)} differences"
        )


def verify_doc(report: VerifyReport) -> dict[str, Any]:
    """The JSON document (schema documented in docs/backup.md)."""
    return {
        "ok": report.ok,
        "source": report.source,
        "server": report.server,
        "restore": {
            "role": report.restore.role,
            "seconds": round(report.restore.seconds, 3),
            "databases": report.restore.databases,
            "files": [f.__dict__ for f in report.restore.files],
            "issues": [{**i.__dict__, "failed": i.failed} for i in report.restore.issues],
        },
        "compared": {"tables": report.tables, "rows": report.rows},
        "differences": [d.__dict__ | {"rows": list(d.rows)} for d in report.differences],
        "notes": report.notes,
        "seconds": {k: round(v, 3) for k, v in report.seconds.items()},
    }


def verify_json(report: VerifyReport) -> str:
    return json.dumps(verify_doc(report), indent=2) + "\n"


def verify_markdown(report: VerifyReport) -> str:
    """A Markdown report for a pull request comment or a runbook appendix."""
    verdict = "verified" if report.ok else "**differs**"
    out = [
        "# Backup verification\n",
        f"Backup {verdict}: restored as `{report.restore.role}` on {md_cell(report.server)} "
        f"and compared with {md_cell(report.source)} ({report.tables} tables, "
        f"{report.rows} rows).\n",
        "| file | format | kind | statements | rows | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for f in report.restore.files:
        out.append(
            f"| {md_cell(f.path)} | {f.format} | {f.kind} | {f.statements} | {f.rows} | "
            f"{f.seconds:.2f} |"
        )
    if report.restore.issues:
        out += ["", "## Restore issues\n", "| where | status | message |", "|---|---|---|"]
        for i in report.restore.issues:
            out.append(
                f"| {md_cell(i.file)}:{md_cell(i.location)} | {i.status} | {md_cell(i.message)} |"
            )
    if report.differences:
        out += ["", "## Differences\n", "| area | object | difference |", "|---|---|---|"]
        for d in report.differences:
            detail = md_cell(d.detail) + "".join(f"<br>{md_cell(r)}" for r in d.rows)
            out.append(f"| {d.area} | {d.kind} `{md_cell(d.name)}` | {detail} |")
    if report.notes:
        out += ["", *(f"* {md_cell(n)}" for n in report.notes)]
    return "\n".join(out) + "\n"


def print_drill(console: Console, report: DrillReport) -> None:
    """The drill's outcome: points, restores (RTO), problems."""
    console.print(
        f"[bold]drill[/] on {safe_markup(report.server)} with {report.tool} "
        f"({safe_markup(report.tool_reason)}): base backup "
        f"{report.base_seconds:.2f} s, {len(report.archived)} WAL segments archived, "
        f"RPO ≤ archive_timeout = {report.primary_settings.get('archive_timeout')}"
    )
    for p in report.points:
        console.print(f"  point {p.name}: {p.time} at {p.lsn} ({p.rows} rows)")
    for r in report.restores:
        verdict = "[green]verified[/]" if r.ok else "[red]failed[/]"
        console.print(
            f"  restore to {r.kind} {safe_markup(r.target)}: {verdict}, RTO {r.rto:.2f} s",
            highlight=False,
        )
        for problem in r.problems:
            console.print(f"      [red]{safe_markup(problem)}[/]", highlight=False)
    console.print(
        "\n[green]drill passed[/]" if report.ok else "\n[red]drill failed[/]",
        highlight=False,
    )


def drill_json(report: DrillReport) -> str:
    """The drill as JSON (points without their per-table hashes)."""
    doc = {
        "ok": report.ok,
        "server": report.server,
        "tool": report.tool,
        "tool_reason": report.tool_reason,
        "primary_settings": report.primary_settings,
        "segment_size": report.segment_size,
        "base_backup": {"seconds": round(report.base_seconds, 3), "bytes": report.base_bytes},
        "archived": report.archived,
        "archive_lag_seconds": round(report.archive_lag, 3),
        "points": [
            {"name": p.name, "time": p.time, "lsn": p.lsn, "rows": p.rows} for p in report.points
        ],
        "restores": [
            {
                "kind": r.kind,
                "target": r.target,
                "point": r.point,
                "ok": r.ok,
                "rto_seconds": round(r.rto, 3),
                "timings": {k: round(v, 3) for k, v in r.timings.items()},
                "wal_needed": list(r.needed),
                "wal_missing": list(r.missing),
                "pgbackrest_verify": r.verify,
                "problems": r.problems,
            }
            for r in report.restores
        ],
        "seconds": round(report.seconds, 3),
    }
    return json.dumps(doc, indent=2) + "\n"
