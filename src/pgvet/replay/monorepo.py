"""Find the ``supabase/`` folder of a monorepo (``apps/web/supabase``, ``packages/db/supabase``).

Given a repository root without ``supabase/migrations`` at its top, pgvet looks below it,
as a reviewer would, skipping folders that hold dependencies or build output: they can be
huge and never hold the project's own migrations. One folder found is used; several are
listed so the user picks one (guessing could review the wrong project).
"""

from __future__ import annotations

import os
from pathlib import Path

from pgvet.errors import InputError

#: folders never searched: dependencies, version control, caches and build output
SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        "build",
        "dist",
        "out",
        "target",
        "coverage",
        ".next",
        ".nuxt",
        ".turbo",
        ".vercel",
        ".output",
        ".svelte-kit",
        ".cache",
        "vendor",
        ".venv",
        "venv",
        "__pycache__",
    }
)
#: how deep below the given folder ``supabase/`` may be (``apps/web/supabase`` is 3)
MAX_DEPTH = 6


def supabase_folders(root: Path) -> list[Path]:
    """Every ``supabase/`` folder with a ``migrations/`` folder below ``root``, sorted.

    Symlinked folders are not followed (a link may point anywhere, or in a loop)."""
    found: list[Path] = []
    base_depth = len(root.parts)
    for folder, subfolders, _ in os.walk(root):
        here = Path(folder)
        if here.name == "supabase" and (here / "migrations").is_dir():
            found.append(here)
            subfolders.clear()
            continue
        if len(here.parts) - base_depth >= MAX_DEPTH:
            subfolders.clear()
            continue
        subfolders[:] = sorted(
            d for d in subfolders if d not in SKIPPED_FOLDERS and not (here / d).is_symlink()
        )
    return sorted(found)


def only_supabase_folder(root: Path) -> Path | None:
    """The one ``supabase/`` folder below ``root``, None if there is none; several are an
    :class:`InputError` that lists them."""
    found = supabase_folders(root)
    if len(found) > 1:
        listed = "\n".join(f"  {folder.relative_to(root)}" for folder in found)
        raise InputError(
            f"{root}: {len(found)} supabase/ folders below this one; which project?\n{listed}",
            hint="give one of them (or its parent folder) as the path",
        )
    return found[0] if found else None
