"""pgvet's cache folder: where relocated servers, templates and fetched servers live.

The cache holds the server binaries and the template every later run copies, so it must
be the invoking user's alone: a folder that is a symlink, belongs to someone else or is
writable by others is refused, never repaired (a chmod through a symlink would change
whatever it points at).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pgvet.errors import SandboxError


def cache_root() -> Path:
    """pgvet's cache: ``$PGVET_CACHE_DIR``, else a folder outside ``/root``; checked."""
    if env := os.environ.get("PGVET_CACHE_DIR"):
        root = Path(env)
    elif os.geteuid() == 0:
        root = Path("/var/tmp/pgvet-cache")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "pgvet"
    root.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        root.mkdir(mode=0o755 if os.geteuid() == 0 else 0o700)
    _check_private(root)
    return root


def _check_private(path: Path) -> None:
    info = path.lstat()
    problem = None
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symbolic link"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid != os.geteuid():
        problem = f"belongs to uid {info.st_uid}, not to the user running pgvet"
    elif info.st_mode & 0o022:
        problem = f"is writable by others (mode {stat.S_IMODE(info.st_mode):o})"
    if problem:
        raise SandboxError(
            f"pgvet's cache folder {path} {problem}; refusing to use it",
            hint="remove it (pgvet recreates it) or set PGVET_CACHE_DIR to a folder of "
            "your own that only you can write",
        )


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if need be) for the block."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
