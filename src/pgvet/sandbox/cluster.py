"""Throwaway PostgreSQL servers: a cached template cluster, fast copies of it, cleanup.

Why a template: ``initdb`` plus the Supabase stand-ins costs about a second; copying a
ready cluster and starting it costs a tenth of that. The template is built once per
(installation, stand-in files) under a file lock and swapped in with an atomic rename, so
concurrent pgvet runs share it safely.

Why a relocated copy of the installation: PostgreSQL refuses to run as root, so as root the
server runs as an unprivileged user of its own (see :mod:`pgvet.sandbox.osuser`), which
cannot read a wheel inside ``/root``; before PostgreSQL 18 extra extensions must sit in the
installation's own ``share/extension``, which pgvet never writes into; and the platform's
extension allow-list is expressed in control files (see :mod:`pgvet.sandbox.platform`). A
copy (hard links where possible) in pgvet's cache solves all three; PostgreSQL finds
``share/`` and ``lib/`` relative to its binary, so the copy mirrors the original's layout.
The cache, the installation and the template belong to the invoking user and are only
readable by the sandbox servers: one project's migration cannot poison another's run.

Every server is started in its own session (Ctrl-C in the terminal reaches pgvet, not the
server), with an environment of its own, registered for cleanup at exit, and stopped with
its folder removed on success, error, Ctrl-C and SIGTERM. A sandbox folder holds a lock
its pgvet keeps while it lives; folders whose lock is free were left by a killed pgvet and
are swept by the next run, which kills only processes it can prove are their servers.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import stat
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
from pgvet.sandbox import osuser, platform
from pgvet.sandbox.binaries import Installation
from pgvet.sandbox.cache import cache_root, locked

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
    # the shared lock table is max_locks_per_transaction × (connections + workers): sized so
    # that one migration may create as many tables as stock PostgreSQL allows (≈3,200 with
    # 64 × 100) and well beyond (about 10,000 here), despite the fewer connections
    "max_locks_per_transaction": "512",
    "log_min_messages": "fatal",
    "logging_collector": "off",
    # segments inside the data folder (removed with it), not in /dev/shm where an
    # immediate shutdown leaves them behind
    "dynamic_shared_memory_type": "mmap",
}
FIRST_EXTENSION_CONTROL_PATH_MAJOR = 18
#: A sandbox folder younger than this may still be taking its lock: never swept.
_SWEEP_GRACE_SECONDS = 60


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
    #: environment the binaries need on top of the server's own (npm builds' libraries)
    env: dict[str, str] = field(default_factory=dict)


def _relocate(inst: Installation, dest: Path, extension_files: list[tuple[str, bytes]]) -> Path:
    """Mirror the installation's bin/share/lib under ``dest``; return the copy's bindir."""
    for folder in (*inst.extra_dirs, inst.bindir, inst.sharedir, inst.pkglibdir):
        target = dest / folder.relative_to(folder.anchor)
        if not target.exists():
            shutil.copytree(folder, target, symlinks=True, copy_function=_link_or_copy)
    ext_dir = dest / inst.sharedir.relative_to(inst.sharedir.anchor) / "extension"
    _apply_allow_list(ext_dir)
    if inst.major < FIRST_EXTENSION_CONTROL_PATH_MAJOR:
        _add_missing_extensions(ext_dir, inst.sharedir / "extension", extension_files)
    return dest / inst.bindir.relative_to(inst.bindir.anchor)


def _apply_allow_list(ext_dir: Path) -> None:
    """Mark the installation's allow-listed extensions trusted, in pgvet's copy only."""
    for control in ext_dir.glob("*.control"):
        text = control.read_text()
        wanted = platform.control_file(text, control.stem, stand_in=False)
        if wanted != text:
            control.unlink()  # a hard link into the original installation
            control.write_text(wanted)
            control.chmod(0o644)


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
        if base.endswith(".control"):
            data = platform.control_file(data.decode(), ext, stand_in=True).encode()
        path = target / base
        path.unlink(missing_ok=True)  # may be a hard link into the original
        path.write_bytes(data)
        path.chmod(0o644)


def prepare(inst: Installation) -> Prepared:
    """Relocate the installation and build its template cluster, once per cache."""
    files = _standin_files()
    ext_files = [(n, d) for n, d in files if n.startswith("extensions/")]
    inst_key = _digest(
        str(inst.bindir),
        inst.version,
        str((inst.bindir / "postgres").stat().st_mtime),
        *map(str, inst.extra_dirs),
        # an extension package installed later (apt-get install postgresql-15-hypopg)
        # must reach the relocated copy
        *sorted(p.name for p in (inst.sharedir / "extension").glob("*.control")),
    )
    standin_key = _digest(
        __version__,
        *(n for n, _ in files),
        *(d for _, d in files),
        # the privilege model and the relocation itself: a change to either rebuilds
        Path(platform.__file__).read_bytes(),
        Path(__file__).read_bytes(),
        platform.privileges_sql(inst.major),
    )
    root = cache_root()
    install_dir = root / "installs" / f"{inst.major}-{inst_key}-{standin_key}"
    template = root / "templates" / f"{inst.major}-{inst_key}-{standin_key}"
    ext_dir: Path | None = None
    with locked(root / ".lock"):
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
        env = {}
        if inst.library_dir is not None:
            relocated = install_dir / inst.library_dir.relative_to(inst.library_dir.anchor)
            env["LD_LIBRARY_PATH"] = str(relocated)
        prepared = Prepared(inst, bindir, ext_dir, template, env)
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


def _server_args(prepared: Prepared, data: Path, sockdir: Path, extra: dict[str, str]) -> list[str]:
    settings = {**SERVER_SETTINGS, **extra}
    if prepared.extension_dir is not None:
        settings["extension_control_path"] = f"$system:{prepared.extension_dir}"
    args = [str(prepared.bindir / "postgres"), "-D", str(data), "-k", str(sockdir), "-p", str(PORT)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    return args


def _build_template(prepared: Prepared) -> None:
    """initdb, apply the Supabase stand-ins as the superuser, stop, hand over, rename."""
    parent = prepared.template.parent
    parent.mkdir(parents=True, exist_ok=True)
    user = osuser.for_template()
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=parent))
    try:
        work.chmod(0o711)
        run = work / "run"
        run.mkdir(mode=0o700)
        user.own(run)
        data = run / "data"
        initdb = [
            str(prepared.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            platform.SUPERUSER,
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
            initdb,
            capture_output=True,
            text=True,
            check=False,
            **user.popen_kwargs(prepared.env),  # type: ignore[arg-type]
        )
        if result.returncode != 0:
            raise SandboxError(
                f"initdb failed ({prepared.installation.label}): {result.stderr.strip()}",
                hint="check that the server installation is complete",
            )
        server = Server(prepared, run, data, user)
        server.start()
        try:
            with server.admin() as conn:
                for name, sql in standin_sql():
                    try:
                        with conn.transaction():
                            conn.execute(sql.encode())
                    except psycopg.Error as exc:
                        raise SandboxError(
                            f"Supabase stand-in {name} failed on "
                            f"{prepared.installation.label}: {exc}",
                        ) from exc
                conn.execute(platform.privileges_sql(prepared.installation.major).encode())
                conn.execute("checkpoint")
        finally:
            server.stop(fast=False)
        (data / "postmaster.opts").unlink(missing_ok=True)
        _hand_over(data)
        os.rename(data, work / "template")
        if prepared.template.exists():
            shutil.rmtree(prepared.template)
        os.rename(work / "template", prepared.template)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _hand_over(data: Path) -> None:
    """Make the template the invoking user's: sandbox servers may read it, never write it."""
    me = os.geteuid()
    for folder, dirs, files in os.walk(data):
        for name in (folder, *(os.path.join(folder, n) for n in (*dirs, *files))):
            if me == 0:
                os.chown(name, 0, 0, follow_symlinks=False)
            if not os.path.islink(name):
                os.chmod(name, 0o755 if os.path.isdir(name) else 0o644)


