"""Throwaway PostgreSQL servers: a cached template cluster, fast copies of it, cleanup.

Why a template: ``initdb`` plus the Supabase stand-ins costs about a second; copying a
ready cluster and starting it costs a tenth of that. The template is built once per
(installation, stand-in files) under a file lock and swapped in with an atomic rename, so
concurrent pgvet runs share it safely.

Why a relocated copy of the installation: PostgreSQL refuses to run as root, so as root the
server runs as an unprivileged user (``postgres``, else ``nobody``), which cannot read a
wheel inside ``/root``; and before PostgreSQL 18 extra extensions must sit in the
installation's own ``share/extension``, which pgvet never writes into. A copy (hard links
where possible) in pgvet's cache solves both; PostgreSQL finds ``share/`` and ``lib/``
relative to its binary, so the copy mirrors the original's absolute layout.

Every server is started in its own session (Ctrl-C in the terminal reaches pgvet, not the
server), registered for cleanup at exit, and stopped with its folder removed on success,
error, Ctrl-C and SIGTERM. Folders left by a killed pgvet are swept by the next run.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import psycopg

from pgvet import __version__
from pgvet.errors import SandboxError
from pgvet.sandbox.binaries import Installation

PORT = 5432
#: Settings for a disposable server: durability off, nothing in the background.
SERVER_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "max_connections": "40",
    "log_min_messages": "fatal",
    "logging_collector": "off",
    # segments inside the data folder (removed with it), not in /dev/shm where an
    # immediate shutdown leaves them behind
    "dynamic_shared_memory_type": "mmap",
}
FIRST_EXTENSION_CONTROL_PATH_MAJOR = 18


def cache_root() -> Path:
    """pgvet's cache: ``$PGVET_CACHE_DIR``, else a world-readable folder outside ``/root``."""
    if env := os.environ.get("PGVET_CACHE_DIR"):
        root = Path(env)
    elif os.geteuid() == 0:
        root = Path("/var/tmp/pgvet-cache")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "pgvet"
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        root.chmod(0o755)
    return root


@dataclass(frozen=True)
class RunAs:
    """The OS user servers run as (only differs from us when we are root)."""

    uid: int
    gid: int
    name: str

    @classmethod
    def current(cls) -> RunAs:
        if os.geteuid() != 0:
            return cls(os.geteuid(), os.getegid(), pwd.getpwuid(os.geteuid()).pw_name)
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return cls(entry.pw_uid, entry.pw_gid, name)
        raise SandboxError(
            "running as root and neither a 'postgres' nor a 'nobody' user exists",
            hint="PostgreSQL refuses to run as root; run pgvet as a normal user",
        )

    @property
    def dropping(self) -> bool:
        return os.geteuid() == 0

    def popen_kwargs(self) -> dict[str, int]:
        return {"user": self.uid, "group": self.gid} if self.dropping else {}

    def own(self, path: Path) -> None:
        if self.dropping:
            os.chown(path, self.uid, self.gid)


def _standin_files() -> list[tuple[str, bytes]]:
    pkg = resources.files("pgvet.sandbox")
    out: list[tuple[str, bytes]] = []
    for folder in ("supabase", "extensions"):
        for entry in sorted(pkg.joinpath(folder).iterdir(), key=lambda e: e.name):
            if entry.is_file() and not entry.name.startswith(("_", ".")):
                out.append((f"{folder}/{entry.name}", entry.read_bytes()))
    return out


def standin_sql() -> list[tuple[str, str]]:
    """The Supabase stand-in scripts, in the order they are applied."""
    return [
        (name, data.decode())
        for name, data in _standin_files()
        if name.startswith("supabase/") and name.endswith(".sql")
    ]


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@dataclass(frozen=True)
class Prepared:
    """A relocated installation ready to run, and its cached template cluster."""

    installation: Installation
    bindir: Path
    extension_dir: Path | None  # extension_control_path element (PostgreSQL 18+)
    template: Path
    run_as: RunAs


def _relocate(inst: Installation, dest: Path, extension_files: list[tuple[str, bytes]]) -> Path:
    """Mirror the installation's bin/share/lib under ``dest``; return the copy's bindir."""
    for folder in (inst.bindir, inst.sharedir, inst.pkglibdir, *inst.extra_dirs):
        target = dest / folder.relative_to(folder.anchor)
        if not target.exists():
            shutil.copytree(folder, target, symlinks=True, copy_function=_link_or_copy)
    if inst.major < FIRST_EXTENSION_CONTROL_PATH_MAJOR:
        ext_dir = dest / inst.sharedir.relative_to(inst.sharedir.anchor) / "extension"
        _add_missing_extensions(ext_dir, inst.sharedir / "extension", extension_files)
    return dest / inst.bindir.relative_to(inst.bindir.anchor)


