"""Terminal output (rich): grouped, coloured, readable; plain when piped."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pgvet.analysis.inventory import Inventory
from pgvet.findings import Finding
from pgvet.replay.apply import ReplayResult
from pgvet.replay.failure import Failure
from pgvet.replay.preflight import notices
from pgvet.report.lint_summary import (
    TOP_RULES,
    LintSummary,
    history_header,
    history_line,
    overflow_line,
)
from pgvet.report.sanitize import safe_markup

_STATUS = {"applied": "[green]✓[/]", "failed": "[red]✗[/]", "not run": "[dim]·[/]"}
_LEVEL = {"error": "[red]error[/]", "warn": "[yellow]warn[/]", "info": "[cyan]info[/]"}


def print_failure(console: Console, failure: Failure) -> None:
    state = f" {failure.sqlstate}" if failure.sqlstate else ""
    console.print(
        f"[bold]{safe_markup(failure.location)}[/]  [red]ERROR{state}[/]  "
        f"{safe_markup(failure.message)}"
    )
    excerpt = failure.excerpt()
    if excerpt:
        console.print(safe_markup(excerpt), highlight=False)
    for label, text in (
        ("detail", failure.detail),
        ("hint", failure.hint),
        ("context", failure.context),
        ("raised at", failure.raised_at),
    ):
        if text:
            console.print(f"  [dim]{label}:[/] {safe_markup(text)}")
    if failure.pgvet_hint:
        console.print(f"  [bold cyan]pgvet:[/] {safe_markup(failure.pgvet_hint)}")


def print_replay(console: Console, result: ReplayResult, *, all_files: bool = True) -> None:
    project = result.project
    console.print(
        f"[bold]Replay[/] {safe_markup(str(project.migrations_dir))}  "
        f"({len(project.files) + len(project.unreadable)} files) on {safe_markup(result.server)}"
    )
    found = notices(project)
    if found:
        console.print("\n[bold]Before running[/]")
        for notice in found:
            where = f"{notice.file}: " if notice.file else ""
            console.print(f"  {_LEVEL[notice.level]} {safe_markup(where + notice.message)}")
    if all_files:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column("")
        table.add_column("file")
        table.add_column("statements", justify="right")
        table.add_column("ms", justify="right")
        table.add_column("")
        for f in result.files:
            stmts = f"{f.statements_applied}/{f.statements_total}" if f.status != "not run" else ""
            extra = "[cyan]prelude (hand-made prerequisite)[/] " if f.prelude else ""
            if f.applied_in_pass and f.applied_in_pass > 1:
                extra += f"applied in pass {f.applied_in_pass}"
            elif f.status == "failed" and f.failure:
                extra += f"[red]{safe_markup(f.failure.location)}[/]"
            ms = f"{f.seconds * 1000:.1f}" if f.status != "not run" else ""
            table.add_row(_STATUS[f.status], safe_markup(f.filename), stmts, ms, extra)
        console.print()
        console.print(table)
    failures = [f.failure for f in result.files if f.failure]
    if failures:
        console.print("\n[bold]Failures[/]")
        for failure in failures:
            print_failure(console, failure)
            console.print()
    print_never_reached(console, result)
    applied = sum(1 for f in result.files if f.status == "applied")
    total = len(result.files)
    line = f"{applied} of {total} files applied in {result.seconds:.2f} s"
    if result.failed:
        line += f"; {len(result.failed)} failed"
        not_run = sum(1 for f in result.files if f.status == "not run")
        if not_run:
            line += (
                f", {not_run} not run (strict mode stops at the first failure; try --keep-going)"
            )
        elif not result.strict:
            line += f" after {result.passes} pass(es); the catalog is partial"
    elif not result.strict and result.passes > 1:
        line += f" (needed {result.passes} passes: the order that worked is in --format json)"
    console.print(("[green]" if result.ok else "[red]") + safe_markup(line) + "[/]")


#: entries of the never-reached list shown in text (all of them are in --format json)
NEVER_REACHED_SHOWN = 20


def print_never_reached(console: Console, result: ReplayResult) -> None:
    """Objects the migrations meant to exist that are not in the sandbox: not reviewed."""
    missing = result.never_reached
    if not missing:
        return
    console.print(f"\n[bold]Never reached the sandbox[/] ({len(missing)}; not in any report below)")
    for item in missing[:NEVER_REACHED_SHOWN]:
        console.print(f"  {item.kind} [bold]{safe_markup(item.name)}[/]: {safe_markup(item.why)}")
    if len(missing) > NEVER_REACHED_SHOWN:
        console.print(f"  … and {len(missing) - NEVER_REACHED_SHOWN} more (see --format json)")


def print_inventory(console: Console, inventory: Inventory, tenant_label: str = "tenant") -> None:
    if inventory.partial:
        console.print("[yellow]partial:[/] some migrations failed; this is what did apply")
    for domain, names in inventory.domains.items():
        table = Table(
            title=f"{safe_markup(domain)} ({len(names)})",
            title_justify="left",
            title_style="bold",
            header_style="bold",
            box=None,
            pad_edge=False,
        )
        for col, justify in (
            ("table", "left"),
            ("cols", "right"),
            ("idx", "right"),
            ("RLS", "left"),
            ("pol", "right"),
            (tenant_label, "left"),
            ("created at", "left"),
        ):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for t in (t for t in inventory.tables if t.domain == domain):
            rls = "[green]on[/]" if t.rls_enabled else "[red]off[/]"
            if t.rls_forced:
                rls += " forced"
            pol = str(t.policies) if t.policies or not t.rls_enabled else "[yellow]0[/]"
            table.add_row(
                safe_markup(t.qualified),
                str(t.columns),
                str(t.indexes),
                rls,
                pol,
                safe_markup(", ".join(t.tenant_columns)),
                safe_markup(t.origin or ""),
            )
        console.print(table)
        console.print()
    totals = inventory.totals
    console.print(
        f"[bold]{totals['tables']} tables[/] in {totals['domains']} domains, "
        f"{totals['indexes']} indexes, {totals['policies']} policies, {totals['views']} views, "
        f"{totals['functions']} functions; "
        + ("[red]" if totals["tables_without_rls"] else "[green]")
        + f"{totals['tables_without_rls']} tables without RLS[/], "
        f"{totals['tables_rls_without_policy']} with RLS but no policy, "
        f"{totals['tenant_tables']} with a tenant column"
    )


_LEVEL_STYLE = {"error": "red", "warn": "yellow", "info": "cyan"}


def print_findings(
    console: Console,
    findings: list[Finding],
    *,
    show_fix: bool = True,
    max_per_rule: int = 0,
    summary: LintSummary | None = None,
) -> None:
    """Findings grouped by rule (most severe first), each with its place and fix; with a
    ``summary`` it opens with the counts and the busiest tables and ends with the findings
    folded as history; ``max_per_rule`` (0: all) bounds each rule's list."""
    if summary is not None:
        _print_summary(console, summary)
    if not findings:
        console.print("[green]No findings.[/]")
        _print_history(console, summary)
        return
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    for rule_name, group in by_rule.items():
        first = group[0]
        style = _LEVEL_STYLE[first.level.value]
        console.print(
            f"[bold {style}]{first.level.value}[/] [bold]{rule_name}[/] [dim]{first.code} · "
            f"{first.category.value} · {len(group)}[/]"
        )
        shown = group[:max_per_rule] if max_per_rule > 0 else group
        for f in shown:
            where = f"[dim]{safe_markup(f.location)}[/] " if f.location else ""
            console.print(f"  {where}[bold]{safe_markup(f.object)}[/]: {safe_markup(f.message)}")
            if show_fix and f.fix:
                for line in f.fix.splitlines():
                    console.print(f"    [green]{safe_markup(line)}[/]", highlight=False)
            if show_fix and f.advice:  # text for a person, never written as SQL
                for line in f.advice.splitlines():
                    console.print(f"    [cyan]{safe_markup(line)}[/]", highlight=False)
        if len(group) > len(shown):
            console.print(
                f"  [dim]{safe_markup(overflow_line(rule_name, len(group) - len(shown)))}[/]"
            )
        console.print()
    _print_history(console, summary)
    counts = {lvl: sum(1 for f in findings if f.level.value == lvl) for lvl in _LEVEL_STYLE}
    console.print(
        f"[bold]{len(findings)} findings[/]: [red]{counts['error']} error[/], "
        f"[yellow]{counts['warn']} warn[/], [cyan]{counts['info']} info[/]"
    )


