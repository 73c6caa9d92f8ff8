"""`pgvet lint` judges what is being deployed, reports replay failures as findings, and
stays readable at scale (#11).

* Migration-safety findings on files already deployed are folded as history: which files
  are being deployed comes from ``--changed-since REF`` (a real git repository in
  tmp_path), ``[lint] migrations_since`` or ``--db URL`` (a real sandbox with
  ``supabase_migrations.schema_migrations``); without them every file is history.
* A file that fails to replay is a ``replay-failed`` finding, and the exit code comes from
  the findings alone (``--fail-on never`` exits 0; a baseline accepts a broken history).
* The text report opens with a summary and lists at most ``--max-per-rule`` per rule.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import write_migrations
from pgvet.sandbox import cluster


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``pgvet ARGS`` in this process (typer's CliRunner) as a finished process; an
    exception that escaped the command (a traceback for the user) fails the test."""
    from typer.testing import CliRunner

    from pgvet.cli.main import app

    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(
        ["pgvet", *args], result.exit_code, result.stdout, result.stderr
    )


CREATE = "create table public.bookings (id bigint primary key, customer_id uuid, note text);\n"
INDEX = "create index idx_bookings_customer_id on public.bookings (customer_id);\n"
INDEX_NOTE = "create index idx_bookings_note on public.bookings (note);\n"

DEPLOYED = {
    "20240101000000_create_bookings.sql": CREATE,
    "20240201000000_index_customer.sql": INDEX,
}
NEW = {"20240301000000_index_note.sql": INDEX_NOTE}


def lint_json(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    done = run_cli("lint", *args, "--format", "json", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def m401(doc: dict) -> dict[str, bool]:
    """index-without-concurrently findings: file → whether folded as history."""
    return {
        f["file"]: f["history"]
        for f in doc["findings"]
        if f["rule"] == "index-without-concurrently"
    }


def test_without_scope_every_file_is_history(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, {**DEPLOYED, **NEW})
    code, doc = lint_json(str(root), "--fail-on", "warn", "--rule", "M401")
    assert m401(doc) == {
        "20240201000000_index_customer.sql": True,
        "20240301000000_index_note.sql": True,
    }
    assert doc["summary"]["history"] == 2 and doc["summary"]["warn"] == 0
    assert code == 0  # folded findings are not judged by --fail-on
    text = run_cli("lint", str(root), "--rule", "M401")
    assert "index-without-concurrently: 2 findings on migrations already in history" in text.stdout
    assert "History: 2 findings on migrations already in history" in text.stdout
    assert "--changed-since REF" in text.stdout
    assert "idx_bookings_note" not in text.stdout  # folded: one line per rule
    markdown = run_cli("lint", str(root), "--rule", "M401", "-f", "markdown").stdout
    assert "### History: 2 findings on migrations already in history" in markdown
    assert "- index-without-concurrently: 2 findings" in markdown
    assert "idx_bookings_note" not in markdown
    sarif = json.loads(run_cli("lint", str(root), "--rule", "M401", "-f", "sarif").stdout)
    assert sarif["runs"][0]["results"] == []


def test_migrations_since_judges_the_later_files(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, {**DEPLOYED, **NEW})
    (root / "pgvet.toml").write_text('[lint]\nmigrations_since = "20240301"\n')
    code, doc = lint_json(str(root), "--fail-on", "warn", "--rule", "M401")
    assert m401(doc) == {
        "20240201000000_index_customer.sql": True,
        "20240301000000_index_note.sql": False,
    }
    assert code == 1 and doc["summary"]["warn"] == 1
    assert doc["scope"] == "[lint] migrations_since = 20240301"
    (root / "pgvet.toml").write_text("[lint]\nmigrations_since = 20240301\n")
    done = run_cli("lint", str(root))
    assert done.returncode == 2 and "migrations_since" in done.stderr


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        timeout=30,
    )


def test_changed_since_a_git_ref(tmp_path: Path) -> None:
    root = write_migrations(tmp_path / "repo", DEPLOYED)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "deployed")
    write_migrations(root, NEW)  # untracked: git diff alone would not list it
    code, doc = lint_json(
        str(root), "--changed-since", "HEAD", "--fail-on", "warn", "--rule", "M401"
    )
    assert m401(doc) == {
        "20240201000000_index_customer.sql": True,
        "20240301000000_index_note.sql": False,
    }
    assert code == 1
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "new")
    code, doc = lint_json(str(root), "--changed-since", "HEAD~1", "--rule", "M401")
    assert m401(doc)["20240301000000_index_note.sql"] is False
    assert m401(doc)["20240201000000_index_customer.sql"] is True
    code, doc = lint_json(str(root), "--changed-since", "HEAD", "--rule", "M401")
    assert set(m401(doc).values()) == {True}  # nothing changed since HEAD


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-ref", "could not find revision 'no-such-ref'"),
        ("--output=x", "not a git revision"),
    ],
)
def test_changed_since_bad_ref_is_a_clear_error(tmp_path: Path, ref: str, message: str) -> None:
    root = write_migrations(tmp_path / "repo", DEPLOYED)
    _git(root, "init", "-q")
    done = run_cli("lint", str(root), f"--changed-since={ref}")
    assert done.returncode == 2, done.stdout
    assert message in done.stderr and "Traceback" not in done.stderr


