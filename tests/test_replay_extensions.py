"""A project that creates several extensions this sandbox cannot hears about all of them in
one message: the preflight warning, and the hint of the failure they cause, each with what
Supabase offers and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import have_major, missing_major, run_cli, write_migrations
from pgvet.replay.extensions import created_extensions
from pgvet.replay.project import load_project

THREE = {
    "20240101000000_geo.sql": "create extension if not exists postgis with schema extensions;\n"
    "create table public.places (id int primary key);\n",
    "20240102000000_route.sql": "-- routing\ncreate extension pgrouting;\n",
    "20240103000000_ts.sql": "create table public.t (id int);\n"
    'create extension if not exists "timescaledb";\n',
}


def _doc(root: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("replay", str(root), "-f", "json", *args)
    return result.returncode, json.loads(result.stdout)


def _failures(doc: dict) -> list[dict]:
    return [f["failure"] for f in doc["files"] if f["failure"]]


def test_created_extensions_are_read_with_their_places(tmp_path: Path) -> None:
    project = load_project(write_migrations(tmp_path, THREE))
    assert created_extensions(project.files) == {
        "postgis": ["20240101000000_geo.sql:1"],
        "pgrouting": ["20240102000000_route.sql:2"],
        "timescaledb": ["20240103000000_ts.sql:2"],
    }


def test_three_missing_extensions_in_one_message(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, THREE)
    code, doc = _doc(root)
    assert code == 1
    [warning] = [w for w in doc["warnings"] if "extension" in w]
    assert warning.startswith("the migrations create 3 extensions this sandbox cannot:")
    for name, where in (
        ("postgis", "20240101000000_geo.sql:1"),
        ("pgrouting", "20240102000000_route.sql:2"),
        ("timescaledb", "20240103000000_ts.sql:2"),
    ):
        assert f"extension {name} ({where}): Supabase offers it, this server has not" in warning
    major = int(doc["server"].split()[1].split(".")[0])
    assert f"install Debian's postgresql-{major}-postgis-3" in warning
    assert f"install Debian's postgresql-{major}-pgrouting" in warning
    assert "--keep-going reviews the rest" in warning
    # strict: the first failure stops the replay, and its hint names all three
    [failure] = _failures(doc)
    assert failure["file"] == "20240101000000_geo.sql" and failure["sqlstate"] == "0A000"
    assert failure["pgvet_hint"] == warning


def test_keep_going_gives_the_whole_message_once(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, THREE)
    code, doc = _doc(root, "--keep-going")
    assert code == 1
    hints = [f["pgvet_hint"] for f in _failures(doc)]
    assert len(hints) == 3 and hints[0].startswith("the migrations create 3 extensions")
    assert hints[1].startswith(
        "extension pgrouting (20240102000000_route.sql:2): Supabase offers it"
    )
    assert hints[2].startswith(
        "extension timescaledb (20240103000000_ts.sql:2): Supabase offers it"
    )
    assert "places" in {u["name"].split(".")[-1] for u in doc["never_reached"]}


def test_text_report_warns_before_the_replay(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, THREE)
    result = run_cli("replay", str(root))
    assert result.returncode == 1
    err = " ".join(result.stderr.split())
    assert "warning: the migrations create 3 extensions this sandbox cannot" in err
    assert "(1) extension postgis" in err and "(2) extension pgrouting" in err
    assert "(3) extension timescaledb" in err


def test_extension_the_platform_does_not_offer(tmp_path: Path) -> None:
    root = write_migrations(
        tmp_path,
        {"1_a.sql": "create extension if not exists pg_trgm;\ncreate extension file_fdw;\n"},
    )
    code, doc = _doc(root)
    assert code == 1
    [warning] = [w for w in doc["warnings"] if "extension" in w]
    assert warning.startswith("the migrations create an extension this sandbox cannot:")
    assert "extension file_fdw (1_a.sql:2): not permitted on Supabase" in warning
    assert "pg_trgm" not in warning  # offered and here
    assert _failures(doc)[0]["pgvet_hint"] == warning
    # a self-hosted project replayed as a superuser may create it: nothing to say
    code, doc = _doc(root, "--superuser")
    assert code == 0 and not [w for w in doc["warnings"] if "extension" in w]


def test_no_warning_when_every_extension_is_here(tmp_path: Path) -> None:
    root = write_migrations(
        tmp_path, {"1_a.sql": "create extension if not exists pg_trgm with schema extensions;\n"}
    )
    code, doc = _doc(root)
    assert code == 0 and doc["warnings"] == []


def test_another_installed_server_that_has_it_is_named(tmp_path: Path) -> None:
    """The embedded 18 has no sslinfo; Debian's 15 does: the advice says so, read from the
    servers' own control files."""
    if not (have_major(18) and have_major(15)):
        pytest.skip(missing_major(15 if have_major(18) else 18))
    root = write_migrations(tmp_path, {"1_a.sql": "create extension sslinfo;\n"})
    code, doc = _doc(root, "--pg-version", "18")
    if code == 0:
        pytest.skip("this PostgreSQL 18 has sslinfo")
    [warning] = [w for w in doc["warnings"] if "extension" in w]
    said = "extension sslinfo (1_a.sql:1): Supabase offers it (part of PostgreSQL), this server"
    assert f"{said} has not" in warning
    assert "replay with --pg-version " in warning
    suggested = int(warning.split("--pg-version ")[1].split(",")[0])
    code, _ = _doc(root, "--pg-version", str(suggested))
    assert code == 0  # the evidence holds: that server creates it
