"""The command line as a user meets it: exit codes, formats, clear errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli, write_migrations


def pgvet(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pgvet", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_help_lists_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("replay", "inventory", "lint", "rules", "fix"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["replay", "/nonexistent/folder"], "no such folder"),
        (["inventory", "/nonexistent/folder"], "no such folder"),
        (["lint"], "give a project PATH or --db URL"),
        (["lint", "--db", "postgresql://bob:s3cret@127.0.0.1:1/nodb"], "could not connect"),
        (["rules", "no-such-rule"], "no rule named"),
    ],
)
def test_bad_input_is_a_clear_error(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "s3cret" not in result.stderr + result.stdout


def test_replay_exit_codes_and_formats(tmp_path: Path) -> None:
    good = write_migrations(
        tmp_path / "good", {"20240101000000_a.sql": "create table a (id int);\n"}
    )
    result = run_cli("replay", str(good), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"]["applied"] == 1 and doc["mode"] == "strict"
    bad = write_migrations(
        tmp_path / "bad",
        {
            "20240101000000_a.sql": "create table a (id int);\n",
            "20240102000000_b.sql": "select nope;\n",
        },
    )
    result = run_cli("replay", str(bad))
    assert result.returncode == 1
    assert "20240102000000_b.sql:1:8" in result.stdout
    assert "42703" in result.stdout
    result = run_cli("replay", str(bad), "--format", "markdown")
    assert result.returncode == 1
    assert "#### `20240102000000_b.sql:1:8`" in result.stdout


def test_undecodable_file_names_the_byte(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, {"20240101000000_a.sql": b"select 1;\n-- caf\xe9\n"})
    result = run_cli("replay", str(root), "--format", "json")
    assert result.returncode == 1
    (failed,) = [f for f in json.loads(result.stdout)["files"] if f["failure"]]
    assert failed["failure"]["message"].startswith("not valid UTF-8 at byte 16 (line 2)")
