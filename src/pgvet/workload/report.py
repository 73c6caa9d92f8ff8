"""The workload's results as JSON (what ``--compare`` reads back), Markdown and text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from pgvet.errors import InputError
from pgvet.workload.run import WorkloadRun

PERCENTILES = (50, 95, 99)


def run_doc(run: WorkloadRun) -> dict[str, Any]:
    """The JSON form; ``p50``/``p95``/``p99`` in ms, None for a query that failed."""
    queries = []
    for q in run.queries:
        item: dict[str, Any] = {
            "name": q.name,
            "persona": q.persona,
            "as": q.acting_as,
            "drawn": {k: str(q.params[k]) for k in q.drawn},
            "runs": len(q.timings),
            "rows": q.rows,
            "error": q.error,
        }
        for p in PERCENTILES:
            value = q.percentile(p)
            item[f"p{p}"] = None if value is None else round(value, 3)
        if q.plan is not None:
            item["plan_ms"] = round(q.plan.total_ms, 3)
            item["costliest"] = q.plan.costliest.label if q.plan.costliest else None
            item["scans"] = q.plan.scans
        queries.append(item)
    return {
        "iterations": run.iterations,
        "concurrency": run.concurrency,
        "seconds": round(run.seconds, 3),
        "queries": queries,
    }


def _personas(doc: dict[str, Any]) -> str:
    """Who each persona name is, once: ``tenant_member = authenticated, user …``."""
    seen = {q["persona"]: q.get("as", "") for q in doc["queries"]}
    return "; ".join(f"{name} = {who}" for name, who in seen.items())


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def run_markdown(doc: dict[str, Any]) -> str:
    lines = [
        f"{doc['iterations']} iterations at concurrency {doc['concurrency']} "
        f"in {doc['seconds']:.1f} s; times in ms. Personas: {_personas(doc)}.",
        "",
        "| query | persona | P50 | P95 | P99 | rows | costliest node |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for q in doc["queries"]:
        last = q["error"] or q.get("costliest") or ""
        lines.append(
            f"| {q['name']} | {q['persona']} | {_ms(q['p50'])} | {_ms(q['p95'])} | "
            f"{_ms(q['p99'])} | {q['rows']} | {last} |"
        )
    return "\n".join(lines) + "\n"


def print_run(console: Console, doc: dict[str, Any]) -> None:
    table = RichTable(
        "query", "persona", "P50 ms", "P95 ms", "P99 ms", "rows", "costliest node", box=None
    )
    for q in doc["queries"]:
        last = f"[red]{q['error']}[/]" if q["error"] else q.get("costliest") or ""
        table.add_row(
            q["name"],
            q["persona"],
            _ms(q["p50"]),
            _ms(q["p95"]),
            _ms(q["p99"]),
            str(q["rows"]),
            last,
        )
    console.print(table)
    console.print(
        f"{doc['iterations']} iterations at concurrency {doc['concurrency']} "
        f"in {doc['seconds']:.1f} s; personas: {_personas(doc)}",
        highlight=False,
    )


def load_doc(path: Path) -> dict[str, Any]:
    """A saved ``pgvet workload -f json`` run; anything else is exit 2."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read a saved workload run: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("queries"), list):
        raise InputError(f"{path}: not a workload run", hint="save one with -f json -o FILE")
    return doc


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Per query in either run: P50/P95/P99 of A and B and B's change in % of A."""
    first = {q["name"]: q for q in a["queries"]}
    second = {q["name"]: q for q in b["queries"]}
    rows = []
    for name in dict.fromkeys([*first, *second]):
        qa, qb = first.get(name, {}), second.get(name, {})
        row: dict[str, Any] = {"name": name}
        for p in PERCENTILES:
            va, vb = qa.get(f"p{p}"), qb.get(f"p{p}")
            row[f"p{p}"] = [va, vb]
            row[f"p{p}_change"] = (
                None if va in (None, 0) or vb is None else round((vb - va) / va * 100, 1)
            )
        row["costliest"] = [qa.get("costliest"), qb.get("costliest")]
        rows.append(row)
    return rows


def _change(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f} %"


def compare_markdown(rows: list[dict[str, Any]], names: tuple[str, str]) -> str:
    lines = [
        f"A = {names[0]}, B = {names[1]}; times in ms.",
        "",
        "| query | P50 A | P50 B | Δ P50 | P95 A | P95 B | Δ P95 | P99 A | P99 B | Δ P99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = []
        for p in PERCENTILES:
            va, vb = r[f"p{p}"]
            cells += [_ms(va), _ms(vb), _change(r[f"p{p}_change"])]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def print_compare(console: Console, rows: list[dict[str, Any]], names: tuple[str, str]) -> None:
    table = RichTable(
        "query",
        "P50 A",
        "P50 B",
        "Δ P50",
        "P95 A",
        "P95 B",
        "Δ P95",
        "P99 A",
        "P99 B",
        "Δ P99",
        box=None,
    )
    for r in rows:
        cells = []
        for p in PERCENTILES:
            va, vb = r[f"p{p}"]
            cells += [_ms(va), _ms(vb), _change(r[f"p{p}_change"])]
        table.add_row(r["name"], *cells)
    console.print(f"A = {names[0]}, B = {names[1]}", highlight=False)
    console.print(table)
