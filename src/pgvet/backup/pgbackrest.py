"""pgBackRest for the PITR drill, confined to the drill's own folder.

pgBackRest reads ``/etc/pgbackrest/pgbackrest.conf`` and writes ``/var/lib/pgbackrest``,
``/var/log/pgbackrest``, ``/tmp/pgbackrest`` and ``/var/spool/pgbackrest`` unless told
otherwise; a drill must leave none of them touched. So every command names a private
configuration file (``--config``, ``--config-path``, ``--config-include-path``, all inside
the folder) that puts the repository, locks, logs and spool inside the folder too, and
turns file logging off. The commands run as the servers' OS user (a uid of the drill's
own as root, :mod:`pgvet.sandbox.osuser`), with the servers' minimal environment: the
folder is that user's and 0700, so pgBackRest reads and writes nothing else (the
primary's data folder it backs up, the restore's it writes, are that user's as well).

Where the drill's checks need the repository's content, they read it from pgBackRest
itself (``info --output=json``) or from its documented layout
(``archive/<stanza>/<db-id>/<timeline+log>/<segment>-<sha1>[.ext]``).
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pgvet.backup import pitr
from pgvet.errors import SandboxError
from pgvet.sandbox import osuser

#: The last pgBackRest release that cannot know PostgreSQL 16 (released after it): 2.45,
#: Debian 12's. A newer server fails its checks, so the drill chooses pg_basebackup (auto)
#: or refuses before starting anything. Later releases are not second-guessed.
_LAST_BEFORE_16 = (2, 45)
STANZA = "pgvet"
_SEGMENT_FILE = re.compile(r"^([0-9A-F]{24})-[0-9a-f]{40}(\.\w+)?$")
_RANGE = re.compile(r"wal start: ([0-9A-F]{24}), wal stop: ([0-9A-F]{24})")


def find() -> str | None:
    """The ``pgbackrest`` binary on PATH, if any."""
    return shutil.which("pgbackrest")


def version(binary: str) -> tuple[int, int]:
    """``pgBackRest 2.45`` → (2, 45)."""
    done = subprocess.run(
        [binary, "version"], capture_output=True, text=True, timeout=30, check=False,
        env=dict(osuser.SERVER_ENV),
    )  # fmt: skip
    match = re.search(r"pgBackRest (\d+)\.(\d+)", done.stdout)
    if done.returncode != 0 or match is None:
        raise SandboxError(f"{binary} version: {(done.stderr or done.stdout).strip()}")
    return int(match.group(1)), int(match.group(2))


def newest_major(release: tuple[int, int]) -> int | None:
    """The newest PostgreSQL major this pgBackRest release supports, when known."""
    return 15 if release <= _LAST_BEFORE_16 else None


@dataclass(frozen=True)
class Run:
    """One pgBackRest command as it ran (for the runbook) and how long it took."""

    command: str
    seconds: float
    output: str
    returncode: int = 0
    stdout: str = ""

    @property
    def failed(self) -> bool:
        return self.returncode != 0

    def summary(self) -> str:
        """Its ERROR/WARN lines (what went wrong), else its last line."""
        lines = [ln.strip() for ln in self.output.splitlines() if ln.strip()]
        errors = [ln for ln in lines if "ERROR:" in ln or "WARN:" in ln]
        return "; ".join(errors[:3]) or (lines[-1] if lines else f"exit {self.returncode}")


@dataclass(frozen=True)
class Repository:
    """A pgBackRest configuration and repository inside ``folder`` (the user's, 0700)."""

    binary: str
    folder: Path
    user: osuser.ServerUser

    @property
    def config(self) -> Path:
        return self.folder / "pgbackrest.conf"

    @property
    def archive(self) -> Path:
        """Where archived WAL segments live (one folder per database id and log)."""
        return self.folder / "repo" / "archive" / STANZA

    def base_args(self) -> list[str]:
        """The options every command gets: nothing is read from /etc."""
        return [
            self.binary,
            f"--config={self.config}",
            f"--config-path={self.folder}",
            f"--config-include-path={self.folder / 'conf.d'}",
            f"--stanza={STANZA}",
        ]

    def archive_command(self) -> str:
        """Run by the server through the shell: the paths quoted, ``%p`` left to it."""
        return shlex.join([*self.base_args(), "archive-push"]) + " %p"

    def write_config(self, data: Path, sockdir: Path, port: int, db_user: str) -> str:
        """Create the folder's layout and the configuration file; return its text."""
        for name in ("repo", "lock", "log", "spool", "conf.d"):
            (self.folder / name).mkdir(mode=0o700, exist_ok=True)
            self.user.own(self.folder / name)
        text = "\n".join(
            [
                "[global]",
                f"repo1-path={self.folder / 'repo'}",
                "repo1-retention-full=1",
                f"lock-path={self.folder / 'lock'}",
                f"log-path={self.folder / 'log'}",
                f"spool-path={self.folder / 'spool'}",
                "log-level-file=off",
                "log-level-console=warn",
                "log-level-stderr=off",
                "compress-type=lz4",
                "start-fast=y",
                "archive-timeout=60",
                "",
                f"[{STANZA}]",
                f"pg1-path={data}",
                f"pg1-socket-path={sockdir}",
                f"pg1-port={port}",
                f"pg1-user={db_user}",
                "",
            ]
        )
        self.config.write_text(text)
        self.config.chmod(0o600)
        self.user.own(self.config)
        return text

    def run(self, command: str, *extra: str, timeout: float = 600, ok: bool = True) -> Run:
        """Run one pgBackRest command as the servers' user; raise when it fails (``ok``)."""
        args = [*self.base_args(), command, *extra]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, timeout=timeout, check=False,
                errors="replace", **self.user.popen_kwargs(),  # type: ignore[arg-type]
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise SandboxError(f"pgbackrest {command} ran past {timeout:.0f} s") from exc
        output = (done.stdout + done.stderr).strip()
        seconds = time.perf_counter() - started
        result = Run(shlex.join(args), seconds, output, done.returncode, done.stdout.strip())
        if ok and result.failed:
            raise SandboxError(f"pgbackrest {command} failed: {result.summary()}")
        return result

    def recovery_settings(self, data: Path) -> str:
        """The recovery lines ``restore`` wrote into the data folder's
        ``postgresql.auto.conf`` (restore_command, recovery_target_*)."""
        conf = (data / "postgresql.auto.conf").read_text(errors="replace")
        keep = ("restore_command", "recovery_target")
        return "".join(ln for ln in conf.splitlines(True) if ln.startswith(keep))

    def latest_backup(self) -> tuple[str, int, int]:
        """The latest backup's first WAL segment, its size in the repository and its stop
        time (Unix seconds) (``info --output=json``)."""
        info = json.loads(self.run("info", "--output=json").output)
        backups = info[0]["backup"] if info else []
        if not backups:
            raise SandboxError("pgbackrest info lists no backup in the drill's repository")
        last = backups[-1]
        return (
            str(last["archive"]["start"]),
            int(last["info"]["repository"]["size"]),
            int(last["timestamp"]["stop"]),
        )

    def archived(self) -> dict[str, Path]:
        """Every WAL segment in the repository, by name."""
        found: dict[str, Path] = {}
        if self.archive.is_dir():
            for path in self.archive.rglob("*"):
                if match := _SEGMENT_FILE.match(path.name):
                    found[match.group(1)] = path
        return found


@dataclass(frozen=True)
class Verified:
    """What ``pgbackrest verify`` said: its report, the WAL ranges it found, the gaps."""

    report: str
    ranges: tuple[tuple[str, str], ...]
    gaps: tuple[str, ...]
    ok: bool


def verify(repo: Repository, segment_size: int) -> tuple[Run, Verified]:
    """``verify`` with its ``--output=text --verbose`` report on stdout and, logged at
    ``detail`` level on stderr, the archive's continuous WAL ranges. Its status stays
    ``ok`` when a segment after the backup is gone (2.45 checks each file it finds, and
    the backup's own WAL is intact), but the ranges then break around it: every segment
    between two ranges is a gap."""
    done = repo.run(
        "verify", "--output=text", "--verbose", "--log-level-console=off",
        "--log-level-stderr=detail", ok=False,
    )  # fmt: skip
    ranges = tuple(_RANGE.findall(done.output))
    gaps: list[str] = []
    for (_, stop), (start, _) in itertools.pairwise(ranges):
        if stop[:8] == start[:8]:  # same timeline
            gaps += pitr.segment_range(stop, start, segment_size)[1:-1]
    ok = not done.failed and "status: ok" in done.stdout
    return done, Verified(done.stdout, ranges, tuple(gaps), ok)
