"""Every rule, on a real server: its docstring's Bad/Good examples, its golden cases, its
fixes, and its module's name.

* **Docstring examples**: the Bad example is found, the Good one is not.
* **Golden cases**: ``tests/rules/cases/<code>_<name>/<case>.sql`` is one migration set
  (lines ``-- file: NAME`` start a new file, as in the docstrings; names that are not
  migrations, like ``workload.sql``, go to the project root, beside ``supabase/``). The
  rule's findings on it (object, file:line, message, fix) must equal
  ``<case>.expected.json`` beside it. ``PGVET_UPDATE_GOLDENS=1`` rewrites the goldens
  instead of comparing: review the diff like any other change.
* **Fixes**: every fix of every finding of a case is applied, and the finding is gone. A
  catalog rule's fix runs on the replayed sandbox; a migration rule's fix replaces the
  statement it was found on (the parts it puts in later migrations become files of their
  own), and the project is replayed again. A fix that is only advice (comments) must come
  from a rule not marked fixable.
* **Layout**: each module ``rules/<family>/<code>_<name>.py`` registers exactly one rule,
  whose code and name match the file name.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest

import pgvet.rules
from conftest import ExampleDatabases, write_migrations
from pgvet.catalog import read_catalog
from pgvet.findings import Finding
from pgvet.replay.apply import ReplayResult, replay
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import MIGRATION_NAME, Project, load_project, split_sql
from pgvet.rules.registry import REGISTRY, LintContext, Rule
from pgvet.rules.sandbox import Sandbox

RULES = sorted(REGISTRY.values(), key=lambda r: r.name)
CASES_DIR = Path(__file__).parent / "cases"
UPDATE = os.environ.get("PGVET_UPDATE_GOLDENS") == "1"
_FILE_MARK = re.compile(r"^-- file: (\S+)\s*$", re.M)
#: An example file that must fail to leave the state it shows (a failed concurrent build)
_EXPECT_FAIL = "-- expect: this file fails"
#: How a fix says that what follows belongs in a later migration file
_LATER = re.compile(
    r"^-- (?:in a later migration|then, in the next migration(?: file)?|in a migration file "
    r"of its own):?\s*$",
    re.M,
)


def example_files(sql: str) -> dict[str, str]:
    parts = _FILE_MARK.split(sql)
    if len(parts) == 1:
        return {"20240101000000_example.sql": sql}
    return {parts[i]: parts[i + 1].lstrip("\n") for i in range(1, len(parts), 2)}


@dataclass
class Linted:
    """One migration set replayed into a fresh database, and the rule's findings on it."""

    conn: psycopg.Connection
    project: Project
    findings: list[Finding]


def lint_files(rule: Rule, files: dict[str, str], dbs: ExampleDatabases, root: Path) -> Linted:
    """Replay ``files`` under ``root`` on a fresh database and run ``rule``; the connection
    stays open (autocommit) so that fixes can be applied to the same database."""
    write_migrations(root, {k: v for k, v in files.items() if MIGRATION_NAME.match(k)})
    for name, content in files.items():  # e.g. workload.sql, beside supabase/
        if not MIGRATION_NAME.match(name):
            (root / name).write_text(content, encoding="utf-8")
    project = load_project(root)
    expected_to_fail = {name for name, text in files.items() if _EXPECT_FAIL in text}
    conn = dbs.new()
    result = replay(conn, project, keep_going=bool(expected_to_fail))
    assert {f.filename for f in result.failed} == expected_to_fail, [
        f.failure for f in result.failed
    ]
    conn.autocommit = True
    return Linted(conn, project, lint_again(rule, conn, project, result))


def lint_again(
    rule: Rule, conn: psycopg.Connection, project: Project, result: ReplayResult | None = None
) -> list[Finding]:
    catalog = replace(read_catalog(conn), origins=compute_origins(project.files))
    sandbox = Sandbox.beside(conn)  # the rules that confirm on the server use it
    try:
        context = LintContext(catalog=catalog, project=project, replay=result, sandbox=sandbox)
        return list(rule.run(context))
    finally:
        sandbox.close()


def findings_for(rule: Rule, sql: str, dbs: ExampleDatabases, tmp_path: Path) -> list[str]:
    linted = lint_files(rule, example_files(sql), dbs, tmp_path)
    linted.conn.close()
    return [f"{f.object}: {f.message} ({f.location})" for f in linted.findings]


# --- docstring examples ----------------------------------------------------------------------


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


