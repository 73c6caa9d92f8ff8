"""Project files stay in the project.

pgvet runs in CI on pull requests, where anyone can write the migrations folder. A
migration, a seed or a config file there may be a symlink to ``/etc/shadow`` or to a CI
secret; reading it would put that file's text in pgvet's output. So every file pgvet reads
because the project names it must resolve, symlinks followed, inside the project root: the
folder that holds ``supabase/`` (or the migrations folder itself when it is given alone, see
:func:`pgvet.replay.project.locate`). A symlink from one project file to another is fine.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pgvet.errors import InputError


def resolves_inside(path: Path, roots: Iterable[Path]) -> bool:
    """True when ``path``, symlinks followed, lies in one of ``roots`` (also resolved).

    A symlink loop cannot be followed, so it counts as outside."""
    try:
        target = path.resolve()
        return any(target.is_relative_to(root.resolve()) for root in roots)
    except (OSError, RuntimeError):
        return False


def ensure_inside(path: Path, roots: Iterable[Path], what: str) -> Path:
    """``path`` unchanged when it stays in the project, else an InputError naming it.

    ``what`` says which kind of file it is (migration, seed file...), so the message tells
    the user which setting or file to fix."""
    roots = tuple(roots)
    if resolves_inside(path, roots):
        return path
    where = " or ".join(str(root) for root in roots)
    raise InputError(
        f"{path}: this {what} points outside the project ({where}); pgvet does not read it",
        hint="pgvet reads only files inside the project: replace the symlink or path with "
        "the file itself",
    )