_LIVE: set[Server] = set()


@dataclass(eq=False)
class Server:
    """One running server over a unix socket in ``sockdir`` (its own 0700 folder)."""

    prepared: Prepared
    sockdir: Path
    data: Path
    user: osuser.ServerUser
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    #: the folder removed when the server stops (sandboxes only)
    folder: Path | None = None
    #: settings on top of SERVER_SETTINGS (a replay's statement_timeout)
    settings: dict[str, str] = field(default_factory=dict)

    def conninfo(self, dbname: str = "postgres", user: str = platform.PROJECT_ROLE) -> str:
        return f"host={self.sockdir} port={PORT} user={user} dbname={dbname}"

    def start(self, timeout: float = 60.0) -> None:
        log_path = self.sockdir / "server.log"
        log = open(log_path, "ab")  # noqa: SIM115 - owned by the process
        self.user.own(log_path)
        try:
            self.process = subprocess.Popen(
                _server_args(self.prepared, self.data, self.sockdir, self.settings),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                **self.user.popen_kwargs(self.prepared.env),  # type: ignore[arg-type]
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
                    psycopg.connect(
                        self.conninfo(user=platform.SUPERUSER), connect_timeout=5
                    ).close()
                    return
                except psycopg.OperationalError:
                    pass
            if time.monotonic() > deadline:
                self._fail(f"the server did not accept connections within {timeout:.0f} s")
            time.sleep(0.005)

    def _fail(self, what: str) -> None:
        log = (self.sockdir / "server.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise SandboxError(f"{what} ({self.prepared.installation.label})\n{log.strip()}")

    def connect(
        self, dbname: str = "postgres", user: str = platform.PROJECT_ROLE
    ) -> psycopg.Connection:
        """A connection as the project's role (``postgres``, not a superuser by default)."""
        return psycopg.connect(self.conninfo(dbname, user), autocommit=True)

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        """A connection as pgvet's own superuser: never hand it a project's SQL."""
        return self.connect(dbname, platform.SUPERUSER)

    def stop(self, fast: bool = True) -> None:
        """Stop the server (immediate shutdown unless ``fast`` is False), end every process
        it left behind, and remove its folder."""
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGQUIT if fast else signal.SIGINT)
                if not _exited(process.pid, timeout=30):
                    process.kill()
            # what it spawned: its process group while its pid is still held (an unreaped
            # exit keeps the group id from being reused), and as root the whole uid
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self.user.kill_everything()
        _LIVE.discard(self)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _exited(pid: int, timeout: float) -> bool:
    """Wait for child ``pid`` to exit without reaping it; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        if info is not None:
            return True
        time.sleep(0.005)
    return False


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
    """Remove sandboxes whose pgvet process died without cleaning up (e.g. kill -9).

    A live pgvet holds the lock of its sandbox folder (the lock file appears only once
    locked); a free lock means the owner is gone. Only a process that /proc proves to be
    that folder's server is killed (and, for a uid pgvet made for that sandbox, everything
    of that uid); a pid file is never trusted.
    """
    for folder in tmp.glob("pgvet-*"):
        with contextlib.suppress(OSError):
            info = folder.lstat()
            if info.st_uid != os.geteuid() or not stat.S_ISDIR(info.st_mode):
                continue
            try:
                fd = os.open(folder / "owner.lock", os.O_RDWR | os.O_NOFOLLOW)
            except FileNotFoundError:
                # being created right now, or left by an older pgvet: only when stale
                # and with no server provably running from it
                stale = time.time() - info.st_mtime > _SWEEP_GRACE_SECONDS
                if stale and not any(_running_server(d) for d in _data_folders(folder)):
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its pgvet is alive
                for data in _data_folders(folder):
                    _end_orphan(data)
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os.close(fd)


def _data_folders(folder: Path) -> list[Path]:
    return [d for d in (folder / "run" / "data", folder / "data") if d.is_dir()]


def _running_server(data: Path) -> int:
    """The pid of the server running from ``data``, proven through /proc, else 0."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pid if pid > 0 and osuser.proven_server(pid, data) else 0


