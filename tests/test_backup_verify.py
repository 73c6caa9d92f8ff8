"""`pgvet backup verify` on real dumps of the clinic example (with its seed), on real servers.

Each case restores a dump into a sandbox and compares it with the database the dump was
taken of (``--against``, the source sandbox's socket) or with the replayed project; the
broken dumps must fail with the exact difference, and a cut dump with exit 2.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_dumps import ENV, archive_dump, clinic_source, supabase_dump
from typer.testing import CliRunner

from conftest import EXAMPLE
from pgvet.cli.main import app
from pgvet.sandbox import cluster

runner = CliRunner()


@pytest.fixture(scope="module")
def source() -> Iterator[cluster.Server]:
    with clinic_source(15) as server:
        yield server


@pytest.fixture(scope="module")
def dumps(source: cluster.Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dumps")
    supabase_dump(source, folder / "supabase")
    archive_dump(source, folder / "clinic.dump", "c")
    archive_dump(source, folder / "clinic.dir", "d")
    return folder


def _verify(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["backup", "verify", *args, "-f", "json"])
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout) if result.exit_code in (0, 1) else {}
    return result.exit_code, doc | {"stderr": result.stderr}


def _against(server: cluster.Server) -> list[str]:
    return ["--against", server.conninfo()]


def test_supabase_dump_verifies_against_its_source(dumps: Path, source: cluster.Server) -> None:
    files = [str(dumps / "supabase" / f) for f in ("data.sql", "schema.sql", "roles.sql")]
    code, doc = _verify(*files, *_against(source))
    assert code == 0, doc["differences"] or doc["restore"]["issues"]
    kinds = [f["kind"] for f in doc["restore"]["files"]]
    assert kinds == ["roles", "schema", "data"]  # put in restore order whatever the argv order
    assert doc["compared"]["rows"] > 400 and doc["compared"]["tables"] > 60


def test_supabase_dump_verifies_against_the_replayed_project(dumps: Path) -> None:
    files = [str(p) for p in sorted((dumps / "supabase").glob("*.sql"))]
    code, doc = _verify(*files, "--project", str(EXAMPLE))
    assert code == 0, doc["differences"] or doc["restore"]["issues"]


@pytest.mark.parametrize("name", ["clinic.dump", "clinic.dir"])
def test_archive_formats_verify(dumps: Path, source: cluster.Server, name: str) -> None:
    code, doc = _verify(str(dumps / name), *_against(source), "--superuser", "--empty-target")
    assert code == 0, doc["differences"] or [i for i in doc["restore"]["issues"] if i["failed"]]
    assert doc["restore"]["role"] == "supabase_admin"


def test_one_changed_row_is_named(dumps: Path, source: cluster.Server, tmp_path: Path) -> None:
    data = (dumps / "supabase" / "data.sql").read_text()
    changed = data.replace("Bangkok Glow Clinic\t", "Bangkok Glow Clinic (edited)\t", 1)
    assert changed != data
    (tmp_path / "data.sql").write_text(changed)
    code, doc = _verify(
        str(dumps / "supabase" / "roles.sql"), str(dumps / "supabase" / "schema.sql"),
        str(tmp_path / "data.sql"), *_against(source),
    )  # fmt: skip
    assert code == 1
    assert [(d["kind"], d["name"]) for d in doc["differences"]] == [("rows", "public.clinics")]
    diff = doc["differences"][0]
    assert "1 changed" in diff["detail"]
    assert diff["rows"] == ["changed: id=c0000000-0000-0000-0000-000000000001: column name differs"]


def test_missing_table_is_named(dumps: Path, source: cluster.Server, tmp_path: Path) -> None:
    schema = (dumps / "supabase" / "schema.sql").read_text()
    data = (dumps / "supabase" / "data.sql").read_text()
    # drop public.error_logs: its CREATE TABLE, everything on it, and its rows
    statements = re.split(r"(?<=;\n)", schema)
    kept = [s for s in statements if '"public"."error_logs"' not in s]
    assert len(kept) < len(statements)
    rows = re.compile(r'^COPY "public"\."error_logs".*?^\\\.\n', re.M | re.S)
    (tmp_path / "schema.sql").write_text("".join(kept))
    (tmp_path / "data.sql").write_text(rows.sub("", data))
    code, doc = _verify(
        str(dumps / "supabase" / "roles.sql"), str(tmp_path / "schema.sql"),
        str(tmp_path / "data.sql"), *_against(source),
    )  # fmt: skip
    assert code == 1
    named = {(d["area"], d["kind"], d["name"]) for d in doc["differences"]}
    assert ("schema", "table", "public.error_logs") in named
    assert ("data", "table", "public.error_logs") in named
    assert all("error_logs" in d["name"] for d in doc["differences"])


def test_truncated_dump_is_bad_input(dumps: Path, source: cluster.Server, tmp_path: Path) -> None:
    data = (dumps / "supabase" / "data.sql").read_bytes()
    cut = tmp_path / "data.sql"
    cut.write_bytes(data[: len(data) * 2 // 3])
    result = runner.invoke(app, ["backup", "verify", str(cut), *_against(source)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{cut}" in result.stderr and "truncated" in result.stderr


def test_truncated_archive_is_bad_input(
    dumps: Path, source: cluster.Server, tmp_path: Path
) -> None:
    data = (dumps / "clinic.dump").read_bytes()
    cut = tmp_path / "clinic.dump"
    cut.write_bytes(data[: len(data) // 2])
    result = runner.invoke(
        app, ["backup", "verify", str(cut), *_against(source), "--superuser", "--empty-target"]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "truncated or corrupted" in result.stderr


def test_meta_commands_are_refused(dumps: Path, source: cluster.Server, tmp_path: Path) -> None:
    roles = (dumps / "supabase" / "roles.sql").read_text()
    hostile = tmp_path / "roles.sql"
    hostile.write_text(f"\\! touch {tmp_path}/pwned\n" + roles)
    code, doc = _verify(
        str(hostile), str(dumps / "supabase" / "schema.sql"),
        str(dumps / "supabase" / "data.sql"), *_against(source),
    )  # fmt: skip
    assert code == 1
    refused = [i for i in doc["restore"]["issues"] if i["status"] == "refused"]
    assert [(i["file"], i["location"]) for i in refused] == [(str(hostile), "line 1")]
    assert not (tmp_path / "pwned").exists()


def _dumpall(server: cluster.Server, path: Path) -> Path:
    """A whole-cluster dump, as Supabase's dashboard backups are (pg_dumpall, gzip)."""
    done = subprocess.run(
        [str(server.prepared.bindir / "pg_dumpall"), "-h", str(server.sockdir), "-p", "5432",
         "-U", "supabase_admin", "--no-role-passwords"],
        capture_output=True, env=ENV, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    path.write_bytes(gzip.compress(done.stdout))
    return path


def test_whole_cluster_dump_restores_every_database(source: cluster.Server, tmp_path: Path) -> None:
    with source.admin() as admin:
        admin.execute("create database analytics owner postgres")
    try:
        with source.connect("analytics") as conn:
            conn.execute(
                "create table events (id int primary key, what text not null);"
                "insert into events select g, 'event ' || g from generate_series(1, 50) g"
            )
        dump = _dumpall(source, tmp_path / "project.backup.gz")
        code, doc = _verify(str(dump), *_against(source))
        assert doc["restore"]["databases"] == ["analytics"]
        skipped = [i["message"] for i in doc["restore"]["issues"] if i["status"] == "skipped"]
        assert not [m for m in skipped if "analytics" in m]
        assert any(
            "'template1' skipped: a restore never writes the templates" in m for m in skipped
        )
        assert not [d for d in doc["differences"] if d["name"].startswith("analytics")]
        # and the comparison can fail: one row changed in the dump's analytics section
        text = gzip.decompress(dump.read_bytes()).decode()
        head, section = text.split("\\connect analytics", 1)
        broken = tmp_path / "broken.backup.gz"
        broken.write_bytes(gzip.compress((head + "\\connect analytics" + section.replace(
            "7\tevent 7\n", "7\tevent seven\n", 1)).encode()))  # fmt: skip
        code, doc = _verify(str(broken), *_against(source))
        assert code == 1
        named = [d for d in doc["differences"] if d["name"].startswith("analytics: ")]
        assert [(d["area"], d["name"]) for d in named] == [("data", "analytics: public.events")]
        assert any("id=7" in r for r in named[0]["rows"])
    finally:
        with source.admin() as admin:
            admin.execute("drop database analytics with (force)")
