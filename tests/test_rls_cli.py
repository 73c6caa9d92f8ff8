"""`pgvet rls test` as a user meets it: exit codes, formats, --db on a disposable server,
clear errors without tracebacks or passwords; and the pytest plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from test_rls import BROKEN_DOCUMENTS, GOOD_DOCUMENTS, ORGS
from typer.testing import CliRunner

from conftest import default_major, write_migrations
from pgvet.replay.apply import replay
from pgvet.replay.project import load_project
from pgvet.rls.command import rls_app
from pgvet.sandbox import cluster

PERSONAS = """
[rls.personas.owner_a]
user = '''
select m.user_id from public.org_members m join public.orgs o on o.id = m.org_id
where o.name = 'Acme' and m.role = 'owner'
'''

[[rls.expect]]
persona = "owner_a"
table = "projects"
visible = "org_id = (select id from public.orgs where name = 'Acme')"
allow = ["select", "update"]

[[rls.expect]]
persona = "owner_a"
table = "projects"
target = "org_id <> (select id from public.orgs where name = 'Acme')"
deny = ["select", "insert", "update", "delete"]
"""

SEED = """
insert into auth.users (id, email) values
  ('00000000-0000-0000-0000-00000000000a', 'a@acme.test'),
  ('00000000-0000-0000-0000-00000000000b', 'b@globex.test');
insert into public.orgs (id, name) values
  ('0a000000-0000-0000-0000-000000000001', 'Acme'),
  ('0b000000-0000-0000-0000-000000000002', 'Globex');
insert into public.org_members values
  ('00000000-0000-0000-0000-00000000000a', '0a000000-0000-0000-0000-000000000001', 'owner'),
  ('00000000-0000-0000-0000-00000000000b', '0b000000-0000-0000-0000-000000000002', 'owner');
insert into public.projects (org_id, title) values
  ('0a000000-0000-0000-0000-000000000001', 'Apollo'),
  ('0a000000-0000-0000-0000-000000000001', 'Gemini'),
  ('0b000000-0000-0000-0000-000000000002', 'Vostok');
