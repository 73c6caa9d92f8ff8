"""Markdown that reads well as a pull-request comment or a review document."""

from __future__ import annotations

from pgvet.analysis.inventory import Inventory
from pgvet.findings import Finding
from pgvet.replay.apply import ReplayResult
from pgvet.replay.preflight import notices
from pgvet.report.lint_summary import (
    TOP_RULES,
    LintSummary,
    history_header,
    history_line,
    overflow_line,
)
from pgvet.report.sanitize import fenced, md_cell, untrusted


def replay_markdown(result: ReplayResult) -> str:
    project = result.project
    applied = sum(1 for f in result.files if f.status == "applied")
    lines = [
        f"## pgvet replay: {applied} of {len(result.files)} migrations applied",
        "",
        f"Server: {result.server}. Mode: {'strict' if result.strict else 'keep-going'}. "
        f"Time: {result.seconds:.2f} s.",
        "",
    ]
    lines += [f"> **warning:** {w}" for w in result.warnings]
    found = notices(project)
    if found:
        lines += ["### Before running", ""]
        lines += [f"- **{n.level}** `{n.file or ''}`: {n.message}" for n in found]
        lines.append("")
    failures = [f.failure for f in result.files if f.failure]
    if failures:
        lines += ["### Failures", ""]
        for fail in failures:
            lines.append(f"#### `{fail.location}` — {fail.sqlstate or ''} {fail.message}")
            if excerpt := fail.excerpt():
                lines += ["", *fenced(excerpt, "sql")]
            for label, text in (
                ("Detail", fail.detail),
                ("Hint", fail.hint),
                ("Context", fail.context),
                ("Raised at", fail.raised_at),
                ("pgvet", fail.pgvet_hint),
            ):
                if text:
                    lines.append(f"- **{label}:** {text}")
            lines.append("")
    lines += never_reached_markdown(result)
    lines += ["### Files", "", "| | file | statements | ms | note |", "|---|---|---:|---:|---|"]
    marks = {"applied": "✅", "failed": "❌", "not run": "⏭"}
    for f in result.files:
        note = (
            f.failure.location
            if f.failure
            else (f"pass {f.applied_in_pass}" if (f.applied_in_pass or 1) > 1 else "")
        )
        if f.prelude:
            note = f"prelude (hand-made prerequisite) {note}".strip()
        lines.append(
            f"| {marks[f.status]} | `{md_cell(f.filename)}` | {f.statements_applied}/"
            f"{f.statements_total} | {f.seconds * 1000:.1f} | {md_cell(note)} |"
        )
    return untrusted("\n".join(lines) + "\n")


def never_reached_markdown(result: ReplayResult) -> list[str]:
    """The objects that never reached the sandbox, as a section (none: no lines)."""
    if not result.never_reached:
        return []
    lines = ["### Never reached the sandbox (not reviewed)", ""]
    lines += [f"- {i.kind} `{md_cell(i.name)}`: {i.why}" for i in result.never_reached]
    return [*lines, ""]


def inventory_markdown(inventory: Inventory, result: ReplayResult | None = None) -> str:
    t = inventory.totals
    lines = [
        "## Database inventory",
        "",
        f"**{t['tables']} tables** in {t['domains']} domains · {t['indexes']} indexes · "
        f"{t['policies']} policies · {t['views']} views · {t['functions']} functions · "
        f"**{t['tables_without_rls']} tables without RLS** · "
        f"{t['tables_rls_without_policy']} with RLS but no policy",
        "",
    ]
    if inventory.partial:
        lines += ["> Partial: some migrations failed; this is what did apply.", ""]
    for domain, names in inventory.domains.items():
        lines += [
            f"### {domain} ({len(names)})",
            "",
            "| table | columns | indexes | RLS | policies | tenant columns | created at |",
            "|---|---:|---:|---|---:|---|---|",
        ]
        for s in (s for s in inventory.tables if s.domain == domain):
            rls = ("on" + (", forced" if s.rls_forced else "")) if s.rls_enabled else "**off**"
            lines.append(
                f"| `{s.qualified}` | {s.columns} | {s.indexes} | {rls} | {s.policies} | "
                f"{', '.join(s.tenant_columns)} | {md_cell(s.origin or '')} |"
            )
        lines.append("")
    if result is not None:
        prelude = [f.filename for f in result.files if f.prelude]
        if prelude:
            names = ", ".join(prelude)
            lines += [f"Replayed after the prelude (hand-made prerequisites): {names}.", ""]
        lines += never_reached_markdown(result)
    return untrusted("\n".join(lines))


def findings_markdown(
    findings: list[Finding],
    title: str = "pgvet lint",
    *,
    max_per_rule: int = 0,
    summary: LintSummary | None = None,
) -> str:
    """A pull-request comment: counts (with a ``summary``: by rule, the busiest tables),
    then one section per rule with fixes folded away, at most ``max_per_rule`` rows each
    (0: all), then the findings folded as history."""
    counts = {
        lvl: sum(1 for f in findings if f.level.value == lvl) for lvl in ("error", "warn", "info")
    }
    lines = [
        f"## {title}: {len(findings)} findings",
        "",
        f"🔴 {counts['error']} error · 🟡 {counts['warn']} warn · 🔵 {counts['info']} info",
        "",
    ]
    if summary is not None and summary.rules:
        rules = " · ".join(f"`{md_cell(r)}` {n}" for r, n in summary.rules[:TOP_RULES])
        lines += [f"By rule: {rules}", ""]
        if summary.tables:
            tables = " · ".join(f"`{md_cell(t)}` {n}" for t, n in summary.tables)
            lines += [f"Most findings: {tables}", ""]
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    icon = {"error": "🔴", "warn": "🟡", "info": "🔵"}
    for rule_name, group in by_rule.items():
        first = group[0]
        lines += [
            f"### {icon[first.level.value]} `{rule_name}` ({first.code}, "
            f"{first.category.value}) — {len(group)}",
            "",
        ]
        lines += ["| where | object | finding |", "|---|---|---|"]
        shown = group[:max_per_rule] if max_per_rule > 0 else group
        for f in shown:
            lines.append(
                f"| `{md_cell(f.location)}` | `{md_cell(f.object)}` | {md_cell(f.message)} |"
            )
        if len(group) > len(shown):
            lines += ["", overflow_line(rule_name, len(group) - len(shown))]
        for label, texts in (
            ("Fix", [f.fix for f in shown if f.fix]),
            ("Advice (not written by `pgvet fix`)", [f.advice for f in shown if f.advice]),
        ):
            if texts:
                lines += [
                    "",
                    f"<details><summary>{label}</summary>",
                    "",
                    *fenced("\n".join(texts), "sql"),
                    "",
                    "</details>",
                ]
        lines.append("")
    if summary is not None and summary.history:
        lines += [f"### History: {history_header(sum(summary.history.values()))}", ""]
        lines += [f"- {history_line(r, n)}" for r, n in summary.history.items()]
        lines.append("")
    return untrusted("\n".join(lines))
