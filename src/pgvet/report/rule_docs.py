"""``docs/rules/``: one Markdown page per rule, generated from its docstring.

The docstring is the single source (why the rule matters, its Bad and Good SQL, the fix);
the pages are written by ``pgvet rules --markdown DIR`` and a test keeps the committed ones
current, so the docs can never drift from what ``pgvet rules NAME`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pgvet.rules.registry import Rule

_NEEDS = {
    "migrations": "the project's migration files",
    "stats": "a live database's usage",
    "replay": "a replay of the migrations (not --db)",
}


def page_name(rule: Rule) -> str:
    return f"{rule.code.lower()}-{rule.name}.md"


def rule_page(rule: Rule) -> str:
    """One rule's page: code, name, title, metadata, then its docstring."""
    facts = [f"level `{rule.level.value}`", f"category `{rule.category.value}`"]
    if rule.history:
        facts.append("advice for the migration it is on (never written by `pgvet fix`)")
    else:
        facts.append("has a fix (`pgvet fix`)" if rule.fixable else "no automatic fix")
    facts += [f"needs {_NEEDS[r]}" for r in sorted(rule.requires)]
    return (
        f"# {rule.code} {rule.name}\n\n**{rule.title}**\n\n{' · '.join(facts)}\n\n"
        f"{rule.doc.strip()}\n\n"
        f"<!-- generated from the rule's docstring by `pgvet rules --markdown docs/rules` -->\n"
    )


def index_page(rules: Iterable[Rule]) -> str:
    lines = [
        "# pgvet rules",
        "",
        "| code | name | level | category | title |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.code} | [{r.name}]({page_name(r)}) | {r.level.value} | {r.category.value} "
        f"| {r.title} |"
        for r in rules
    ]
    return "\n".join(lines) + "\n"


def rule_pages(rules: Iterable[Rule]) -> dict[str, str]:
    """File name → content of every page, the index (``README.md``) included."""
    ordered = sorted(rules, key=lambda r: r.code)
    pages = {page_name(r): rule_page(r) for r in ordered}
    pages["README.md"] = index_page(ordered)
    return pages


def write_rule_pages(folder: Path, rules: Iterable[Rule]) -> list[Path]:
    """Write every page into ``folder``, removing pages of rules that no longer exist."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = rule_pages(rules)
    for stale in folder.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, content in pages.items():
        path = folder / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
