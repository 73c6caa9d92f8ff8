"""Monorepos, `[replay] prelude` and never-reached objects through the real CLI: exit codes,
messages, and every report marking what is not a migration or was not reviewed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli, write_migrations
from pgvet.errors import InputError
from pgvet.replay.project import load_project


def pgvet(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in-process: these tests are about its output and exit codes."""
    return run_cli(*args)


def test_monorepo_root_finds_its_one_supabase_folder(tmp_path: Path) -> None:
    write_migrations(tmp_path / "apps" / "web", {"1_a.sql": "select 1;\n"})
    write_migrations(tmp_path / "node_modules" / "pkg", {"1_b.sql": "select 2;\n"})
    write_migrations(tmp_path / "apps" / "web" / "dist", {"1_c.sql": "select 3;\n"})
    project = load_project(tmp_path)
    assert project.supabase_dir == tmp_path / "apps" / "web" / "supabase"
    assert project.root == tmp_path / "apps" / "web"
    assert [f.filename for f in project.files] == ["1_a.sql"]


def test_monorepo_with_several_supabase_folders_asks_for_one(tmp_path: Path) -> None:
    write_migrations(tmp_path / "apps" / "web", {"1_a.sql": "select 1;\n"})
    write_migrations(tmp_path / "packages" / "db", {"1_b.sql": "select 2;\n"})
    with pytest.raises(InputError, match="2 supabase/ folders below this one"):
        load_project(tmp_path)
    result = pgvet("replay", str(tmp_path))
    assert result.returncode == 2
    assert "apps/web/supabase" in result.stderr and "packages/db/supabase" in result.stderr
    assert "Traceback" not in result.stderr


def project_with_prelude(root: Path) -> Path:
    write_migrations(
        root,
        {
            "1_use.sql": "create index on handmade (id);\n",
            "2_broken.sql": "create table lost (id int);\nselect nope;\n",
            "3_later.sql": "create index on lost (id);\n",
        },
    )
    (root / "sql").mkdir()
    (root / "sql" / "handmade.sql").write_text("create table handmade (id int);\n")
    (root / "pgvet.toml").write_text('[replay]\nprelude = ["sql/handmade.sql"]\n')
    return root


def test_prelude_and_never_reached_in_replay_reports(tmp_path: Path) -> None:
    root = project_with_prelude(tmp_path)
    doc = json.loads(pgvet("replay", str(root), "--keep-going", "-f", "json").stdout)
    files = {f["file"]: f for f in doc["files"]}
    assert files["[prelude] sql/handmade.sql"]["prelude"] is True
    assert files["[prelude] sql/handmade.sql"]["status"] == "applied"
    assert files["1_use.sql"]["status"] == "applied"
    later = files["3_later.sql"]["failure"]
    assert later["location"] == "3_later.sql:1:17"
    assert later["pgvet_hint"].startswith(
        "relation lost is created at 2_broken.sql:1, which failed (at 2_broken.sql:2:8"
    )
    assert doc["never_reached"] == [
        {
            "kind": "table",
            "name": "public.lost",
            "why": "created at 2_broken.sql:1, in a file that failed",
        }
    ]
    text = pgvet("replay", str(root), "--keep-going")
    assert text.returncode == 1
    assert "prelude (hand-made prerequisite)" in text.stdout
    assert "Never reached the sandbox" in text.stdout and "public.lost" in text.stdout
    markdown = pgvet("replay", str(root), "--keep-going", "-f", "markdown").stdout
    assert "### Never reached the sandbox (not reviewed)" in markdown
    assert "prelude (hand-made prerequisite)" in markdown


def test_never_reached_in_the_inventory(tmp_path: Path) -> None:
    root = project_with_prelude(tmp_path)
    result = pgvet("inventory", str(root), "--keep-going")
    assert result.returncode == 1
    assert "after the prelude [prelude] sql/handmade.sql" in result.stdout
    assert "Never reached the sandbox" in result.stdout and "public.lost" in result.stdout
    doc = json.loads(pgvet("inventory", str(root), "--keep-going", "-f", "json").stdout)
    assert [u["name"] for u in doc["never_reached"]] == ["public.lost"]


def test_bad_prelude_setting_is_exit_2(tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_a.sql": "select 1;\n"})
    (tmp_path / "pgvet.toml").write_text('[replay]\nprelude = ["missing.sql"]\n')
    result = pgvet("replay", str(tmp_path))
    assert result.returncode == 2 and "missing.sql: no such file" in result.stderr
    (tmp_path / "pgvet.toml").write_text('[replay]\nprelude = "x.sql"\n')
    result = pgvet("replay", str(tmp_path))
    assert result.returncode == 2 and "expected a list of .sql paths" in result.stderr
    assert "Traceback" not in result.stderr


def test_decode_bom_option(tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_a.sql": b"\xef\xbb\xbfcreate table a (id int);\n"})
    strict = pgvet("replay", str(tmp_path))
    assert strict.returncode == 1 and "UTF-8 byte-order mark" in strict.stdout
    assert pgvet("replay", str(tmp_path), "--decode-bom").returncode == 0
