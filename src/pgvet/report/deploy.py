"""The locks of the statements being deployed, against the live tables (``lint PATH --db``).

Listed strongest first: what blocks reads and writes for a rewrite or a scan of a big,
busy table is what a reviewer reads first; brief catalog-only locks and new tables last.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pgvet.analysis.locks import ORDER
from pgvet.report.sanitize import md_cell, safe_markup
from pgvet.rules.deploy import DeployLock

#: rows shown in text and Markdown (JSON has them all)
SHOWN = 40


def ordered(locks: list[DeployLock]) -> list[DeployLock]:
    def weight(lock: DeployLock) -> tuple[int, bool, int, float]:
        live = lock.live
        return (
            ORDER.index(lock.lock.mode),
            lock.lock.work.startswith("catalog only"),
            -(live.bytes if live else -1),
            -(live.writes_per_second if live else 0.0),
        )

    return sorted(locks, key=weight)


def deploy_text(console: Console, locks: list[DeployLock]) -> None:
    if not locks:
        return
    table = Table(
        title="Locks of the statements not yet deployed, against the live tables",
        title_justify="left",
        header_style="bold",
        box=None,
    )
    for column in ("where", "lock", "table", "live", "work", "risk"):
        table.add_column(column, overflow="fold")
    shown = ordered(locks)
    for lock in shown[:SHOWN]:
        table.add_row(
            safe_markup(f"{lock.file}:{lock.line}"),
            lock.lock.mode,
            safe_markup(lock.lock.qualified),
            safe_markup(lock.live.text() if lock.live else "not there yet"),
            safe_markup(lock.lock.work),
            safe_markup(lock.risk),
        )
    console.print(table)
    if len(shown) > SHOWN:
        console.print(f"[dim]… and {len(shown) - SHOWN} more (all in --format json)[/]")


def deploy_markdown(locks: list[DeployLock]) -> str:
    if not locks:
        return ""
    lines = [
        "## Locks of the statements not yet deployed",
        "",
        "| where | lock | table | live | work | risk |",
        "|---|---|---|---|---|---|",
    ]
    shown = ordered(locks)
    lines += [
        f"| {md_cell(f'{x.file}:{x.line}')} | {x.lock.mode} | {md_cell(x.lock.qualified)} | "
        f"{md_cell(x.live.text() if x.live else 'not there yet')} | {md_cell(x.lock.work)} | "
        f"{md_cell(x.risk)} |"
        for x in shown[:SHOWN]
    ]
    if len(shown) > SHOWN:
        lines.append(f"\n… and {len(shown) - SHOWN} more (all in `--format json`).")
    return "\n".join(lines) + "\n"