def _add_missing_extensions(
    target: Path, original: Path, extension_files: list[tuple[str, bytes]]
) -> None:
    """Copy stand-ins for extensions the installation itself lacks (never shadow real ones)."""
    present = {p.stem for p in original.glob("*.control")}
    for name, data in extension_files:
        base = Path(name).name
        ext = base.split("--")[0].removesuffix(".control")
        if ext in present:
            continue
        path = target / base
        path.unlink(missing_ok=True)  # may be a hard link into the original
        path.write_bytes(data)
        path.chmod(0o644)


def prepare(inst: Installation) -> Prepared:
    """Relocate the installation and build its template cluster, once per cache."""
    run_as = RunAs.current()
    files = _standin_files()
    ext_files = [(n, d) for n, d in files if n.startswith("extensions/")]
    inst_key = _digest(
        str(inst.bindir),
        inst.version,
        str((inst.bindir / "postgres").stat().st_mtime),
        *map(str, inst.extra_dirs),
    )
    standin_key = _digest(__version__, *(n for n, _ in files), *(d for _, d in files))
    root = cache_root()
    install_dir = root / "installs" / f"{inst.major}-{inst_key}-{standin_key}"
    template = root / "templates" / f"{inst.major}-{inst_key}-{standin_key}-{run_as.name}"
    ext_dir: Path | None = None
    with _locked(root / ".lock"):
        if not (install_dir / ".complete").exists():
            shutil.rmtree(install_dir, ignore_errors=True)
            install_dir.mkdir(parents=True)
            _relocate(inst, install_dir, ext_files)
            (install_dir / ".complete").touch()
        bindir = install_dir / inst.bindir.relative_to(inst.bindir.anchor)
        if inst.major >= FIRST_EXTENSION_CONTROL_PATH_MAJOR:
            # PostgreSQL 18 appends "extension" to each extension_control_path element
            ext_dir = install_dir / "pgvet-share"
            if not ext_dir.exists():
                (ext_dir / "extension").mkdir(parents=True)
                _add_missing_extensions(
                    ext_dir / "extension", inst.sharedir / "extension", ext_files
                )
        prepared = Prepared(inst, bindir, ext_dir, template, run_as)
        if not (template / "PG_VERSION").exists():
            _build_template(prepared)
            _prune(root, keep={install_dir, template})
    return prepared


def _prune(root: Path, keep: set[Path], min_age: float = 3600) -> None:
    """Remove cached installs and templates made from older stand-ins (unused for an hour)."""
    now = time.time()
    for folder in (root / "installs", root / "templates"):
        for entry in folder.glob("*") if folder.exists() else ():
            if entry in keep or entry.name.startswith("."):
                continue
            if now - entry.stat().st_mtime > min_age:
                shutil.rmtree(entry, ignore_errors=True)


