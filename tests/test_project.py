"""Reading a migrations folder: the CLI's rules, and what pgvet reports before running."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from conftest import CORPORA, write_migrations
from pgvet.errors import InputError
from pgvet.replay.preflight import notices
from pgvet.replay.project import load_project


def test_locates_root_supabase_and_migrations_folders() -> None:
    root = CORPORA / "basejump"
    for path in (root, root / "supabase", root / "supabase" / "migrations"):
        project = load_project(path)
        assert project.migrations_dir == root / "supabase" / "migrations"
        assert [f.version for f in project.files][:1] == ["20240414161707"]
        assert project.major_version == 15


def test_missing_folder_and_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        load_project(tmp_path / "nope")
    (tmp_path / "x.sql").write_text("select 1")
    with pytest.raises(InputError, match="is a file"):
        load_project(tmp_path / "x.sql")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no migrations found"):
        load_project(tmp_path / "empty")


def test_skips_versions_encodings_and_empty_files(tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "20240101000000_init.sql": "create table a (id int);\n",
            "20240101000000_again.sql": "create table b (id int);\n",
            "init.sql": "select 1;",
            "README.md": "notes",
            "archive/20230101000000_old.sql": "select 1;",
            "20240102000000_utf16.sql": codecs.BOM_UTF16_LE + "select 'é';\n".encode("utf-16-le"),
            "20240103000000_bad.sql": b"select 1;\nselect '\xff\xfe';\n",
            "20240104000000_empty.sql": "-- nothing yet\n\n",
            "20240105000000_conc.sql": "select 1;\ncreate index concurrently i on a (id);\n",
        },
    )
    project = load_project(tmp_path)
    assert [f.filename for f in project.files] == [
        "20240101000000_again.sql",
        "20240101000000_init.sql",
        "20240102000000_utf16.sql",
        "20240104000000_empty.sql",
        "20240105000000_conc.sql",
    ]
    reasons = {s.path.name: s.reason for s in project.skipped}
    assert "does not match" in reasons["init.sql"]
    assert "subfolder archive/" in reasons["20230101000000_old.sql"]
    assert reasons["README.md"] == "not a .sql file"
    assert project.duplicate_versions == (
        ("20240101000000", ("20240101000000_again.sql", "20240101000000_init.sql")),
    )
    (bad,) = project.unreadable
    assert "byte 18 (line 2)" in bad.message
    utf16 = project.file_named("20240102000000_utf16.sql")
    assert utf16 is not None and utf16.encoding == "utf-16"
    assert utf16.statements[0].text == "select 'é'"
    conc = project.file_named("20240105000000_conc.sql")
    assert conc is not None and [s.line for s in conc.non_transactional] == [2]
    text = "\n".join(f"{n.level} {n.file} {n.message}" for n in notices(project))
    assert "UTF-16" in text
    assert "empty: no SQL statement" in text
    assert "used by 2 files" in text
    assert "20240105000000_conc.sql:2" in text


def test_statements_know_line_and_column(tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {"1_a.sql": "-- header\n\ncreate table a (\n  id int\n);\n  /* c */ select 1;\n"},
    )
    (migration,) = load_project(tmp_path).files
    first, second = migration.statements
    assert (first.line, first.column, first.text) == (3, 1, "create table a (\n  id int\n)")
    assert (second.line, second.column, second.text) == (6, 11, "select 1")
    assert "-- header" in first.leading
