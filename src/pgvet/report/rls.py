"""Renderers for an RLS test run: terminal, JSON, JUnit XML and Markdown.

The terminal view is a matrix (table × persona, one letter per command) followed by the
failures grouped across personas, because the same leak usually shows up for every
persona of a tenant and should be read once. JUnit gives CI one test case per check;
the Markdown file (``RLS_POLICY_TEST_SUITE.md``) is the document the team keeps: who the
personas are, what each may do, what was tested, what failed and why.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from pgvet.report.sanitize import fenced, md_cell, safe_markup, untrusted
from pgvet.rls.results import CheckResult, RlsReport

COMMAND_LETTERS = {"select": "S", "insert": "I", "update": "U", "delete": "D"}
_RANK = {"error": 4, "fail": 3, "denied": 2, "skip": 1, "pass": 0}


@dataclass
class Group:
    """Results that say the same thing for several personas."""

    table: str
    command: str
    kind: str
    status: str
    summary: str
    policies: tuple[str, ...]
    rows: tuple[str, ...]
    cycle: str | None
    query: str | None
    where: str | None
    personas: list[str] = field(default_factory=list)


def grouped(results: list[CheckResult]) -> list[Group]:
    """Failing results merged across personas (same table, command, summary, policies)."""
    groups: dict[tuple[object, ...], Group] = {}
    for r in results:
        if not r.failed:
            continue
        key = (r.table, r.command, r.kind, r.status, r.summary, r.policies, r.cycle, r.where)
        if key not in groups:
            groups[key] = Group(
                r.table,
                r.command,
                r.kind,
                r.status,
                r.summary,
                r.policies,
                r.rows,
                r.cycle,
                r.query,
                r.where,
            )
        groups[key].personas.append(r.persona)
    order = list(COMMAND_LETTERS)
    return sorted(
        groups.values(),
        key=lambda g: (g.status != "error", g.table, g.kind, order.index(g.command)),
    )


@dataclass
class Problem:
    """Groups with the same table, cause and personas, over several commands."""

    table: str
    kind: str
    status: str
    personas: list[str]
    policies: tuple[str, ...]
    cycle: str | None
    where: str | None
    lines: list[tuple[str, str]] = field(default_factory=list)  # (command, summary)
    rows: tuple[str, ...] = ()
    query: str | None = None


def problems(results: list[CheckResult]) -> list[Problem]:
    """:func:`grouped`, then merged across commands that share cause and personas."""
    merged: dict[tuple[object, ...], Problem] = {}
    for g in grouped(results):
        key = (g.table, g.kind, g.status, tuple(g.personas), g.policies, g.cycle, g.where)
        if key not in merged:
            merged[key] = Problem(
                g.table,
                g.kind,
                g.status,
                g.personas,
                g.policies,
                g.cycle,
                g.where,
                rows=g.rows,
                query=g.query,
            )
        merged[key].lines.append((g.command, g.summary))
    return list(merged.values())


def _cell(results: dict[str, CheckResult]) -> str:
    out = []
    for command, letter in COMMAND_LETTERS.items():
        r = results.get(command)
        if r is None:
            out.append("[dim]-[/]")
        elif r.status == "pass":
            out.append("[green]·[/]")
        elif r.status == "fail":
            out.append(f"[bold red]{letter}[/]")
        elif r.status == "error":
            out.append("[bold magenta]R[/]" if r.sqlstate == "42P17" else "[bold yellow]E[/]")
        elif r.status == "denied":
            out.append("[blue]d[/]")
        else:
            out.append("[dim]?[/]")
    return "".join(out)


def _matrix(report: RlsReport) -> tuple[list[str], dict[str, dict[str, dict[str, CheckResult]]]]:
    """table → persona → command → worst result."""
    personas = list(dict.fromkeys(r.persona for r in report.results))
    cells: dict[str, dict[str, dict[str, CheckResult]]] = defaultdict(lambda: defaultdict(dict))
    for r in report.results:
        slot = cells[r.table][r.persona]
        current = slot.get(r.command)
        if current is None or _RANK[r.status] > _RANK[current.status]:
            slot[r.command] = r
    return personas, cells


def print_report(console: Console, report: RlsReport, *, all_tables: bool = False) -> None:
    """The terminal view: tenancy, the matrix, grouped failures, untested tables."""
    counts = report.counts()
    console.print(f"[bold]RLS test[/] {safe_markup(report.source)}")
    for line in report.tenancy:
        console.print(f"  [dim]{safe_markup(line)}[/]")
    personas, cells = _matrix(report)
    shown = [
        t
        for t in sorted(cells)
        if all_tables or any(r.failed for p in cells[t].values() for r in p.values())
    ]
    if shown:
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("table")
        for p in personas:
            table.add_column(safe_markup(p), justify="center")
        for name in shown:
            table.add_row(safe_markup(name), *(_cell(cells[name].get(p, {})) for p in personas))
        console.print()
        console.print(table)
        console.print(
            "[dim]per cell: S I U D = select insert update delete; · pass, letter = leak / "
            "unmet expectation, R recursion, E error, d no privilege, - not tested[/]"
        )
    hidden = len(cells) - len(shown)
    if hidden:
        console.print(f"[green]{hidden} more table(s): every check passed[/]")
    found = problems(report.results)
    if found:
        console.print("\n[bold]Failures[/]")
        for f in found:
            mark = "[magenta]✗ error[/]" if f.status == "error" else "[red]✗ fail[/]"
            commands = "/".join(dict.fromkeys(c for c, _ in f.lines))
            console.print(f"{mark} [bold]{safe_markup(f.table)}[/] · {commands} · {f.kind}")
            console.print(f"    [dim]as:[/] {safe_markup(', '.join(f.personas))}")
            for command, summary in f.lines:
                console.print(f"    {command}: {safe_markup(summary)}")
            if f.where:
                console.print(f"    [dim]declared in:[/] {safe_markup(f.where)}")
            for policy in f.policies:
                console.print(f"    [dim]allowed by:[/] {safe_markup(policy)}")
            for row in f.rows[:1]:
                console.print(f"    [dim]row:[/] {safe_markup(row)}")
            if f.cycle:
                console.print(f"    [dim]cycle:[/] {safe_markup(f.cycle)}")
    if report.unfilled and report.coverage is None:
        console.print("\n[bold]Not tested automatically[/]")
        for name, why in report.unfilled.items():
            console.print(f"  [yellow]{safe_markup(name)}[/]: {safe_markup(why)}")
    if report.shared:
        console.print(
            f"[dim]{len(report.shared)} shared table(s) have no tenant (read as every persona, "
            f"not isolated): {safe_markup(', '.join(report.shared))}[/]"
        )
    for note in report.notes:
        if not note.endswith("round trips for checks"):
            console.print(f"[yellow]note:[/] {safe_markup(note)}")
    for line in coverage_lines(report):
        console.print(safe_markup(line))
    line = (
        f"{len(report.results)} checks: {counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['error']} errors"
        + (f", {counts['denied']} denied by privileges" if counts["denied"] else "")
        + (f", {counts['skip']} skipped" if counts["skip"] else "")
        + f" in {report.seconds:.2f} s"
    )
    if report.inconclusive:
        line = f"INCONCLUSIVE: {report.inconclusive}. " + line
    console.print(("\n[green]" if report.ok else "\n[red]") + safe_markup(line) + "[/]")


def _verdict(report: RlsReport) -> str:
    if report.failures:
        return "FAIL"
    return "INCONCLUSIVE" if report.inconclusive else "PASS"


def coverage_lines(report: RlsReport) -> list[str]:
    """The coverage line, what was not tested and why, and who acted for tenant A."""
    cov = report.coverage
    if cov is None:
        return []
    out = ["", cov.line()]
    out += [f"  not tested: {name}: {why}" for name, why in cov.untested.items()]
    out += [f"  persona {name}: {how}" for name, how in cov.personas.items()]
    out += [f"  problem: {p}" for p in cov.problems]
    return out


def json_report(report: RlsReport) -> str:
    """Everything, machine-readable."""
    return json.dumps(report.to_dict(), indent=2, default=str) + "\n"


def junit_report(report: RlsReport) -> str:
    """JUnit XML: a suite per persona, a test case per check."""
    root = ET.Element("testsuites", name="pgvet rls")
    by_persona: dict[str, list[CheckResult]] = defaultdict(list)
    for r in report.results:
        by_persona[r.persona].append(r)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for persona, results in by_persona.items():
        counts = {
            "tests": len(results),
            "failures": sum(r.status == "fail" for r in results),
            "errors": sum(r.status == "error" for r in results),
            "skipped": sum(r.status == "skip" for r in results),
        }
        suite = ET.SubElement(
            root, "testsuite", name=f"rls as {persona}", **{k: str(v) for k, v in counts.items()}
        )
        for k, v in counts.items():
            totals[k] += v
        for r in results:
            where = f" [{r.where.rpartition(': ')[2]}]" if r.where else ""
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"rls.{r.kind}.{r.table}",
                name=f"{r.command} as {persona}{where}",
                time="0",
            )
            details = _details(r)
            if r.status == "fail":
                ET.SubElement(case, "failure", message=r.summary, type="leak").text = details
            elif r.status == "error":
                ET.SubElement(
                    case, "error", message=r.summary, type=r.sqlstate or "error"
                ).text = details
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=r.summary)
            else:
                ET.SubElement(case, "system-out").text = r.summary
    if report.coverage is not None:
        _coverage_case(root, report, totals)
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{report.seconds:.3f}")
    ET.indent(root)
    # XML 1.0 has no way to carry control characters: a hostile name or message gets them
    # written as visible escapes, like every other report
    body = untrusted(ET.tostring(root, encoding="unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _coverage_case(root: ET.Element, report: RlsReport, totals: dict[str, int]) -> None:
    """A test case "coverage": failed when the run is inconclusive, so a CI that reads only
    the JUnit file never shows an untested project as green."""
    coverage = report.coverage
    why = report.inconclusive
    suite = ET.SubElement(
        root,
        "testsuite",
        name="rls coverage",
        tests="1",
        failures=str(int(bool(why))),
        errors="0",
        skipped="0",
    )
    case = ET.SubElement(suite, "testcase", classname="rls.coverage", name="coverage", time="0")
    lines = [coverage.line()]
    lines += [f"not tested: {name}: {reason}" for name, reason in coverage.untested.items()]
    if why:
        ET.SubElement(
            case, "failure", message=f"INCONCLUSIVE: {why}", type="inconclusive"
        ).text = "\n".join(lines)
    else:
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    totals["tests"] += 1
    totals["failures"] += int(bool(why))


def _details(r: CheckResult) -> str:
    lines = [r.summary]
    lines += [f"allowed by: {p}" for p in r.policies]
    lines += [f"row: {row}" for row in r.rows]
    if r.cycle:
        lines.append(f"cycle: {r.cycle}")
    if r.error:
        lines.append(f"error: {r.sqlstate} {r.error}")
    if r.where:
        lines.append(f"declared in: {r.where}")
    if r.query:
        lines.append(f"query: {r.query}")
    return "\n".join(lines)


def markdown_report(report: RlsReport) -> str:
    """``RLS_POLICY_TEST_SUITE.md``: personas, what each may do, what was tested, failures."""
    out = [
        *_md_header(report),
        *_md_personas(report),
        *_md_expectations(report),
        *_md_tested(report),
        *_md_failures(problems(report.results)),
        *_md_public_reads(report),
        *_md_untested(report),
    ]
    return untrusted("\n".join(out).rstrip() + "\n")


def _md_header(report: RlsReport) -> list[str]:
    counts = report.counts()
    return [
        "# RLS policy test suite",
        "",
        f"Generated by `pgvet rls test` for `{report.source}`. Every check ran as the persona, "
        "the way PostgREST runs a request (role and `request.jwt.claims` set for the "
        "transaction), inside a transaction that was rolled back.",
        "",
        f"**Result: {_verdict(report)}** - {len(report.results)} checks, "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors"
        + (f", {counts['denied']} reads denied by privileges" if counts["denied"] else "")
        + (f", {counts['skip']} skipped" if counts["skip"] else "")
        + f" ({report.seconds:.2f} s; seed {'loaded' if report.seeded else 'not loaded'}).",
        "",
    ]


def _md_personas(report: RlsReport) -> list[str]:
    out = ["## Personas", "", "| persona | role | who | source |", "|---|---|---|---|"]
    for p in report.personas:
        who = p.description or p.summary
        out.append(f"| `{md_cell(p.name)}` | {p.role} | {md_cell(who)} | {p.source} |")
    return out


def _md_expectations(report: RlsReport) -> list[str]:
    """Declared expectations, one row per identical expectation over several tables."""
    out = ["", "## What each persona may do", ""]
    if not report.expectations:
        out.append("No expectations declared (add `[[rls.expect]]` entries to pgvet.toml).")
    else:
        out += [
            "| persona | tables | sees | allowed | denied | why |",
            "|---|---|---|---|---|---|",
        ]
        merged: dict[tuple[object, ...], list[str]] = {}
        fields_ = ("persona", "visible", "count", "target", "allow", "deny", "description")
        for e in report.expectations:
            key = tuple(
                tuple(e.get(k, ())) if k in ("allow", "deny") else e.get(k) for k in fields_
            )
            merged.setdefault(key, []).append(e["table"])
        for (persona, visible, count, target, allow, deny, why), tables in merged.items():
            sees = " ".join(str(visible or "").split())
            if count is not None:
                sees = f"{sees} ({count} rows)".strip()
            if target:
                sees = f"{sees} target: {' '.join(str(target).split())}".strip()
            names = ", ".join(f"`{t}`" for t in tables)
            out.append(
                f"| `{md_cell(persona)}` | {names} | {md_cell(sees) or '-'} | "
                f"{', '.join(allow) or '-'} | {', '.join(deny) or '-'} | {md_cell(why or '')} |"
            )
    if report.auto:
        out += [
            "",
            "Generated personas of tenant A may not see, insert, update or delete any row of "
            "tenant B; `anon` may see no tenant row unless a SELECT policy makes it public.",
        ]
    return out


_KIND_LABELS = {
    "read": "every table and view read as every persona (recursion, broken functions)",
    "expectation": "declared expectations",
    "isolation": "automatic isolation: tenant A's personas against tenant B's rows",
    "anon": "automatic isolation: anon against both tenants",
}


def _md_tested(report: RlsReport) -> list[str]:
    """Checks per kind, the tenancy found, the tables tested, coverage and the verdict."""
    out = ["", "## What was tested", ""]
    kinds: dict[str, list[CheckResult]] = defaultdict(list)
    for r in report.results:
        kinds[r.kind].append(r)
    out += ["| check | count | failed | errors |", "|---|---|---|---|"]
    for kind, items in kinds.items():
        failed = sum(r.status == "fail" for r in items)
        errors = sum(r.status == "error" for r in items)
        out.append(f"| {_KIND_LABELS.get(kind, kind)} | {len(items)} | {failed} | {errors} |")
    if report.tenancy:
        out += ["", "Tenancy found: " + "; ".join(md_cell(t) for t in report.tenancy) + "."]
    if report.tested_tables:
        out += [
            "",
            f"Tables tested for isolation ({len(report.tested_tables)}): "
            + ", ".join(f"`{t}`" for t in report.tested_tables),
        ]
    if report.coverage is not None:
        out += ["", *(md_cell(line.strip()) for line in coverage_lines(report)[1:])]
    if report.inconclusive:
        out += ["", f"**INCONCLUSIVE**: {md_cell(report.inconclusive)}."]
    return out


def _md_failures(found: list[Problem]) -> list[str]:
    out = ["", "## Failures", ""]
    if not found:
        out.append("None.")
    for f in found:
        commands = "/".join(dict.fromkeys(c for c, _ in f.lines))
        title = "Error" if f.status == "error" else "Fail"
        out += [
            f"### {title}: `{f.table}` {commands} ({f.kind})",
            "",
            f"- **as**: {', '.join(f'`{p}`' for p in f.personas)}",
        ]
        out += [f"- **{command}**: {md_cell(summary)}" for command, summary in f.lines]
        if f.where:
            out.append(f"- **declared in**: {md_cell(f.where)}")
        out += [f"- **allowed by**: {md_cell(p)}" for p in f.policies]
        out += [f"- **row**: `{md_cell(r)}`" for r in f.rows[:2]]
        if f.cycle:
            out.append(f"- **cycle**: {md_cell(f.cycle)}")
        if f.query:
            out += ["", *fenced(f.query, "sql")]
        out.append("")
    return out


def _md_public_reads(report: RlsReport) -> list[str]:
    public = [r for r in report.results if r.status == "pass" and "public read" in r.summary]
    if not public:
        return []
    out = ["## Public reads (passed, by design?)", ""]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for r in public:
        if (r.table, r.policies) in seen:
            continue
        seen.add((r.table, r.policies))
        why = "; ".join(md_cell(p) for p in r.policies) or "declared in `[rls] public_tables`"
        out.append(f"- `{r.table}`: {why}")
    return [*out, ""]


def _md_untested(report: RlsReport) -> list[str]:
    out: list[str] = []
    if report.unfilled:
        out += ["## Not tested automatically", ""]
        out += [f"- `{name}`: {md_cell(why)}" for name, why in report.unfilled.items()]
        out.append("")
    if report.shared:
        out += ["## Shared tables (no tenant, read only)", ""]
        out.append(", ".join(f"`{t}`" for t in report.shared))
        out.append("")
    return out
