"""`pgvet backup drill` on real servers: PITR to a restore point, an LSN and a time on
PostgreSQL 15 and 18; a WAL segment removed from the archive is named and fails the drill;
every server it started is gone afterwards."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from conftest import EXAMPLE, prepared_for
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
    prepared_for(major)
    before = set(_ours())  # session-scoped sandboxes of other tests may be running
    result = runner.invoke(
        app, ["backup", "drill", "--pg-version", str(major), "-o", str(tmp_path)]
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
    report = run_drill(DrillRequest(pg_version=15, project=EXAMPLE, targets=("name",)))
    assert report.ok, [r.problems for r in report.restores]
    point = report.points[1]  # the target, point 2
    assert ("public", "clinics") in point.tables and ("pgvet_drill", "events") in point.tables


def test_missing_wal_segment_is_named() -> None:
    removed: list[str] = []

    def break_archive(archive: Path, needed: tuple[str, ...]) -> None:
        if not removed:
            removed.append(needed[-1])
            (archive / needed[-1]).unlink()

    report = run_drill(DrillRequest(pg_version=15, targets=("lsn",)), before_restore=break_archive)
    assert not report.ok
    restore = report.restores[0]
    assert restore.missing == (removed[0],)
    assert any(f"WAL segment {removed[0]} is missing" in p for p in restore.problems)
    # and PostgreSQL agrees: the restore never reaches its target
    assert any("did not come up" in p or "differs" in p or "batch" in p for p in restore.problems)
