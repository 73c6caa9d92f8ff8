"""``pgvet inspect`` as text and Markdown: the targets first, then the figures, the
findings in the common format, and how every figure was obtained.

Text and Markdown show the largest tables and the top of each list (JSON, with every
figure, is :mod:`pgvet.inspect.jsondoc`). Names from the database are untrusted text and are
escaped like everywhere in pgvet. The common findings renderers (``pgvet.report.text``,
``markdown``) are imported by the functions that use them: they bring pglast and the replay
machinery, a third of the start-up of a ``pgvet inspect -f json`` or ``-f prometheus``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from pgvet.findings import Finding
from pgvet.inspect.model import SOURCES, WRAPAROUND, Inspection, Statement
from pgvet.inspect.settings import InspectSettings
from pgvet.report.sanitize import md_cell, safe_markup, untrusted
from pgvet.report.units import size

TOP = 20


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f} %"


def when(t: datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M}" if t else "never"


def targets(ins: Inspection, s: InspectSettings) -> list[tuple[str, str, str, str]]:
    """(target, figure, verdict, source) rows of the review's targets."""
    large = [t for t in ins.tables if t.rows > s.seq_scan_rows]
    scanned = [t for t in large if t.seq_scan > 0]
    rows = []
    for label, rate, target, source in (
        ("buffer cache hit rate", ins.cache_hit_rate, s.cache_hit_rate, "cache_hit_rate"),
        ("index hit rate", ins.index_hit_rate, s.index_hit_rate, "index_hit_rate"),
    ):
        verdict = "no data" if rate is None else ("ok" if rate * 100 >= target else "BREACH")
        rows.append((f"{label} > {target:g} %", pct(rate), verdict, source))
    rows.append(
        (
            f"no sequential scans on tables > {s.seq_scan_rows:,} rows",
            f"{len(scanned)} of {len(large)} such tables scanned",
            "ok" if not scanned else "BREACH",
            "seq_scans",
        )
    )
    for label, target, attr in (("P95", s.p95_ms, "p95"), ("P99", s.p99_ms, "p99")):
        if ins.statements is None:
            rows.append((f"{label} < {target:g} ms", "n/a", "no data", "statements"))
            continue
        above = maybe = measured = 0
        for st in ins.statements:
            m = getattr(st.measured, attr) if st.measured else None
            if m is not None and (m.ms is not None or m.below_ms is not None):
                measured += 1
                above += m.ms is not None and m.ms > target
                continue
            b = getattr(st, attr)
            above += b.low > target
            maybe += b.low <= target < b.high
        verdict = "BREACH" if above else ("unknown" if maybe else "ok")
        rows.append(
            (
                f"{label} < {target:g} ms (top statements)",
                f"{above} above for certain, {maybe} possibly, of {len(ins.statements)}"
                + (f" ({measured} measured)" if measured else ""),
                verdict,
                "sampled, latency" if measured else "latency",
            )
        )
    return rows


def _percentile(st: Statement, attr: str) -> str:
    """Measured (``--sample``) when it was, else the bounds from pg_stat_statements."""
    m = getattr(st.measured, attr) if st.measured else None
    if m is not None and (m.ms is not None or m.below_ms is not None):
        return f"{m.text()} measured"
    b = getattr(st, attr)
    return f"{b.low:.1f}–{b.high:.1f} bounds"


def _table(console: Console, title: str, columns: list[str], rows: list[list[Any]]) -> None:
    if not rows:
        return
    table = RichTable(title=title, title_justify="left", header_style="bold", box=None)
    for i, column in enumerate(columns):
        table.add_column(
            column, justify="left" if i == 0 else "right", overflow="fold", no_wrap=i == 0
        )
    for row in rows:
        table.add_row(*(safe_markup(v) for v in row))
    console.print(table)
    console.print()