# --- layout ----------------------------------------------------------------------------------


def test_each_rule_module_registers_one_rule_named_like_its_file() -> None:
    seen = 0
    for family in pkgutil.iter_modules(pgvet.rules.__path__):
        if not family.ispkg:
            continue
        package = importlib.import_module(f"pgvet.rules.{family.name}")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name == "common":
                continue
            assert pgvet.rules.RULE_MODULE.fullmatch(info.name), (
                f"{package.__name__}.{info.name}: a rule module is <code>_<name>.py"
            )
            module = f"{package.__name__}.{info.name}"
            registered = [r for r in REGISTRY.values() if r.fn.__module__ == module]
            assert len(registered) == 1, f"{module} registers {len(registered)} rules"
            (rule,) = registered
            assert info.name == f"{rule.code.lower()}_{rule.name.replace('-', '_')}", module
            seen += 1
    assert seen == len(REGISTRY)


# --- golden cases and their fixes --------------------------------------------------------------


def _cases() -> list[tuple[Rule, Path]]:
    by_folder = {f"{r.code.lower()}_{r.name.replace('-', '_')}": r for r in REGISTRY.values()}
    out = []
    for folder in sorted(p for p in CASES_DIR.iterdir() if p.is_dir()):
        assert folder.name in by_folder, f"{folder}: no rule is named like this folder"
        out += [(by_folder[folder.name], case) for case in sorted(folder.glob("*.sql"))]
    return out


CASES = _cases()


def _golden(findings: list[Finding]) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for f in findings:
        doc = {"object": f.object, "location": f.location, "message": f.message, "fix": f.fix}
        if f.advice is not None:
            doc["advice"] = f.advice
        out.append(doc)
    return out


@pytest.mark.parametrize(
    ("rule", "case"), CASES, ids=[f"{c.parent.name}/{c.stem}" for _, c in CASES]
)
def test_golden_case(rule: Rule, case: Path, example_dbs: ExampleDatabases, tmp_path: Path) -> None:
    files = example_files(case.read_text(encoding="utf-8"))
    linted = lint_files(rule, files, example_dbs, tmp_path / "project")
    golden = case.with_suffix(".expected.json")
    found = _golden(linted.findings)
    try:
        if UPDATE:
            golden.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", "utf-8")
        else:
            assert golden.exists(), f"no {golden.name}: run with PGVET_UPDATE_GOLDENS=1"
            assert found == json.loads(golden.read_text(encoding="utf-8"))
        for finding in linted.findings:
            if finding.fix is not None or finding.advice is not None:
                _assert_fix_works(rule, finding, files, linted, example_dbs, tmp_path)
    finally:
        linted.conn.close()


def _assert_fix_works(
    rule: Rule,
    finding: Finding,
    files: dict[str, str],
    linted: Linted,
    dbs: ExampleDatabases,
    tmp_path: Path,
) -> None:
    if finding.fix is not None:
        # a schema fix is SQL only: a comment would be a condition lost when it is written
        assert split_sql(finding.fix) and "--" not in finding.fix, finding.fix
        assert not rule.history, f"{rule.name}: a history rule gives advice, not a fix"
    sql = finding.fix if finding.fix is not None else finding.advice
    assert sql is not None
    if not split_sql(sql):
        # advice, not SQL (rotate a leaked secret): only rules not marked fixable give it
        assert not rule.fixable, f"{rule.name}: a fixable rule's fix holds no statement"
        return
    if "migrations" in rule.requires:
        # the fix replaces the statement the finding is on; the parts it says belong in
        # later migrations become files of their own after it; then the project is replayed
        migration = linted.project.file_named(finding.file or "")
        assert migration is not None and finding.line is not None, finding
        stmt = next(s for s in migration.statements if s.line == finding.line)
        first, *later = _LATER.split(sql)
        rewritten = dict(files)
        rewritten[migration.filename] = files[migration.filename].replace(stmt.text, first, 1)
        for n, part in enumerate(later, start=1):
            rewritten[f"{int(migration.version) + n}_fix_{n}.sql"] = part
        again = lint_files(rule, rewritten, dbs, tmp_path / f"fixed-{finding.fingerprint}")
        again.conn.close()
        after = again.findings
    else:
        for statement in split_sql(sql):
            linted.conn.execute(statement.text)
        after = lint_again(rule, linted.conn, linted.project)
    assert finding.fingerprint not in {f.fingerprint for f in after}, (
        f"{finding.object}: still found after its fix\n{sql}"
    )
