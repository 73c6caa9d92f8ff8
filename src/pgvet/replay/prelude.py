"""Hand-made prerequisites: ``[replay] prelude = ["sql/roles.sql", …]``.

Real projects often depend on objects made once by hand (in the dashboard) that no
migration creates. Rather than every later file failing, the project can name SQL files
that make them; pgvet applies them before the migrations, as the project role, each in
its own transaction and without a history row, and labels them ``[prelude] path`` in
every report, so nobody mistakes them for migrations the CLI would apply.
"""

from __future__ import annotations

from pathlib import Path

from pgvet.errors import InputError
from pgvet.replay.paths import ensure_inside
from pgvet.replay.project import MigrationFile, Project, read_migration

PRELUDE_LABEL = "[prelude] "


def load_prelude(project: Project, names: tuple[str, ...]) -> tuple[MigrationFile, ...]:
    """The prelude files, read and split; each must be a readable UTF-8 file inside the
    project root (paths are relative to it)."""
    out: list[MigrationFile] = []
    for name in names:
        path = Path(name)
        path = path if path.is_absolute() else project.root / path
        if not path.is_file():
            raise InputError(
                f"[replay] prelude: {name}: no such file",
                hint="prelude paths are relative to the project root (the folder holding "
                "supabase/)",
            )
        ensure_inside(path, [project.root], "prelude file")
        label = PRELUDE_LABEL + str(path.relative_to(project.root))
        loaded = read_migration(path, "", path.stem, label)
        if not isinstance(loaded, MigrationFile):
            raise InputError(f"[replay] prelude: {name}: {loaded.message}")
        if loaded.bom:
            raise InputError(
                f"[replay] prelude: {name}: starts with a byte-order mark",
                hint="save it as UTF-8 without a BOM",
            )
        out.append(loaded)
    return tuple(out)
