"""pg_dump's archive formats (custom, directory, tar): checked, then restored by pg_restore.

pg_restore is PostgreSQL's own reader of these formats, so pgvet runs it rather than
parsing them: the one of the sandbox's installation (same major as the server; a dump from
a newer pg_dump needs a newer pg_restore, which the error says), as the invoking user,
against the sandbox's unix socket, with a minimal environment (nothing of pgvet's: no
DSNs, no tokens) and a time limit. It does not stop at the first failing entry; each
failure is reported with the archive item it belongs to (``--verbose`` names each item as
it is restored; ``pg_restore -l`` lists them), the archive's equivalent of a line number.
An error that is not a failing SQL command means the archive itself cannot be read
(truncated, corrupted, a missing data file): that is bad input.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from pgvet.backup.restore import FileRestore, Issue, RestoreResult
from pgvet.errors import InputError
from pgvet.sandbox import cluster

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
_TOC = re.compile(r"from TOC entry (\d+); \d+ \d+ (.*)$")
_ITEM = re.compile(r"^pg_restore: (?:creating|processing data for table|executing) (.+)$")
_QUERY_ERROR = re.compile(r"error: could not execute query: (?:ERROR|FATAL):\s+(.*)$")
_EXISTS_WORDING = re.compile(r"already exists")


def detect(path: Path) -> str:
    """plain, custom, directory or tar, from the content (not the name)."""
    if path.is_dir():
        if (path / "toc.dat").is_file():
            return "directory"
        raise InputError(
            f"{path}: a folder, but not a pg_dump directory archive (no toc.dat)",
            hint="give the folder pg_dump -Fd wrote, or the dump files themselves",
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the dump: {exc.strerror or exc}") from exc
    if head.startswith(b"PGDMP"):
        return "custom"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return "plain"


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            args,
            capture_output=True,
            text=True,
            env=dict(ENV),
            timeout=timeout,
            check=False,
            errors="replace",
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(
            f"{Path(args[0]).name} ran past its time limit ({timeout:.0f} s)",
            hint="raise --timeout",
        ) from exc


def check_archive(server: cluster.Server, path: Path, timeout: float) -> int:
    """``pg_restore -l``: the archive's table of contents is readable; its entry count."""
    done = _run([str(server.prepared.bindir / "pg_restore"), "-l", str(path)], timeout)
    if done.returncode != 0:
        message = _fatal(done.stderr) or "pg_restore could not read it"
        raise InputError(f"{path}: not a readable pg_dump archive: {message}", hint=_hint(message))
    return sum(1 for line in done.stdout.splitlines() if line and not line.startswith(";"))


def _fatal(stderr: str) -> str:
    for line in stderr.splitlines():
        if "error:" in line and "could not execute query" not in line:
            return line.split("error:", 1)[1].strip()
    return ""


def _hint(message: str) -> str:
    if "unsupported version" in message:
        return "the archive was written by a newer pg_dump: run with --pg-version of that major"
    return (
        "the archive is truncated or corrupted: copy or dump it again (`pg_restore -l` checks it)"
    )


def restore_archive(
    server: cluster.Server,
    path: Path,
    fmt: str,
    role: str,
    result: RestoreResult,
    timeout: float,
    database: str = "postgres",
) -> FileRestore:
    """Run pg_restore into the sandbox's ``database`` as ``role``; record each failing entry
    (named by the item ``--verbose`` announced before it)."""
    entries = check_archive(server, path, timeout)
    started = time.perf_counter()
    args = [
        str(server.prepared.bindir / "pg_restore"),
        "--no-password",
        "--verbose",
        "-h",
        str(server.sockdir),
        "-p",
        str(cluster.PORT),
        "-U",
        role,
        "-d",
        database,
        str(path),
    ]
    done = _run(args, timeout)
    restored = FileRestore(str(path), fmt, "archive", statements=entries)
    restored.seconds = time.perf_counter() - started
    result.files.append(restored)
    fatal = _parse(done.stderr, str(path), result)
    if fatal:
        raise InputError(f"{path}: the archive cannot be restored: {fatal}", hint=_hint(fatal))
    return restored


def _parse(stderr: str, file: str, result: RestoreResult) -> str:
    """Record each failing TOC entry; return the first error that is not a SQL failure."""
    toc = ""
    lines = stderr.splitlines()
    fatal = ""
    for n, line in enumerate(lines):
        if m := _TOC.search(line):
            toc = f"TOC entry {m.group(1)} ({m.group(2).strip()})"
        elif m := _ITEM.match(line):
            toc = m.group(1).strip().replace('"', "")
        elif m := _QUERY_ERROR.search(line):
            command = ""
            if n + 1 < len(lines) and lines[n + 1].startswith("Command was:"):
                command = lines[n + 1].removeprefix("Command was:").strip()
            message = m.group(1).strip()
            exists = bool(_EXISTS_WORDING.search(message))
            result.issues.append(
                Issue(
                    file,
                    toc or "archive",
                    "exists" if exists else "failed",
                    message,
                    statement=command[:200],
                )
            )
        elif "error:" in line and not fatal and "could not execute query" not in line:
            fatal = line.split("error:", 1)[1].strip()
    return fatal
