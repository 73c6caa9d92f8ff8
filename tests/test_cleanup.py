"""No leftovers: Ctrl-C, SIGTERM and kill -9 during a replay leave no server and no folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_migrations
from pgvet.sandbox import cluster


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _wait_for_sandbox(owner: int, timeout: float = 30) -> tuple[Path, int]:
    """The sandbox folder of process ``owner`` and its postmaster pid, once the server runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid_file in cluster.scratch_root().glob("pgvet-*/owner.pid"):
            try:
                if int(pid_file.read_text()) != owner:
                    continue
                postmaster = pid_file.parent / "run" / "data" / "postmaster.pid"
                return pid_file.parent, int(postmaster.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
        time.sleep(0.05)
    raise AssertionError("the sandbox never started")


def _slow_project(tmp_path: Path) -> Path:
    return write_migrations(
        tmp_path,
        {"1_fast.sql": "create table t (id int);\n", "2_slow.sql": "select pg_sleep(60);\n"},
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signal_during_replay_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    project = _slow_project(tmp_path)
    segments = set(Path("/dev/shm").glob("PostgreSQL.*"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgvet", "replay", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    folder, postmaster = _wait_for_sandbox(proc.pid)
    time.sleep(0.5)  # let it reach the slow statement
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    assert not _alive(postmaster), "the server is still running"
    assert not folder.exists(), "the sandbox folder was not removed"
    assert set(Path("/dev/shm").glob("PostgreSQL.*")) <= segments, "shared memory left behind"


def test_next_run_sweeps_what_kill_9_left(tmp_path: Path) -> None:
    project = _slow_project(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgvet", "replay", str(project)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder, postmaster = _wait_for_sandbox(proc.pid)
    proc.kill()
    proc.wait()
    assert folder.exists() and _alive(postmaster)  # kill -9 cannot clean up
    with cluster.sandbox(cluster.prepare(_installation())):
        pass
    deadline = time.monotonic() + 10
    while _alive(postmaster) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(postmaster)
    assert not folder.exists()


def test_two_runs_at_once_do_not_collide() -> None:
    prepared = cluster.prepare(_installation())
    with cluster.sandbox(prepared) as one, cluster.sandbox(prepared) as two:
        assert one.folder != two.folder
        with one.connect() as a, two.connect() as b:
            a.execute("create table only_in_one (id int)")
            assert b.execute("select to_regclass('only_in_one')").fetchone() == (None,)
    assert not one.folder.exists() and not two.folder.exists()


def _installation():
    from conftest import default_major, installation_for

    return installation_for(default_major())