def _server_args(prepared: Prepared, data: Path, sockdir: Path) -> list[str]:
    settings = dict(SERVER_SETTINGS)
    if prepared.extension_dir is not None:
        settings["extension_control_path"] = f"$system:{prepared.extension_dir}"
    args = [str(prepared.bindir / "postgres"), "-D", str(data), "-k", str(sockdir), "-p", str(PORT)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    return args


def _build_template(prepared: Prepared) -> None:
    """initdb, apply the Supabase stand-ins, stop cleanly, rename into place."""
    parent = prepared.template.parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=parent))
    try:
        prepared.run_as.own(work)
        data = work / "data"
        initdb = [
            str(prepared.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--wal-segsize=1",
            "--no-sync",
            "--no-instructions",
        ]
        result = subprocess.run(
            initdb, capture_output=True, text=True, check=False, **prepared.run_as.popen_kwargs()
        )
        if result.returncode != 0:
            raise SandboxError(
                f"initdb failed ({prepared.installation.label}): {result.stderr.strip()}",
                hint="check that the server installation is complete",
            )
        server = Server(prepared, work, data)
        server.start()
        try:
            with server.connect() as conn:
                for name, sql in standin_sql():
                    try:
                        with conn.transaction():
                            conn.execute(sql.encode())
                    except psycopg.Error as exc:
                        raise SandboxError(
                            f"Supabase stand-in {name} failed on "
                            f"{prepared.installation.label}: {exc}",
                        ) from exc
                conn.execute("checkpoint")
        finally:
            server.stop(fast=False)
        (data / "postmaster.opts").unlink(missing_ok=True)
        os.rename(data, work / "template")
        if prepared.template.exists():
            shutil.rmtree(prepared.template)
        os.rename(work / "template", prepared.template)
    finally:
        shutil.rmtree(work, ignore_errors=True)


_LIVE: set[Server] = set()


@dataclass(eq=False)
class Server:
    """One running server over a unix socket in ``folder`` (which it removes on stop)."""

    prepared: Prepared
    folder: Path
    data: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    owns_folder: bool = False

    @property
    def sockdir(self) -> Path:
        return self.folder

    def conninfo(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"host={self.sockdir} port={PORT} user={user} dbname={dbname}"

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - owned by the process
        self.prepared.run_as.own(self.folder / "server.log")
        try:
            self.process = subprocess.Popen(
                _server_args(self.prepared, self.data, self.sockdir),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                **self.prepared.run_as.popen_kwargs(),
            )
        finally:
            log.close()
        _LIVE.add(self)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self._fail("the server exited during start-up")
            if (self.sockdir / f".s.PGSQL.{PORT}").exists():
                try:
                    psycopg.connect(self.conninfo(), connect_timeout=5).close()
                    return
                except psycopg.OperationalError:
                    pass
            if time.monotonic() > deadline:
                self._fail(f"the server did not accept connections within {timeout:.0f} s")
            time.sleep(0.005)

    def _fail(self, what: str) -> None:
        log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise SandboxError(f"{what} ({self.prepared.installation.label})\n{log.strip()}")

    def connect(self, dbname: str = "postgres", user: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.conninfo(dbname, user), autocommit=True)

    def stop(self, fast: bool = True) -> None:
        """Stop the server (immediate shutdown unless ``fast`` is False) and remove files."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGQUIT if fast else signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _LIVE.discard(self)
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop()


atexit.register(_stop_all)


def scratch_root() -> Path:
    """Where sandbox clusters live: ``$PGVET_TMPDIR``, else RAM-backed ``/dev/shm``, else /tmp.

    Copying the template onto tmpfs takes ~0.07 s against ~1 s on this machine's ext4, and
    a throwaway cluster needs no durability.
    """
    if env := os.environ.get("PGVET_TMPDIR"):
        return Path(env)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        stats = os.statvfs(shm)
        if stats.f_bavail * stats.f_frsize > 1 << 30:
            return shm
    return Path(tempfile.gettempdir())


def _sweep_orphans(tmp: Path) -> None:
    """Remove sandboxes whose pgvet process died without cleaning up (e.g. kill -9)."""
    for owner_file in tmp.glob("pgvet-*/owner.pid"):
        folder = owner_file.parent
        try:
            owner = int(owner_file.read_text().strip() or 0)
            os.kill(owner, 0)
            continue  # still alive
        except ProcessLookupError:
            pass
        except (ValueError, OSError):
            continue
        pidfile = folder / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            os.kill(int(pidfile.read_text().split()[0]), signal.SIGQUIT)
            time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def sandbox(prepared: Prepared) -> Iterator[Server]:
    """A fresh server copied from the template; stopped and removed when the block ends."""
    tmp = scratch_root()
    _sweep_orphans(tmp)
    folder = Path(tempfile.mkdtemp(prefix="pgvet-", dir=tmp))
    (folder / "owner.pid").write_text(str(os.getpid()))
    server = Server(prepared, folder, folder / "data", owns_folder=True)
    try:
        prepared.run_as.own(folder)
        folder.chmod(0o700)
        copy = subprocess.run(
            ["cp", "-a", str(prepared.template), str(server.data)],
            capture_output=True,
            text=True,
            check=False,
            **prepared.run_as.popen_kwargs(),
        )
        if copy.returncode != 0:
            raise SandboxError(f"could not copy the template cluster: {copy.stderr.strip()}")
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def raise_on_sigterm() -> None:
    """Turn SIGTERM (and SIGHUP) into SystemExit so every ``finally`` runs and servers stop."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