"""


def _project(root: Path, documents: str = GOOD_DOCUMENTS) -> Path:
    write_migrations(root, {"20240101000000_orgs.sql": ORGS, "20240102000000_docs.sql": documents})
    (root / "supabase" / "seed.sql").write_text(SEED, encoding="utf-8")
    (root / "pgvet.toml").write_text(PERSONAS, encoding="utf-8")
    return root


def invoke(*args: str):
    result = CliRunner().invoke(rls_app, ["test", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_passing_project_exits_0_with_every_format(tmp_path: Path) -> None:
    root = _project(tmp_path / "good")
    # public.audit cannot be filled (check (false)): by default that is inconclusive
    result = invoke(str(root), "--pg-version", "15")
    assert result.exit_code == 1, result.output
    assert "INCONCLUSIVE: 4 of 5 tenant tables tested (80%)" in result.output
    result = invoke(str(root), "--pg-version", "15", "--min-coverage", "80")
    assert result.exit_code == 0, result.output
    assert "every check passed" in result.output
    assert "coverage: 4 of 5 tenant tables isolation-tested; 1 not tested" in result.output
    assert "not tested: public.audit: unfillable" in result.output
    out = tmp_path / "report.json"
    assert invoke(str(root), "-f", "json", "-o", str(out), "--min-coverage", "80").exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["ok"] and doc["seeded"] and doc["summary"]["fail"] == 0
    kinds = {r["kind"] for r in doc["results"]}
    assert kinds == {"read", "expectation", "isolation", "anon"}
    owner = [r for r in doc["results"] if r["persona"] == "owner_a" and r["kind"] == "expectation"]
    assert {r["command"] for r in owner} == {"select", "insert", "update", "delete"}


def test_leak_exits_1_and_every_report_says_why(tmp_path: Path) -> None:
    root = _project(tmp_path / "bad", BROKEN_DOCUMENTS)
    result = invoke(str(root))
    assert result.exit_code == 1
    assert "public.documents" in result.output and '"members read documents"' in result.output
    junit = tmp_path / "rls.xml"
    assert invoke(str(root), "-f", "junit", "-o", str(junit)).exit_code == 1
    suites = ET.parse(junit).getroot()
    assert int(suites.get("failures", "0")) > 0
    failures = [case for case in suites.iter("testcase") if case.find("failure") is not None]
    coverage = [c for c in failures if c.get("name") == "coverage"]
    leaks = [c for c in failures if c.get("name") != "coverage"]
    assert all("public.documents" in c.get("classname", "") for c in leaks)
    assert "members read documents" in (leaks[0].find("failure").text or "")
    # public.audit cannot be filled: the run is inconclusive, and JUnit says so too
    assert len(coverage) == 1 and coverage[0].get("classname") == "rls.coverage"
    failure = coverage[0].find("failure")
    assert failure.get("message", "").startswith("INCONCLUSIVE: 4 of 5 tenant tables tested")
    assert "not tested: public.audit: unfillable" in (failure.text or "")
    md = tmp_path / "RLS_POLICY_TEST_SUITE.md"
    assert invoke(str(root), "-f", "markdown", "-o", str(md)).exit_code == 1
    text = md.read_text()
    for heading in (
        "## Personas",
        "## What each persona may do",
        "## What was tested",
        "## Failures",
    ):
        assert heading in text
    assert "`owner_a`" in text and "public.documents" in text and "**Result: FAIL**" in text


def test_no_seed_makes_sql_picked_personas_a_clear_error(tmp_path: Path) -> None:
    result = invoke(str(_project(tmp_path / "p")), "--no-seed")
    assert result.exit_code == 2
    assert "persona owner_a: the user query returned no row" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give a project PATH or --db URL"),
        (["/nonexistent/folder"], "no such folder"),
        (["--db", "postgresql://bob:s3cret@127.0.0.1:1/db"], "--i-understand-this-writes"),
        (
            ["--db", "postgresql://bob:s3cret@127.0.0.1:1/db", "--i-understand-this-writes"],
            "could not connect",
        ),
    ],
)
def test_bad_input_is_a_clear_error(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_db_mode_on_a_disposable_server_leaves_nothing_behind(
    tmp_path: Path, sandbox_factory: Callable[[int], cluster.Server]
) -> None:
    server = sandbox_factory(default_major())
    root = _project(tmp_path / "live", BROKEN_DOCUMENTS)
    with server.connect() as conn:
        assert replay(conn, load_project(root)).ok
        conn.execute(SEED)
        before = conn.execute(
            "select (select count(*) from auth.users), (select count(*) from public.projects)"
        ).fetchone()
    config = root / "pgvet.toml"
    result = invoke(
        "--db",
        server.conninfo(),
        "--i-understand-this-writes",
        "--config",
        str(config),
        "-f",
        "json",
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output[result.output.index("{") :])
    leaks = {(r["table"], r["command"]) for r in doc["results"] if r["status"] == "fail"}
    assert leaks == {("public.documents", "select")}
    assert not doc["seeded"]
    with server.connect() as conn:
        after = conn.execute(
            "select (select count(*) from auth.users), (select count(*) from public.projects)"
        ).fetchone()
        assert after == before
        # the test transaction's temporary functions are gone with it
        assert conn.execute(
            "select count(*) from pg_proc where proname like 'pgvet_%' "
            "and proname <> 'pgvet_platform_guard'"  # the sandbox's own, not the run's
        ).fetchone() == (0,)


PLUGIN_TEST = """
def test_owner_sees_own_projects(rls_persona):
    with rls_persona("owner_a") as db:
        titles = sorted(r[0] for r in db.execute("select title from public.projects"))
    assert titles == ["Apollo", "Gemini"]


def test_writes_are_rolled_back(rls_persona, pgvet_db):
    pgvet_db.execute("insert into public.orgs (name) values ('Initech')")
    with rls_persona("anon") as db:
        assert db.execute("select count(*) from public.orgs").fetchone()[0] == 0
    assert pgvet_db.execute("select count(*) from public.orgs").fetchone()[0] == 3


def test_nothing_leaked_from_the_previous_test(pgvet_db):
    assert pgvet_db.execute("select count(*) from public.orgs").fetchone()[0] == 2
"""


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    test_file = tmp_path / "suite" / "test_policies.py"
    test_file.parent.mkdir()
    test_file.write_text(PLUGIN_TEST, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "pgvet.rls.pytest_plugin",
            "--pgvet-project",
            str(root),
            "--pgvet-pg-version",
            "15",
            str(test_file),
        ],
        capture_output=True,
        text=True,
        cwd=test_file.parent,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_unknown_persona_role_is_a_clear_error(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    (root / "pgvet.toml").write_text(
        "[rls.personas.editor]\nrole = 'editor'\nsub = '00000000-0000-0000-0000-00000000000a'\n",
        encoding="utf-8",
    )
    result = invoke(str(root))
    assert result.exit_code == 2
    assert "persona editor: role editor does not exist" in result.output
