"""``pgvet rules``: list the rules, or print one rule's documentation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pgvet.cli.common import err
from pgvet.errors import EXIT_USAGE


def rules_command(
    name: Annotated[
        str | None, typer.Argument(help="A rule name or code: print its documentation.")
    ] = None,
    markdown_dir: Annotated[
        Path | None,
        typer.Option(
            "--markdown",
            metavar="DIR",
            help="Write one Markdown page per rule (and an index) into DIR, from the docstrings.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """List every rule, or print one rule's documentation with its bad and good examples."""
    from rich.markdown import Markdown
    from rich.table import Table

    from pgvet.report.rule_docs import write_rule_pages
    from pgvet.rules.registry import REGISTRY, find_rule

    if markdown_dir is not None:
        written = write_rule_pages(markdown_dir, REGISTRY.values())
        err.print(f"wrote {len(written)} pages to {markdown_dir}")
        return

    console = Console(width=None if sys.stdout.isatty() else 140)
    if name:
        found = find_rule(name)
        if found is None:
            err.print(f"[red]error:[/] no rule named {name}", highlight=False)
            err.print("[dim]hint:[/] `pgvet rules` lists them")
            raise typer.Exit(EXIT_USAGE)
        console.print(
            f"[bold]{found.name}[/] ({found.code}) · {found.level.value} · "
            f"{found.category.value}" + (" · fixable" if found.fixable else "")
        )
        console.print(f"[bold]{found.title}[/]\n")
        console.print(Markdown(found.doc))
        return
    table = Table(header_style="bold", box=None)
    for column in ("code", "name", "level", "category"):
        table.add_column(column, no_wrap=True)
    table.add_column("title")
    for r in sorted(REGISTRY.values(), key=lambda r: r.code):
        table.add_row(r.code, r.name, r.level.value, r.category.value, r.title)
    console.print(table)