def _print_summary(console: Console, summary: LintSummary) -> None:
    """The report's first lines: totals, the rules and tables with most findings."""
    levels = summary.levels
    console.print(
        f"[bold]pgvet lint: {summary.total} findings[/] ([red]{levels['error']} error[/], "
        f"[yellow]{levels['warn']} warn[/], [cyan]{levels['info']} info[/])"
    )
    if summary.rules:
        rules = " · ".join(f"{safe_markup(r)} {n}" for r, n in summary.rules[:TOP_RULES])
        more = len(summary.rules) - TOP_RULES
        console.print(f"  [dim]by rule:[/] {rules}" + (f" · {more} more rules" if more > 0 else ""))
    if summary.tables:
        tables = " · ".join(f"{safe_markup(t)} {n}" for t, n in summary.tables)
        console.print(f"  [dim]most findings:[/] {tables}")
    folded = sum(summary.history.values())
    if folded:
        console.print(f"  [dim]history:[/] {safe_markup(history_header(folded))}")
    console.print()


def _print_history(console: Console, summary: LintSummary | None) -> None:
    if summary is None or not summary.history:
        return
    folded = sum(summary.history.values())
    console.print(f"[bold]History:[/] {safe_markup(history_header(folded))}")
    for rule_name, count in summary.history.items():
        console.print(f"  [dim]{safe_markup(history_line(rule_name, count))}[/]")
    console.print()