def _end_orphan(data: Path) -> None:
    if pid := _running_server(data):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        uid = data.stat().st_uid
        if os.geteuid() == 0 and osuser.is_dedicated(uid):
            osuser.ServerUser(uid, uid, f"uid {uid}", dedicated=True).kill_everything()


def _take_lock(folder: Path) -> int:
    """Create ``folder/owner.lock`` already locked (locked under a temporary name, then
    renamed), so a sweeper never sees it unlocked while this pgvet lives."""
    temp = folder / ".owner.lock.new"
    fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(temp, folder / "owner.lock")
    return fd


@contextlib.contextmanager
def sandbox(prepared: Prepared, settings: dict[str, str] | None = None) -> Iterator[Server]:
    """A fresh server copied from the template; stopped and removed when the block ends.

    Layout: ``pgvet-XXXX/`` (the invoking user's, 0711) holds ``owner.lock``, locked while
    this pgvet lives, and ``run/`` (the server user's, 0700) with the data folder and the
    socket, so the server cannot touch the lock and nobody else can reach the socket.
    """
    tmp = scratch_root()
    _sweep_orphans(tmp)
    folder = Path(tempfile.mkdtemp(prefix="pgvet-", dir=tmp))
    lock = _take_lock(folder)
    # for people and tests looking for a run's sandbox; never trusted to decide a kill
    (folder / "owner.pid").write_text(str(os.getpid()))
    user = osuser.for_sandbox()
    run = folder / "run"
    server = Server(prepared, run, run / "data", user, folder=folder, settings=settings or {})
    try:
        folder.chmod(0o711)
        run.mkdir(mode=0o700)
        user.own(run)
        copy = subprocess.run(
            ["cp", "-R", "--no-preserve=all", str(prepared.template), str(server.data)],
            capture_output=True,
            text=True,
            check=False,
            umask=0o077,
            **user.popen_kwargs(),  # type: ignore[arg-type]
        )
        if copy.returncode != 0:
            raise SandboxError(f"could not copy the template cluster: {copy.stderr.strip()}")
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def raise_on_sigterm() -> None:
    """Turn SIGTERM (and SIGHUP) into SystemExit so every ``finally`` runs and servers stop."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
