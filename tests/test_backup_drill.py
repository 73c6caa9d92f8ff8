"""`pgvet backup drill` on real servers: PITR to a restore point, an LSN and a time on
PostgreSQL 15 and 18; a WAL segment removed from the archive is named and fails the drill;
every server it started is gone afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, prepared_for, prepared_with_tools
from pgvet.backup import pgbackrest
from pgvet.backup.drill import DrillRequest, run_drill
from pgvet.cli.main import app
from pgvet.sandbox import cluster

runner = CliRunner()


def _ours() -> list[Path]:
    """Scratch folders this test process owns (other runs share the machine)."""
    mine = str(os.getpid())
    return [
        p
        for p in cluster.scratch_root().glob("pgvet-*")
        if (p / "owner.pid").is_file() and (p / "owner.pid").read_text() == mine
    ]


def test_drill_restores_each_target(major: int, tmp_path: Path) -> None:
    prepared_with_tools(major, "pg_basebackup")
    before = set(_ours())  # session-scoped sandboxes of other tests may be running
    result = runner.invoke(
        app,
        [
            "backup",
            "drill",
            "--tool",
            "basebackup",
            "--pg-version",
            str(major),
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    runbook = (tmp_path / "BACKUP_DISASTER_RECOVERY.md").read_text()
    assert "Drill PASSED" in runbook and f"PostgreSQL {major}." in runbook
    for kind in ("name", "lsn", "time"):
        assert f"| recovery_target_{kind} |" in runbook
    assert runbook.count("| verified |") == 3
    assert "pg_basebackup -h" in runbook and "## Advice" in runbook
    assert set(_ours()) == before  # every server of the drill stopped, its folder removed


def test_drill_on_the_project_restores_its_tables_too() -> None:
    prepared_with_tools(15, "pg_basebackup")
    report = run_drill(
        DrillRequest(pg_version=15, project=EXAMPLE, targets=("name",), tool="basebackup")
    )
    assert report.ok, [r.problems for r in report.restores]
    point = report.points[1]  # the target, point 2
    assert ("public", "clinics") in point.tables and ("pgvet_drill", "events") in point.tables


def test_missing_wal_segment_is_named() -> None:
    prepared_with_tools(15, "pg_basebackup")
    removed: list[str] = []

    def break_archive(archive: Path, needed: tuple[str, ...]) -> None:
        if not removed:
            removed.append(needed[-1])
            (archive / needed[-1]).unlink()

    report = run_drill(
        DrillRequest(pg_version=15, targets=("lsn",), tool="basebackup"),
        before_restore=break_archive,
    )
    assert not report.ok
    restore = report.restores[0]
    assert restore.missing == (removed[0],)
    assert any(f"WAL segment {removed[0]} is missing" in p for p in restore.problems)
    # and PostgreSQL agrees: the restore never reaches its target
    assert any("did not come up" in p or "differs" in p or "batch" in p for p in restore.problems)


# --- pgBackRest (issue #17): the same drill with pgBackRest's backup, restore and verify ---

PGBACKREST = pgbackrest.find()
needs_pgbackrest = pytest.mark.skipif(
    PGBACKREST is None, reason="pgbackrest is not installed (apt-get install pgbackrest)"
)
#: where pgBackRest writes unless told otherwise: a drill must leave them as they were
PGBACKREST_DEFAULTS = (
    "/tmp/pgbackrest",
    "/var/lib/pgbackrest",
    "/var/log/pgbackrest",
    "/var/spool/pgbackrest",
    "/etc/pgbackrest",
)


def _defaults_state() -> dict[str, list[str]]:
    return {
        d: sorted(str(p) for p in Path(d).rglob("*")) if Path(d).exists() else ["<absent>"]
        for d in PGBACKREST_DEFAULTS
    }


def _pgbackrest_processes(marker: str = "--stanza=pgvet") -> list[int]:
    """pids of pgBackRest processes with an argument holding ``marker`` (a drill's folder,
    any drill's stanza, a command)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            wanted = marker.encode()
            if args and args[0].endswith(b"pgbackrest") and any(wanted in a for a in args):
                found.append(int(entry.name))
    return found


def _unsupported(major: int) -> int | None:
    """The newest major the installed pgBackRest supports, when ``major`` is beyond it."""
    newest = pgbackrest.newest_major(pgbackrest.version(PGBACKREST or "pgbackrest"))
    return newest if newest is not None and major > newest else None


@needs_pgbackrest
def test_pgbackrest_drill_restores_each_target(major: int, tmp_path: Path) -> None:
    prepared_for(major)  # pgBackRest takes the backup: the server alone is enough
    before, defaults = set(_ours()), _defaults_state()
    args = ["backup", "drill", "--tool", "pgbackrest", "--pg-version", str(major)]
    if (newest := _unsupported(major)) is not None:
        # pgBackRest 2.45 (Debian 12) reads PostgreSQL 18's control file as unknown: the
        # drill refuses up front, and --tool auto falls back to pg_basebackup, saying why
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2, refused.output
        assert f"supports PostgreSQL up to {newest}, not {major}" in " ".join(
            refused.output.split()
        )
        auto = runner.invoke(
            app, ["backup", "drill", "--pg-version", str(major), "-t", "lsn", "-o", str(tmp_path)]
        )
        assert auto.exit_code == 0, auto.output
        runbook = (tmp_path / "BACKUP_DISASTER_RECOVERY.md").read_text()
        assert "Backup tool: **pg_basebackup** (--tool auto: pgBackRest" in runbook
        assert f"up to {newest}, not {major})" in runbook
    else:
        result = runner.invoke(app, [*args, "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        runbook = (tmp_path / "BACKUP_DISASTER_RECOVERY.md").read_text()
        assert "Drill PASSED" in runbook and f"PostgreSQL {major}." in runbook
        assert "Backup tool: **pgBackRest** (--tool pgbackrest: pgBackRest" in runbook
        assert runbook.count("| verified |") == 3
        for command in ("stanza-create", "check", "backup --type=full", "verify --output=text"):
            assert f"--stanza=pgvet {command}" in runbook, command
        for kind in ("name", "lsn", "time"):
            assert f"--type={kind} " in runbook and "--target-action=promote" in runbook
        assert "archive-push %p'" in runbook and "archive-get %f" in runbook
        assert "status: ok" in runbook  # verify's own report
        # every path pgBackRest was given is inside the drill's folder
        config = runbook.split("pgBackRest configuration (", 1)[1].split(")", 1)[0]
        folder = str(Path(config).parent)
        for key in ("repo1-path", "lock-path", "log-path", "spool-path"):
            assert f"{key}={folder}/" in runbook, key
        # no pgBackRest process of this drill is left (another run's may be going on)
        assert not [p for p in _pgbackrest_processes(folder) if Path(f"/proc/{p}").exists()]
    assert set(_ours()) == before  # every server stopped, every folder removed
    assert _defaults_state() == defaults  # nothing in /tmp, /var/lib, /var/log, /var/spool, /etc


@needs_pgbackrest
def test_pgbackrest_missing_wal_segment_is_named() -> None:
    prepared_for(15)  # the pgBackRest 2.45 Debian ships knows PostgreSQL up to 15
    removed: list[str] = []

    def break_repository(archive: Path, needed: tuple[str, ...]) -> None:
        if not removed:
            removed.append(needed[-1])
            next(archive.rglob(f"{needed[-1]}-*")).unlink()  # 0000…0C-<sha1>.lz4

    report = run_drill(
        DrillRequest(pg_version=15, targets=("lsn",), tool="pgbackrest"),
        before_restore=break_repository,
    )
    assert report.tool == "pgbackrest" and not report.ok
    restore = report.restores[0]
    assert restore.missing == (removed[0],)
    # pgvet's own scan of the repository
    assert any(
        f"WAL segment {removed[0]} is missing from the pgBackRest repository" in p
        for p in restore.problems
    )
    # pgBackRest verify's WAL ranges break around it (its status stays "ok")
    assert any(
        p.startswith("pgbackrest verify:") and f"segment {removed[0]} is missing between" in p
        for p in restore.problems
    )
    # and PostgreSQL agrees: recovery stops short of the target
    assert any("recovery ended before configured recovery target" in p for p in restore.problems)


@needs_pgbackrest
def test_pgbackrest_drill_interrupted_leaves_nothing() -> None:
    """Ctrl-C while pgBackRest runs (its backup): no server, no pgBackRest process, no
    folder, nothing in pgBackRest's default paths."""
    prepared_for(15)  # the pgBackRest 2.45 Debian ships knows PostgreSQL up to 15
    defaults = _defaults_state()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgvet", "backup", "drill", "--tool", "pgbackrest",
         "--pg-version", "15", "--rows", "50000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        running: list[int] = []
        while not running and time.monotonic() < deadline and proc.poll() is None:
            running = _pgbackrest_processes("backup")
            time.sleep(0.02)
        assert running, "pgbackrest backup never ran"
        folders = [p.parent for p in cluster.scratch_root().glob("pgvet-*/owner.pid")
                   if p.read_text() == str(proc.pid)]  # fmt: skip
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0 and "Traceback" not in stderr
    assert folders and not any(f.exists() for f in folders)
    assert not [p for p in running if Path(f"/proc/{p}").exists()]
    assert _defaults_state() == defaults
