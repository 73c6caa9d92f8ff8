"""Servers for the PITR drill: a primary that archives WAL, and restores of its base backup.

They are sandboxes in every way that matters (``pgvet.sandbox.cluster``'s layout, lock and
sweep, a uid of their own as root, the minimal environment, stopped and removed on every
exit path); what differs is where the data folder comes from (the template for the
primary, a base backup for a restore) and that the caller starts the server, because a
restore that cannot reach its target is expected to fail at start-up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pgvet.errors import SandboxError
from pgvet.sandbox import cluster, osuser

Fill = Callable[[Path, osuser.ServerUser], None]


@contextlib.contextmanager
def work_folder() -> Iterator[Path]:
    """A folder of pgvet's own (0700) beside the sandboxes, locked like them so that a
    killed drill's leftovers are swept by the next run; removed when the block ends."""
    tmp = cluster.scratch_root()
    folder = Path(tempfile.mkdtemp(prefix="pgvet-", dir=tmp))
    lock = cluster._take_lock(folder)
    (folder / "owner.pid").write_text(str(os.getpid()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


@contextlib.contextmanager
def scratch_server(
    prepared: cluster.Prepared,
    settings: dict[str, str],
    fill: Fill,
    user: osuser.ServerUser | None = None,
) -> Iterator[cluster.Server]:
    """A sandbox whose ``run/`` folder ``fill`` populates; not started; always removed.

    ``user``: the OS user to run it as, when several servers that follow one another must
    share one (a pgBackRest repository they all read); by default a fresh one. Stopping a
    server ends every process of its user, so servers sharing one must not overlap."""
    tmp = cluster.scratch_root()
    cluster._sweep_orphans(tmp)
    folder = Path(tempfile.mkdtemp(prefix="pgvet-", dir=tmp))
    lock = cluster._take_lock(folder)
    (folder / "owner.pid").write_text(str(os.getpid()))
    user = user or osuser.for_sandbox()
    run = folder / "run"
    server = cluster.Server(prepared, run, run / "data", user, folder=folder, settings=settings)
    try:
        folder.chmod(0o711)
        run.mkdir(mode=0o700)
        user.own(run)
        fill(run, user)
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def copy_template(prepared: cluster.Prepared) -> Fill:
    """Fill: the template cluster, copied as the server's user (as ``cluster.sandbox``)."""

    def fill(run: Path, user: osuser.ServerUser) -> None:
        copy = subprocess.run(
            ["cp", "-R", "--no-preserve=all", str(prepared.template), str(run / "data")],
            capture_output=True,
            text=True,
            check=False,
            umask=0o077,
            **user.popen_kwargs(),  # type: ignore[arg-type]
        )
        if copy.returncode != 0:
            raise SandboxError(f"could not copy the template cluster: {copy.stderr.strip()}")

    return fill


def hand_to(path: Path, user: osuser.ServerUser) -> None:
    """Give a folder pgvet copied (a base backup, an archive) to the server's user, 0700."""
    for folder, dirs, files in os.walk(path):
        for name in (folder, *(os.path.join(folder, n) for n in (*dirs, *files))):
            if user.switching:
                os.chown(name, user.uid, user.gid, follow_symlinks=False)
            if not os.path.islink(name):
                os.chmod(name, 0o700 if os.path.isdir(name) else 0o600)