def _sections(ins: Inspection, s: InspectSettings) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The figures as (title, columns, rows), shared by text and Markdown."""
    srv = ins.server
    out: list[tuple[str, list[str], list[list[Any]]]] = []
    tables = sorted(ins.tables, key=lambda t: -t.total_bytes)[:TOP]
    out.append(
        (
            f"Largest tables (top {TOP} of {len(ins.tables)})",
            ["table", "rows≈", "heap", "indexes", "toast", "total"],
            [
                [
                    t.qualified,
                    f"{t.rows:,}",
                    size(t.heap_bytes),
                    size(t.index_bytes),
                    size(t.toast_bytes),
                    size(t.total_bytes),
                ]
                for t in tables
            ],
        )
    )
    out.append(
        (
            "Their hit rates, scans and vacuum",
            [
                "table",
                "cache hit",
                "index hit",
                "index use",
                "seq scans",
                "seq rows read",
                "dead rows",
                "last vacuum",
                "last analyze",
            ],
            [
                [
                    t.qualified,
                    pct(t.cache_hit_rate),
                    pct(t.index_hit_rate),
                    pct(t.index_usage),
                    f"{t.seq_scan:,}",
                    f"{t.seq_tup_read:,}",
                    f"{t.dead_tuples:,}",
                    when(t.last_vacuumed),
                    when(max((x for x in (t.last_analyze, t.last_autoanalyze) if x), default=None)),
                ]
                for t in tables
            ],
        )
    )
    idle = sorted(
        (
            i
            for i in ins.indexes
            if not (i.unique or i.primary or i.backs_constraint)
            and (i.scans < s.rare_index_scans or not i.valid)
        ),
        key=lambda i: (i.scans, -i.size_bytes),
    )
    out.append(
        (
            f"Unused, rarely used and invalid indexes (counters since "
            f"{when(srv.stats_reset or srv.started)}, {srv.window_days:.1f} days)",
            ["index", "table", "scans", "size", "valid"],
            [
                [
                    i.qualified,
                    i.table,
                    f"{i.scans:,}",
                    size(i.size_bytes),
                    "yes" if i.valid else "NO",
                ]
                for i in idle[:TOP]
            ],
        )
    )
    bloat = sorted(ins.bloat, key=lambda b: -b.waste_bytes)[:TOP]
    out.append(
        (
            "Bloat",
            ["object", "kind", "size", "waste", "%", "method"],
            [
                [
                    b.qualified,
                    b.kind,
                    size(b.size_bytes),
                    size(b.waste_bytes),
                    f"{b.percent:.0f}",
                    b.method,
                ]
                for b in bloat
                if b.waste_bytes > 0
            ],
        )
    )
    out.append(
        (
            "Wraparound",
            ["what", "age", "% of 2^31"],
            [
                [
                    "transaction IDs (this database)",
                    f"{srv.xid_age:,}",
                    f"{100 * srv.xid_age / WRAPAROUND:.4f}",
                ],
                [
                    "multixacts (this database)",
                    f"{srv.mxid_age:,}",
                    f"{100 * srv.mxid_age / WRAPAROUND:.4f}",
                ],
                [
                    "transaction IDs (oldest database)",
                    f"{srv.cluster_xid_age:,}",
                    f"{100 * srv.cluster_xid_age / WRAPAROUND:.4f}",
                ],
            ],
        )
    )
    seqs = sorted(
        (q for q in ins.sequences if q.used_percent is not None),
        key=lambda q: -(q.used_percent or 0),
    )[:10]
    out.append(
        (
            "Sequences (most used)",
            ["sequence", "last value", "max", "used", "feeds"],
            [
                [
                    q.qualified,
                    f"{q.last_value:,}",
                    f"{q.max_value:,}",
                    f"{q.used_percent:.4f} %",
                    f"{q.column} ({q.column_type})" if q.column else "",
                ]
                for q in seqs
            ],
        )
    )
    out.append(
        (
            f"Connections: {ins.client_connections} of {ins.connection_limit} "
            f"(max_connections {srv.max_connections} - {srv.reserved_connections} reserved)",
            ["role", "state", "connections"],
            [[role, state, n] for (role, state), n in sorted(ins.connections.items())],
        )
    )
    out.append(
        (
            "Long-running, idle-in-transaction, blocked and blocking sessions",
            ["pid", "role", "state", "query for", "state for", "blocked by", "query"],
            [
                [
                    x.pid,
                    x.role,
                    x.state + (" (blocking)" if x.blocking else ""),
                    f"{x.query_seconds or 0:.0f} s",
                    f"{x.state_seconds or 0:.0f} s",
                    ", ".join(map(str, x.blocked_by)),
                    " ".join(x.query.split())[:80],
                ]
                for x in ins.sessions
            ],
        )
    )
    out.append(
        (
            "Replication slots",
            ["slot", "type", "active", "WAL kept", "wal_status"],
            [
                [
                    x.name,
                    x.kind,
                    "yes" if x.active else "no",
                    size(x.retained_bytes),
                    x.wal_status or "",
                ]
                for x in ins.slots
            ],
        )
    )
    out.append(
        (
            "Replicas",
            ["name", "address", "state", "replay lag", "bytes behind"],
            [
                [
                    r.name,
                    r.address,
                    r.state,
                    f"{r.replay_lag_seconds or 0:.1f} s",
                    size(r.replay_lag_bytes),
                ]
                for r in ins.replicas
            ],
        )
    )
    if ins.statements:
        out.append(
            (
                "Costliest and slowest statements (pg_stat_statements"
                + (f", since {when(ins.statements_reset)}" if ins.statements_reset else "")
                + (
                    f"; percentiles measured in a {ins.sampling.seconds:.0f} s watch, "
                    f"{ins.sampling.reads:,} reads, largest gap {ins.sampling.max_gap_ms:.1f} ms)"
                    if ins.sampling
                    else "; percentiles bounded from its figures)"
                ),
                [
                    "queryid",
                    "calls",
                    "total ms",
                    "share",
                    "mean ms",
                    "stddev ms",
                    "rows",
                    "P95 ms",
                    "P99 ms",
                    "query",
                ],
                [
                    [
                        st.queryid,
                        f"{st.calls:,}",
                        f"{st.total_ms:,.1f}",
                        f"{100 * st.share:.1f} %",
                        f"{st.mean_ms:.2f}",
                        f"{st.stddev_ms:.2f}",
                        f"{st.rows:,}",
                        _percentile(st, "p95"),
                        _percentile(st, "p99"),
                        " ".join(st.query.split())[:80],
                    ]
                    for st in ins.statements
                ],
            )
        )
    if ins.growth:
        out.append(
            (
                f"Growth (saved history; days until {s.large_rows:,} rows / {s.large_gb:g} GB)",
                ["table", "over days", "rows/day", "bytes/day", "days to rows", "days to size"],
                [
                    [
                        g.qualified,
                        f"{g.days:.1f}",
                        f"{g.rows_per_day:,.0f}",
                        size(g.bytes_per_day),
                        _days(g.days_to_rows),
                        _days(g.days_to_bytes),
                    ]
                    for g in sorted(ins.growth, key=lambda g: -g.bytes_per_day)[:TOP]
                ],
            )
        )
    return out


def _days(d: float | None) -> str:
    return "—" if d is None else ("passed" if d <= 0 else f"{d:,.0f}")


def _headline(ins: Inspection) -> str:
    srv = ins.server
    role = "replica (read-only standby)" if srv.in_recovery else "primary"
    return (
        f"database {srv.database} · PostgreSQL {srv.version} · {role} · "
        f"{size(srv.size_bytes)} · counters since {when(srv.stats_reset or srv.started)} "
        f"({srv.window_days:.1f} days; up {srv.uptime_seconds / 86400:.1f} days)"
    )


def print_inspection(
    console: Console, ins: Inspection, findings: list[Finding], s: InspectSettings
) -> None:
    console.print(f"[bold]pgvet inspect[/] {safe_markup(_headline(ins))}\n", highlight=False)
    _table(
        console,
        "Targets (PHASE4 review)",
        ["target", "figure", "verdict", "how"],
        [list(r) for r in targets(ins, s)],
    )
    for title, columns, rows in _sections(ins, s):
        _table(console, title, columns, rows)
    for kind, note in sorted(ins.notes.items()):
        console.print(f"[yellow]note[/] {kind}: {safe_markup(note)}")
    from pgvet.report import text  # here: it imports the replay machinery (see module doc)

    text.print_findings(console, findings)
    console.print("\n[bold]How each figure was obtained[/]")
    for kind, source in SOURCES.items():
        console.print(f"[dim]{kind}:[/] {safe_markup(source)}", highlight=False)


def inspection_markdown(ins: Inspection, findings: list[Finding], s: InspectSettings) -> str:
    lines = ["## pgvet inspect", "", _headline(ins), ""]
    sections = [
        (
            "Targets (PHASE4 review)",
            ["target", "figure", "verdict", "how"],
            [list(r) for r in targets(ins, s)],
        ),
        *_sections(ins, s),
    ]
    for title, columns, rows in sections:
        if not rows:
            continue
        lines += [
            f"### {title}",
            "",
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
        ]
        lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
        lines.append("")
    lines += [f"> **note** {kind}: {note}" for kind, note in sorted(ins.notes.items())]
    from pgvet.report import markdown  # here: it imports the replay machinery

    body = "\n".join(lines) + "\n\n" + markdown.findings_markdown(findings, "findings")
    body += "\n### How each figure was obtained\n\n"
    body += "".join(f"- **{kind}**: {source}\n" for kind, source in SOURCES.items())
    return untrusted(body)