def test_changed_since_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    root = write_migrations(tmp_path / "plain", DEPLOYED)
    done = run_cli("lint", str(root), "--changed-since", "HEAD")
    assert done.returncode == 2
    assert "not in a git repository" in done.stderr


def test_db_judges_the_files_not_in_schema_migrations(
    tmp_path: Path, sandbox_factory: Callable[[int | None], cluster.Server]
) -> None:
    server = sandbox_factory(None)
    with server.connect() as conn:
        conn.execute(CREATE)
        conn.execute(INDEX)
        conn.execute("create schema if not exists supabase_migrations")
        conn.execute(
            "create table if not exists supabase_migrations.schema_migrations "
            "(version text primary key)"
        )
        conn.execute("delete from supabase_migrations.schema_migrations")
        conn.execute(
            "insert into supabase_migrations.schema_migrations values "
            "('20240101000000'), ('20240201000000')"
        )
        conn.commit()
    root = write_migrations(tmp_path, {**DEPLOYED, **NEW})
    code, doc = lint_json(
        str(root), "--db", server.conninfo(), "--rule", "M401", "--fail-on", "warn"
    )
    assert m401(doc) == {
        "20240201000000_index_customer.sql": True,
        "20240301000000_index_note.sql": False,
    }
    assert code == 1
    assert doc["scope"] == "files not in --db's supabase_migrations.schema_migrations"


def test_db_gives_each_new_statement_its_lock_against_the_live_table(
    tmp_path: Path, sandbox_factory: Callable[[int | None], cluster.Server]
) -> None:
    """#15: ``lint PATH --db``: each statement not yet deployed with its lock level against
    the live table's size and write rate, also on the findings about it."""
    server = sandbox_factory(None)
    with server.connect() as conn:
        conn.execute(CREATE)
        conn.execute(INDEX)
        conn.execute(
            "insert into public.bookings select g, gen_random_uuid(), 'n' "
            "from generate_series(1, 20000) g"
        )
        conn.execute("update public.bookings set note = 'm' where id <= 5000")
        conn.execute("analyze public.bookings")
        conn.execute("create schema if not exists supabase_migrations")
        conn.execute(
            "create table if not exists supabase_migrations.schema_migrations "
            "(version text primary key)"
        )
        conn.execute("delete from supabase_migrations.schema_migrations")
        conn.execute(
            "insert into supabase_migrations.schema_migrations values "
            "('20240101000000'), ('20240201000000')"
        )
        conn.commit()
        conn.execute("select pg_stat_force_next_flush()")
    new = {
        "20240301000000_index_note.sql": INDEX_NOTE
        + "alter table public.bookings alter column note set not null;\n"
        + "create table public.refunds (id bigint primary key, "
        + "booking_id bigint references public.bookings (id));\n"
    }
    root = write_migrations(tmp_path, {**DEPLOYED, **new})
    code, doc = lint_json(str(root), "--db", server.conninfo(), "--fail-on", "never")
    assert code == 0
    locks = {(x["line"], x["table"]): x for x in doc["deploy_locks"]}
    index = locks[(1, "public.bookings")]
    assert (index["lock"], index["work"], index["blocks"]) == ("SHARE", "index build", "writes")
    assert index["rows"] == 20000 and index["bytes"] > 1_000_000
    assert index["writes_per_second"] > 0
    not_null = locks[(2, "public.bookings")]
    assert (not_null["lock"], not_null["work"]) == ("ACCESS EXCLUSIVE", "full scan")
    assert not_null["risk"] == "blocks reads and writes for the whole full scan"
    new_table = locks[(3, "public.bookings")]  # its foreign key locks the referenced table
    assert new_table["lock"] == "SHARE ROW EXCLUSIVE"
    [finding] = [
        f
        for f in doc["findings"]
        if f["rule"] == "index-without-concurrently" and f["file"].startswith("20240301")
    ]
    assert "[on the live database: SHARE on public.bookings: " in finding["message"]
    assert finding["data"]["live"][0]["rows"] == 20000
    text = run_cli("lint", str(root), "--db", server.conninfo(), "--fail-on", "never").stdout
    assert "Locks of the statements not yet deployed" in text


BROKEN = {
    **DEPLOYED,
    # fails for good: the column never exists (also in a later pass of --keep-going)
    "20240215000000_broken.sql": "create index idx_bookings_gone on public.bookings (gone);\n",
}


