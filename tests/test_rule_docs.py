"""``docs/rules/`` is generated from the rules' docstrings; this keeps the committed pages
current (regenerate with ``pgvet rules --markdown docs/rules``)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pgvet.cli.main import app
from pgvet.report.rule_docs import rule_pages
from pgvet.rules.registry import REGISTRY

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_committed_rule_pages_are_current() -> None:
    expected = rule_pages(REGISTRY.values())
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert set(committed) == set(expected), "run: pgvet rules --markdown docs/rules"
    stale = [name for name, text in expected.items() if committed[name] != text]
    assert not stale, f"stale pages {stale}: run pgvet rules --markdown docs/rules"


def test_rules_markdown_writes_one_page_per_rule(tmp_path: Path) -> None:
    (tmp_path / "x999-gone.md").write_text("a rule that no longer exists")
    result = CliRunner().invoke(app, ["rules", "--markdown", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.glob("*.md")} == set(rule_pages(REGISTRY.values()))
