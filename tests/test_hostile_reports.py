"""Hostile text in reports that leave the terminal: PR comments (Markdown) and CI results
(JUnit). A migration's own text must not end a code block early, and control characters
must not make the XML unreadable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app
from pgvet.report.sanitize import fenced


def test_fence_outlasts_any_backtick_run() -> None:
    lines = fenced("select 1; -- ``` and ```` inside\n", "sql")
    assert lines[0] == "`````sql" and lines[-1] == "`````"


def test_markdown_excerpt_cannot_close_its_code_block(tmp_path: Path) -> None:
    sql = "create table t (id int);\nselect '```\n# injected heading' from missing_table;\n"
    project = write_migrations(tmp_path, {"20240101000000_x.sql": sql})
    result = CliRunner().invoke(app, ["replay", str(project), "--format", "markdown"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    opening = next(i for i, line in enumerate(lines) if line.startswith("````sql"))
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i] == "````")
    assert any("# injected heading" in line for line in lines[opening:closing])


def test_junit_stays_xml_with_control_characters_in_names(tmp_path: Path) -> None:
    sql = (
        'create table public.U&"notes\\001B[31m" (id int primary key, owner uuid);\n'
        'alter table public.U&"notes\\001B[31m" enable row level security;\n'
        'create policy own on public.U&"notes\\001B[31m" for select to authenticated\n'
        "  using (owner = (select auth.uid()));\n"
    )
    project = write_migrations(tmp_path, {"20240101000000_x.sql": sql})
    junit = tmp_path / "rls.xml"
    result = CliRunner().invoke(
        app, ["rls", "test", str(project), "--format", "junit", "-o", str(junit)]
    )
    assert "Traceback" not in result.stdout + result.stderr
    text = junit.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\x1b[31m" in text
    ET.parse(junit)  # well-formed XML
