"""Untrusted projects: files that point outside the project are refused, never printed.

pgvet runs in CI on pull requests; a migration, seed or config file there may be a symlink
to a secret on the runner. Each case runs the real CLI in-process (and real PostgreSQL
where a replay happens).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app
from pgvet.report.jsondoc import STATEMENT_LIMIT

SECRET = "TOP-SECRET-0f9e8d7c"
SHADOW = Path("/etc/shadow")


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr; wide, so that no line wrap hides a leaked secret."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root inside ``tmp_path`` with one good migration."""
    return write_migrations(
        tmp_path / "project", {"1_init.sql": "create table public.notes (id int primary key);\n"}
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to the project, not in it, holding a secret."""
    path = tmp_path / "outside.sql"
    path.write_text(f"-- {SECRET}\nselect '{SECRET}' from nowhere;\n", encoding="utf-8")
    return path


def _targets(outside: Path) -> list[Path]:
    return [outside, *([SHADOW] if SHADOW.exists() else [])]


def _assert_refused(code: int, out: str, err: str, name: str, secrets: list[str]) -> None:
    assert code == 2, (out, err)
    assert name in err and "points outside the project" in err
    assert "Traceback" not in out + err
    flat = (out + err).replace("\n", "")
    for secret in secrets:
        assert secret not in flat


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_migration_symlink_outside_is_refused(project: Path, outside: Path, fmt: str) -> None:
    for target in _targets(outside):
        link = project / "supabase" / "migrations" / "2_evil.sql"
        link.unlink(missing_ok=True)
        link.symlink_to(target)
        lines = [line for line in target.read_text().splitlines() if len(line) > 8]
        for command in ("replay", "lint"):
            code, out, err = run(command, str(project), "--format", fmt)
            _assert_refused(code, out, err, "2_evil.sql", [SECRET, *lines])


def test_symlink_inside_the_project_is_fine(project: Path) -> None:
    shared = project / "sql" / "shared.sql"
    shared.parent.mkdir()
    shared.write_text("create table public.shared (id int primary key);\n", encoding="utf-8")
    (project / "supabase" / "migrations" / "2_shared.sql").symlink_to(shared)
    code, out, err = run("replay", str(project), "--format", "json")
    assert code == 0, err
    assert [f["status"] for f in json.loads(out)["files"]] == ["applied", "applied"]


def test_migrations_folder_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    elsewhere = write_migrations(tmp_path / "elsewhere", {"1_x.sql": f"select '{SECRET}';\n"})
    root = tmp_path / "project"
    (root / "supabase").mkdir(parents=True)
    (root / "supabase" / "migrations").symlink_to(elsewhere / "supabase" / "migrations")
    code, out, err = run("replay", str(root), "--format", "json")
    _assert_refused(code, out, err, "migrations", [SECRET])


def test_dangling_symlink_is_an_unreadable_file(project: Path) -> None:
    (project / "supabase" / "migrations" / "2_gone.sql").symlink_to(project / "missing.sql")
    code, out, err = run("replay", str(project), "--format", "json")
    assert code == 1, err
    failure = json.loads(out)["files"][1]["failure"]
    assert failure["file"] == "2_gone.sql" and "cannot be read" in failure["message"]


def test_seed_outside_is_refused(project: Path, outside: Path) -> None:
    (project / "supabase" / "config.toml").write_text(
        '[db.seed]\nsql_paths = ["../../outside.sql"]\n', encoding="utf-8"
    )
    for args in (("rls", "test", str(project)), ("replay", str(project))):
        code, out, err = run(*args)
        _assert_refused(code, out, err, "outside.sql", [SECRET])
        assert "seed file" in err


def test_seed_symlink_outside_is_refused(project: Path, outside: Path) -> None:
    for target in _targets(outside):
        seed = project / "supabase" / "seed.sql"
        seed.unlink(missing_ok=True)
        seed.symlink_to(target)
        code, out, err = run("rls", "test", str(project), "--format", "json")
        _assert_refused(code, out, err, "seed.sql", [SECRET])


def test_absolute_seed_path_is_a_clear_error(project: Path, outside: Path) -> None:
    (project / "supabase" / "config.toml").write_text(
        f'[db.seed]\nsql_paths = ["{outside}"]\n', encoding="utf-8"
    )
    code, out, err = run("rls", "test", str(project))
    assert code == 2 and "is not a relative path" in err and "Traceback" not in out + err


def test_supabase_config_outside_is_refused(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[db]\nmajor_version = 15\n", encoding="utf-8")
    (project / "supabase" / "config.toml").symlink_to(config)
    code, out, err = run("replay", str(project))
    _assert_refused(code, out, err, "config.toml", [])


def test_discovered_pgvet_toml_outside_is_refused(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "shared.toml"
    config.write_text(f'tenant_columns = ["{SECRET}"]\nnot_a_setting = 1\n', encoding="utf-8")
    (project / "pgvet.toml").symlink_to(config)
    code, out, err = run("lint", str(project))
    _assert_refused(code, out, err, "pgvet.toml", [SECRET])


def test_explicit_config_may_live_anywhere(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "elsewhere" / "pgvet.toml"
    config.parent.mkdir()
    config.write_text('tenant_columns = ["org_id"]\n', encoding="utf-8")
    code, _, err = run("lint", str(project), "--config", str(config), "--fail-on", "never")
    assert code == 0, err


def test_workload_outside_is_refused(project: Path, outside: Path) -> None:
    (project / "pgvet.toml").write_text(f'[lint]\nworkload = "{outside}"\n', encoding="utf-8")
    code, out, err = run("lint", str(project), "--format", "json")
    _assert_refused(code, out, err, "outside.sql", [SECRET])


def test_json_statement_is_capped(project: Path) -> None:
    statement = "select " + " + ".join(["1"] * 3000) + " + nope"
    (project / "supabase" / "migrations" / "2_long.sql").write_text(statement + ";\n")
    code, out, err = run("replay", str(project), "--format", "json")
    assert code == 1, err
    failure = json.loads(out)["files"][1]["failure"]
    shown = failure["statement"]
    assert shown.startswith("select 1 + 1")
    assert shown.endswith(f"… [{len(statement) - STATEMENT_LIMIT} more characters]")
    assert len(shown) < STATEMENT_LIMIT + 40
    code, out, err = run("replay", str(project), "--format", "markdown")
    assert code == 1 and "nope" in out and len(out) < 4000
