"""``pgvet fix``'s report: the fixes written, the findings advised, the fixes dropped and
why, in text, JSON (``kind: "fix"``) and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from pgvet.findings import Finding
from pgvet.fixing.layout import FixFile
from pgvet.fixing.plan import Unit
from pgvet.fixing.prove import Proof
from pgvet.report.sanitize import fenced, md_cell, safe_markup, untrusted

#: advised findings shown per rule in text and Markdown (JSON has them all)
ADVICE_SHOWN = 5


@dataclass
class FixReport:
    proof: Proof
    dry_run: bool
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def units(self) -> list[Unit]:
        return self.proof.plan.kept

    @property
    def dropped(self) -> list[Unit]:
        return [u for u in self.proof.plan.units if u.dropped is not None]

    @property
    def advised(self) -> list[Finding]:
        return self.proof.plan.advised

    def reasons(self) -> dict[str, int]:
        """Dropped fixes counted by the kind of reason (its words before the first colon)."""
        return dict(Counter(reason_kind(u.dropped or "") for u in self.dropped).most_common())


def reason_kind(reason: str) -> str:
    for prefix in (
        "fails", "its finding stays", "new finding", "widens access", "changes access",
        "contradicts", "needs", "not proven", "breaks function",
    ):  # fmt: skip
        if reason.startswith(prefix):
            return prefix
    if "already exists" in reason:
        return "name exists"
    if "longer than" in reason or "also created by" in reason:
        return "name"
    return "other"


def _finding_ref(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "code": f.code, "object": f.object, "fingerprint": f.fingerprint}


def to_json(report: FixReport) -> str:
    files_of: dict[int, list[FixFile]] = {}
    for fix in report.proof.files:
        files_of.setdefault(id(fix.unit), []).append(fix)
    doc = {
        "schema_version": 1,
        "kind": "fix",
        "dry_run": report.dry_run,
        "summary": {
            "written": len(report.units),
            "advised": len(report.advised),
            "dropped": len(report.dropped),
            "dropped_by_reason": report.reasons(),
            "files": len(report.proof.files),
            "passes": report.proof.passes,
            "seconds": round(report.seconds, 2),
            "proof_seconds": round(report.proof.seconds, 2),
        },
        "written": [
            {
                "findings": [_finding_ref(f) for f in u.findings],
                "fix": u.sql,
                "files": [f.name for f in files_of.get(id(u), [])],
                "function_checks": u.data.get("function_checks", {}),
            }
            for u in report.units
        ],
        "advised": [
            {**_finding_ref(f), "location": f.location, "advice": f.advice} for f in report.advised
        ],
        "dropped": [
            {"findings": [_finding_ref(f) for f in u.findings], "fix": u.sql, "reason": u.dropped}
            for u in report.dropped
        ],
        "access_changes": [str(c) for c in report.proof.access_changes],
        "unexplained": report.proof.unexplained,
        "seeds": report.proof.seeded,
        "warnings": report.warnings,
        "files_written": [str(p) for p in report.written],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _summary_line(report: FixReport) -> str:
    verb = "to write" if report.dry_run else "written"
    return (
        f"{len(report.units)} fixes {verb} ({len(report.proof.files)} files), "
        f"{len(report.advised)} findings with advice, {len(report.dropped)} fixes dropped; "
        f"proven in {report.proof.passes} pass(es), {report.seconds:.1f} s"
    )


def print_text(console: Console, report: FixReport) -> None:
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {safe_markup(warning)}")
    if report.dry_run:
        for fix in report.proof.files:
            console.print(f"[bold]-- {safe_markup(fix.name)}[/]")
            console.print(safe_markup(fix.body), highlight=False)
    else:
        for path in report.written:
            console.print(f"wrote {safe_markup(str(path))}")
    checks = _function_checks(report)
    if checks:
        console.print("\n[bold]Functions checked[/] (before and after the fixes):")
        for line in checks:
            console.print(f"  {safe_markup(line)}", highlight=False)
    if report.dropped:
        console.print("\n[bold]Dropped[/] (not written):")
        for unit in report.dropped:
            console.print(
                f"  [bold]{safe_markup(unit.label())}[/]: {safe_markup(unit.dropped or '')}"
            )
    if report.advised:
        console.print("\n[bold]Advice[/] (never written as SQL; see --format json for all):")
        by_rule: dict[str, list[Finding]] = {}
        for f in report.advised:
            by_rule.setdefault(f"{f.code} {f.rule}", []).append(f)
        for rule, group in by_rule.items():
            console.print(f"  [bold]{safe_markup(rule)}[/] · {len(group)}")
            for f in group[:ADVICE_SHOWN]:
                where = f"{f.location} " if f.location else ""
                first = (f.advice or "").strip().splitlines()[0]
                console.print(
                    f"    [dim]{safe_markup(where)}[/]{safe_markup(f.object)}: "
                    f"[cyan]{safe_markup(first)}[/]",
                    highlight=False,
                )
    for line in report.proof.unexplained:
        console.print(f"[yellow]not explained:[/] {safe_markup(line)}")
    for change in report.proof.access_changes:
        console.print(f"[yellow]access change written:[/] {safe_markup(str(change))}")
    console.print(f"\n{safe_markup(_summary_line(report))}")


def _function_checks(report: FixReport) -> list[str]:
    """How each function a written fix alters was checked (plpgsql_check or not, the
    runs compared), one line each."""
    return [
        f"{sig}: {how}"
        for u in report.units
        for sig, how in u.data.get("function_checks", {}).items()
    ]


def to_markdown(report: FixReport) -> str:
    lines = ["## pgvet fix", "", _summary_line(report), ""]
    if report.units:
        lines += ["### Written" if not report.dry_run else "### To write", ""]
        for fix in report.proof.files:
            lines += [f"`{md_cell(fix.name)}`", "", *fenced(fix.body, "sql"), ""]
    checks = _function_checks(report)
    if checks:
        lines += ["### Functions checked", ""] + [f"- {md_cell(x)}" for x in checks] + [""]
    if report.dropped:
        lines += ["### Dropped", "", "| fix of | reason |", "|---|---|"]
        lines += [f"| `{md_cell(u.label())}` | {md_cell(u.dropped)} |" for u in report.dropped]
        lines.append("")
    if report.advised:
        lines += ["### Advice (never written as SQL)", ""]
        by_rule: dict[str, list[Finding]] = {}
        for f in report.advised:
            by_rule.setdefault(f"{f.code} {f.rule}", []).append(f)
        for rule, group in by_rule.items():
            lines += [f"#### {md_cell(rule)} · {len(group)}", ""]
            for f in group[:ADVICE_SHOWN]:
                lines += [f"- `{md_cell(f.location or f.object)}` {md_cell(f.object)}", ""]
                lines += [*fenced(f.advice or "", "sql"), ""]
            if len(group) > ADVICE_SHOWN:
                lines += [f"- … {len(group) - ADVICE_SHOWN} more (see `--format json`)", ""]
    if report.proof.unexplained:
        lines += ["### Not explained", ""] + [f"- {md_cell(x)}" for x in report.proof.unexplained]
    return untrusted("\n".join(lines) + "\n")
