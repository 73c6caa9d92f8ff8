"""``--decode-bom`` / ``[replay] decode_bom`` on every command that replays a project.

By default a migration file with a byte-order mark fails as the Supabase CLI fails it;
each replaying command must let the user decode it instead, by option or by setting, and
mean the same by it. Each case replays a one-table project whose only file has a UTF-8
BOM: without the option the command reports the failed replay, with it the replay passes
and the command does its own work on the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_migrations

BOM_FILE = b"\xef\xbb\xbfcreate table public.a (id int primary key, note text);\n"


def bom_project(root: Path) -> Path:
    return write_migrations(root, {"20240101000000_a.sql": BOM_FILE})


#: command → (extra arguments, exit and what it says when the replay failed, then passed)
CASES = {
    "lint": (["-f", "json"], (1, "replay-failed"), (1, "rls-disabled-in-public")),
    "fix": (["--dry-run"], (2, "do not replay"), (0, "enable row level security")),
    "types": ([], (1, "UTF-8 byte-order mark"), (0, "a: {")),
    "data": (["--rows", "5", "-f", "json"], (2, "do not replay"), (0, '"rows": 5')),
    "rls": (["--no-seed"], (1, "do not replay"), (None, "")),
    "workload": (["--rows", "5"], (2, "do not replay"), (2, "no workload file")),
    "advise": (["--rows", "5", "-n", "1", "-c", "1"], (2, "do not replay"), (2, "no workload")),
}


def _command(name: str) -> list[str]:
    return ["rls", "test"] if name == "rls" else [name]


@pytest.mark.parametrize("name", list(CASES))
def test_decode_bom_option_and_setting(tmp_path: Path, name: str) -> None:
    extra, (failed_code, failed_says), (passed_code, passed_says) = CASES[name]
    root = bom_project(tmp_path)
    strict = run_cli(*_command(name), str(root), *extra)
    assert strict.returncode == failed_code, strict.stderr
    assert failed_says in strict.stdout + strict.stderr
    for how in (["--decode-bom"], []):
        if not how:  # the same through pgvet.toml
            (root / "pgvet.toml").write_text("[replay]\ndecode_bom = true\n", encoding="utf-8")
        decoded = run_cli(*_command(name), str(root), *extra, *how)
        output = decoded.stdout + decoded.stderr
        assert "do not replay" not in output and "byte-order mark" not in decoded.stdout
        if passed_code is not None:
            assert decoded.returncode == passed_code, output
        assert passed_says in output
    if name == "rls":  # replayed, then tested: the table is read as every persona
        assert "shared table(s) have no tenant" in output and "public.a" in output


@pytest.mark.parametrize("name", ["types", "rls"])
def test_decode_bom_is_refused_with_db(name: str) -> None:
    args = [*_command(name), "--db", "postgresql:///x?host=/nonexistent", "--decode-bom"]
    if name == "rls":
        args.append("--i-understand-this-writes")
    result = run_cli(*args)
    assert result.returncode == 2 and "--decode-bom apply to a replay, not --db" in result.stderr


def test_backup_verify_project_decodes_as_the_project_says(tmp_path: Path) -> None:
    """backup verify --project replays the project as every command does: --decode-bom, or
    the project's own [replay] decode_bom."""
    from backup_dumps import supabase_dump

    from pgvet.replay.limits import Limits
    from pgvet.replay.session import replayed_project

    root = bom_project(tmp_path / "p")
    with replayed_project(root, limits=Limits(decode_bom=True)) as session:
        assert session.result.ok
        session.conn.execute("insert into public.a values (1, 'one'), (2, 'two')")
        files = [str(f) for f in supabase_dump(session.server, tmp_path / "dump")]
    verify = ["backup", "verify", *files, "--project", str(root), "-f", "json"]
    strict = run_cli(*verify, "--no-seed")
    assert strict.returncode == 2 and "the migrations do not replay" in strict.stderr
    decoded = run_cli(*verify, "--no-seed", "--decode-bom")
    assert decoded.returncode == 1, decoded.stderr  # replayed; the rows differ (no seed)
    differences = json.loads(decoded.stdout)["differences"]
    assert any("public.a" in json.dumps(d) for d in differences)
    (root / "pgvet.toml").write_text("[replay]\ndecode_bom = true\n", encoding="utf-8")
    assert run_cli(*verify, "--no-seed").returncode == 1
    against = run_cli("backup", "verify", *files, "--against", "x", "--decode-bom")
    assert against.returncode == 2 and "--decode-bom applies to the replay of --project" in (
        against.stderr
    )


def test_backup_drill_project_decodes_as_the_project_says(tmp_path: Path) -> None:
    root = bom_project(tmp_path / "p")
    drill = ["backup", "drill", "--project", str(root), "--tool", "basebackup"]
    drill += ["--target", "time", "--rows", "20", "--batches", "3", "-o", str(tmp_path / "rb.md")]
    strict = run_cli(*drill)
    assert strict.returncode == 2 and "the migrations do not replay" in strict.stderr
    decoded = run_cli(*drill, "--decode-bom")
    assert decoded.returncode == 0, decoded.stderr
    assert "drill passed" in decoded.stdout + decoded.stderr
    assert (
        "--decode-bom applies to the replay of --project"
        in run_cli("backup", "drill", "--decode-bom").stderr
    )
