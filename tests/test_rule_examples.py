"""Every rule's docstring examples, replayed on a real server: bad is found, good is not.

An example may span several files: lines ``-- file: NAME`` start a new one (default: one
file ``20240101000000_example.sql``); names that are not migrations (``workload.sql``) go
to the project root, beside ``supabase/``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ExampleDatabases, write_migrations
from pgvet.catalog import read_catalog
from pgvet.replay.apply import replay
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import MIGRATION_NAME, load_project
from pgvet.rules.registry import REGISTRY, LintContext, Rule

RULES = sorted(REGISTRY.values(), key=lambda r: r.name)
_FILE_MARK = re.compile(r"^-- file: (\S+)\s*$", re.M)
#: An example file that must fail to leave the state it shows (a failed concurrent build)
_EXPECT_FAIL = "-- expect: this file fails"


def example_files(sql: str) -> dict[str, str]:
    parts = _FILE_MARK.split(sql)
    if len(parts) == 1:
        return {"20240101000000_example.sql": sql}
    return {parts[i]: parts[i + 1].lstrip("\n") for i in range(1, len(parts), 2)}


def findings_for(rule: Rule, sql: str, dbs: ExampleDatabases, tmp_path: Path) -> list[str]:
    files = example_files(sql)
    write_migrations(tmp_path, {k: v for k, v in files.items() if MIGRATION_NAME.match(k)})
    for name, content in files.items():  # e.g. workload.sql, beside supabase/
        if not MIGRATION_NAME.match(name):
            (tmp_path / name).write_text(content, encoding="utf-8")
    project = load_project(tmp_path)
    expected_to_fail = {name for name, text in files.items() if _EXPECT_FAIL in text}
    with dbs.new() as conn:
        result = replay(conn, project)
        assert {f.filename for f in result.failed} == expected_to_fail, [
            f.failure for f in result.failed
        ]
        catalog = read_catalog(conn)
    catalog = replace(catalog, origins=compute_origins(project.files))
    ctx = LintContext(catalog=catalog, project=project)
    return [f"{f.object}: {f.message} ({f.location})" for f in rule.run(ctx)]


def test_every_rule_is_documented() -> None:
    for rule in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.title and rule.doc, rule.name
        assert set(rule.examples) == {"bad", "good"}, (
            f"{rule.name} needs a Bad: and a Good: example"
        )


@pytest.mark.parametrize(
    "rule", [r for r in RULES if "stats" not in r.requires], ids=lambda r: r.name
)
def test_bad_example_is_found(rule: Rule, example_dbs: ExampleDatabases, tmp_path: Path) -> None:
    assert findings_for(rule, rule.examples["bad"], example_dbs, tmp_path)


@pytest.mark.parametrize(
    "rule", [r for r in RULES if "stats" not in r.requires], ids=lambda r: r.name
)
def test_good_example_is_clean(rule: Rule, example_dbs: ExampleDatabases, tmp_path: Path) -> None:
    assert findings_for(rule, rule.examples["good"], example_dbs, tmp_path) == []