def test_replay_failure_is_a_finding_and_fail_on_decides(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, BROKEN)
    code, doc = lint_json(str(root), "--rule", "replay-failed")
    (finding,) = doc["findings"]
    assert finding["rule"] == "replay-failed" and finding["level"] == "error"
    assert finding["location"] == "20240215000000_broken.sql:1"
    assert finding["data"]["sqlstate"] == "42703"
    assert '"gone" does not exist' in finding["message"]
    assert code == 1
    done = run_cli("lint", str(root), "--fail-on", "never")
    assert done.returncode == 0, done.stdout  # was always 1 when the replay failed
    done = run_cli("lint", str(root), "--rule", "M401", "--fail-on", "error")
    assert done.returncode == 0  # replay-failed not selected: nothing at error


def test_legacy_adoption_passes_with_a_baseline_on_a_broken_history(tmp_path: Path) -> None:
    """README's flow: accept today's findings (the broken file too), then CI fails only on
    new ones. --keep-going replays the files after the broken one, so a new file is
    judged; in strict mode it would never run."""
    root = write_migrations(tmp_path, BROKEN)
    baseline = root / "pgvet-baseline.json"
    done = run_cli("lint", str(root), "--keep-going", "--write-baseline", str(baseline))
    assert done.returncode == 0
    assert "replay-failed" in baseline.read_text()
    done = run_cli("lint", str(root), "--keep-going", "--fail-on", "warn")
    assert done.returncode == 0, done.stdout  # the baseline in the project root is found
    write_migrations(root, {"20240401000000_new_broken.sql": "select nope;\n"})
    done = run_cli("lint", str(root), "--keep-going", "--fail-on", "warn")
    assert done.returncode == 1
    assert "20240401000000_new_broken.sql:1" in done.stdout
    assert "20240215000000_broken.sql" not in done.stdout  # accepted by the baseline


def test_m410_not_resting_on_a_failed_file(tmp_path: Path) -> None:
    root = write_migrations(
        tmp_path,
        {
            "20240101000000_create.sql": "create table public.t (a int, b int);\n",
            "20240201000000_fails.sql": "create index if not exists idx_t on public.t (a);\n"
            "select 1 / 0;\n",
            "20240301000000_other.sql": "create index if not exists idx_t on public.t (b);\n",
        },
    )
    _, doc = lint_json(str(root), "--keep-going", "--rule", "M410", "--rule", "M413")
    rules = [(f["rule"], f["file"]) for f in doc["findings"]]
    assert rules == [("replay-failed", "20240201000000_fails.sql")]


def test_m401_not_for_a_table_a_later_file_creates(tmp_path: Path) -> None:
    root = write_migrations(
        tmp_path,
        {
            "20240101000000_index_first.sql": INDEX,  # fails: the table comes later
            "20240201000000_create.sql": CREATE,
        },
    )
    (root / "pgvet.toml").write_text('[lint]\nmigrations_since = "0"\n')
    _, doc = lint_json(str(root), "--rule", "M401", "--rule", "M413")
    assert [(f["rule"], f["data"].get("sqlstate")) for f in doc["findings"]] == [
        ("replay-failed", "42P01")
    ]


def test_text_opens_with_a_summary_and_bounds_each_rule(tmp_path: Path) -> None:
    tables = "".join(
        f"create table public.t{i} (id bigint primary key, parent bigint references public.t0);\n"
        for i in range(6)
    )
    root = write_migrations(tmp_path, {"20240101000000_tables.sql": tables})
    done = run_cli("lint", str(root), "--rule", "unindexed-foreign-key", "--max-per-rule", "2")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("pgvet lint: 6 findings (0 error, 6 warn, 0 info)")
    assert "by rule: unindexed-foreign-key 6" in done.stdout
    assert "most findings: public.t0 1" in done.stdout
    assert "… and 4 more unindexed-foreign-key findings" in done.stdout
    listed = [line for line in lines if line.startswith("  20240101000000_tables.sql")]
    assert len(listed) == 2
    markdown = run_cli(
        "lint",
        str(root),
        "--rule",
        "unindexed-foreign-key",
        "--max-per-rule",
        "2",
        "-f",
        "markdown",
    ).stdout
    assert markdown.count("| `20240101000000_tables.sql") == 2
    assert "… and 4 more unindexed-foreign-key findings" in markdown
    _, doc = lint_json(str(root), "--rule", "unindexed-foreign-key", "--max-per-rule", "2")
    assert len(doc["findings"]) == 6  # JSON keeps all
    done = run_cli("lint", str(root), "--rule", "unindexed-foreign-key", "--max-per-rule", "0")
    assert len([x for x in done.stdout.splitlines() if x.startswith("  2024")]) == 6
