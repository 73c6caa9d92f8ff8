"""Who a sandbox server runs as, with what environment, and how all of it is ended.

Migrations are untrusted input. Even though they run as a non-superuser role, the server
process is the last wall between them and the host, so when pgvet runs as root every
sandbox gets an OS user of its own: a fresh numeric uid with no passwd entry, that owns
nothing but that sandbox's folder. It is not ``postgres`` (which owns the system cluster
and is trusted by its peer authentication) nor ``nobody`` (shared by other services), it
is in no supplementary group, and it cannot write the cached installation or template
(owned by the invoking user). Because the uid is the sandbox's alone, "every process of
this sandbox and anything it spawned" is exactly "every process of this uid", which pgvet
kills when the sandbox ends, whatever the processes did to detach themselves.

``initdb`` looks its user up by name, so the template cluster (built once from pgvet's own
SQL, never from a project's) is made as ``nobody`` and then handed to the invoking user.

Run as a normal user, pgvet cannot change uid: the server runs as that user, the
non-superuser role is the wall, and cleanup kills the server's process group.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

from pgvet.errors import SandboxError

#: Dedicated uids are drawn from here when the user namespace maps it (it normally does).
DEDICATED_BASE = 1_500_000_000
DEDICATED_SPAN = 500_000_000
#: …else from here (containers that map only 0–65535), skipping uids with a passwd entry.
SMALL_BASE, SMALL_SPAN = 60_100, 4_800
#: The only environment a server gets: nothing of pgvet's (tokens, DSNs, CI secrets).
SERVER_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}


def _mapped_ranges() -> list[tuple[int, int]]:
    """uid ranges usable in this user namespace, as (first, count)."""
    try:
        lines = Path("/proc/self/uid_map").read_text().split("\n")
    except OSError:
        return [(0, 65536)]
    return [(int(p[0]), int(p[2])) for p in (ln.split() for ln in lines) if len(p) == 3]


def _free(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return True
    return False


def is_dedicated(uid: int) -> bool:
    """Whether ``uid`` is one pgvet hands out to a sandbox (and so may be killed whole)."""
    in_range = DEDICATED_BASE <= uid < DEDICATED_BASE + DEDICATED_SPAN or (
        SMALL_BASE <= uid < SMALL_BASE + SMALL_SPAN
    )
    return in_range and _free(uid)


def _fresh_uid() -> int:
    ranges = _mapped_ranges()

    def mapped(uid: int) -> bool:
        return any(first <= uid < first + count for first, count in ranges)

    for base, span in ((DEDICATED_BASE, DEDICATED_SPAN), (SMALL_BASE, SMALL_SPAN)):
        if not (mapped(base) and mapped(base + span - 1)):
            continue
        for _ in range(64):
            uid = base + secrets.randbelow(span)
            if _free(uid) and not _uid_has_processes(uid):
                return uid
    raise SandboxError(
        "no free uid to run the sandbox server as",
        hint="pgvet runs each sandbox as a uid of its own when started as root; "
        "run pgvet as a normal user instead",
    )


def _uid_has_processes(uid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    return True
    return False


@dataclass(frozen=True)
class ServerUser:
    """The OS identity a server (or initdb) runs as."""

    uid: int
    gid: int
    name: str
    #: a uid made for one sandbox: killing all its processes harms nothing else
    dedicated: bool = False

    @property
    def switching(self) -> bool:
        return os.geteuid() == 0

    def popen_kwargs(self, env: dict[str, str] | None = None) -> dict[str, object]:
        """subprocess arguments that run a child as this user, in no other group, with the
        server's environment (plus ``env``: what the binaries need to load)."""
        base: dict[str, object] = {"env": {**SERVER_ENV, **(env or {})}}
        if self.switching:
            base.update(user=self.uid, group=self.gid, extra_groups=[])
        return base

    def own(self, path: Path) -> None:
        if self.switching:
            os.chown(path, self.uid, self.gid)

    def kill_everything(self) -> None:
        """SIGKILL every process of this uid (dedicated uids only), however detached.

        A child that takes the uid and signals -1 reaches exactly the processes of that
        uid; repeated until none is left, in case one was forking.
        """
        if not (self.dedicated and self.switching):
            return
        for _ in range(20):
            if not _uid_has_processes(self.uid):
                return
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child
                try:
                    os.setgroups([])
                    os.setgid(self.gid)
                    os.setuid(self.uid)
                    os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)


def for_template() -> ServerUser:
    """Who runs initdb and the stand-ins once: the invoking user, or ``nobody`` as root."""
    if os.geteuid() != 0:
        return ServerUser(os.geteuid(), os.getegid(), pwd.getpwuid(os.geteuid()).pw_name)
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError as exc:
        raise SandboxError(
            "running as root and there is no 'nobody' user to build the template as",
            hint="PostgreSQL refuses to run as root; run pgvet as a normal user",
        ) from exc
    return ServerUser(entry.pw_uid, entry.pw_gid, "nobody")


def for_sandbox() -> ServerUser:
    """Who runs one sandbox: a uid of its own as root, else the invoking user."""
    if os.geteuid() != 0:
        return for_template()
    uid = _fresh_uid()
    return ServerUser(uid, uid, f"uid {uid}", dedicated=True)


def proven_server(pid: int, data: Path) -> bool:
    """Whether ``pid`` is provably the server of the cluster in ``data``.

    A pid file can be planted or stale (the pid reused by another program); only the
    process's own record in /proc counts: same owner as the data folder, and a command
    line naming this data folder.
    """
    proc = Path(f"/proc/{pid}")
    try:
        owner = data.stat().st_uid
        if proc.stat().st_uid != owner:
            return False
        args = (proc / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    target = str(data).encode()
    return any(a == b"-D" and b == target for a, b in itertools.pairwise(args))
