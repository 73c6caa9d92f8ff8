"""``pgvet backup drill``: a complete point-in-time-recovery drill on servers pgvet starts.

1. A primary with WAL archiving (``wal_level=replica``, ``archive_mode=on``, an
   ``archive_command`` copying into a folder of its own, ``archive_timeout``), durability
   on: the sandbox's default settings turn WAL and fsync off, a drill needs them.
2. Optionally the project's migrations and seed, so the drill restores the real schema.
3. A base backup: with pgBackRest when it is installed (``--tool auto``; see
   :mod:`pgvet.backup.pgbackrest`: stanza, ``archive-push`` as the ``archive_command``,
   ``backup --type=full``, ``verify``, ``restore --type=…``), else pg_basebackup (as the
   invoking user, into pgvet's own folder) and a ``cp`` archive.
4. Writes in batches; after each, a recorded point: clock time, LSN, a named restore
   point, and the content hash of every table (:mod:`pgvet.backup.snapshot`).
5. For each target kind (restore point name, LSN, time): the archive is checked for every
   segment the target needs; the base backup is copied into a new server with
   ``recovery.signal``, ``restore_command`` and ``recovery_target_*`` in
   ``postgresql.auto.conf``, ``recovery_target_action = 'promote'``; once promoted its
   tables are hashed and must equal the recorded point, and hold nothing written after.
   RTO is the time from the copy of the base backup to that verified server.

Every server is a sandbox (:mod:`pgvet.backup.servers`): stopped and removed on success,
error, Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

from pgvet.backup import pgbackrest, pitr
from pgvet.backup.compare import diff_table
from pgvet.backup.servers import copy_template, hand_to, scratch_server, work_folder
from pgvet.backup.snapshot import QualifiedName, TableData, take_snapshot
from pgvet.errors import InputError, PgvetError, SandboxError
from pgvet.replay.limits import Limits
from pgvet.replay.watchdog import Watchdog
from pgvet.sandbox import binaries, cluster, osuser, platform

#: The primary's settings on top of the sandbox's: WAL and durability back on.
PRIMARY_SETTINGS = {
    "wal_level": "replica",
    "archive_mode": "on",
    "archive_timeout": "60s",
    "max_wal_senders": "4",
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
}
#: A restored server: hot standby needs max_wal_senders at least the primary's.
RESTORE_SETTINGS = {"wal_level": "replica", "max_wal_senders": "4"}
TARGET_KINDS = ("name", "lsn", "time")
TOOLS = ("auto", "pgbackrest", "basebackup")
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
DRILL_TABLE = "pgvet_drill.events"


@dataclass(frozen=True)
class Point:
    """A recorded point in time: what the database held right then."""

    name: str
    batch: int
    time: str
    lsn: str
    tables: dict[QualifiedName, TableData]

    @property
    def rows(self) -> int:
        return sum(t.count for t in self.tables.values())


@dataclass(frozen=True)
class Step:
    """A command the drill ran, as it ran it, and how long it took."""

    what: str
    command: str
    seconds: float


@dataclass
class RestoreRun:
    """One restore to one target."""

    kind: str
    target: str
    point: str
    ok: bool = False
    rto: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    needed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    settings: str = ""
    #: pgBackRest ``verify``'s report on the repository before this restore
    verify: str = ""


@dataclass
class DrillReport:
    """Everything the drill did and measured."""

    server: str
    primary_settings: dict[str, str]
    segment_size: int
    project: str | None = None
    tool: str = "basebackup"
    tool_reason: str = ""
    points: list[Point] = field(default_factory=list)
    restores: list[RestoreRun] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    base_seconds: float = 0.0
    base_bytes: int = 0
    archived: list[str] = field(default_factory=list)
    archive_lag: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.restores) and all(r.ok for r in self.restores)


@dataclass(frozen=True)
class DrillRequest:
    """What to drill: server major, optional project, targets, workload size."""

    pg_version: int | None = None
    project: Path | None = None
    targets: tuple[str, ...] = TARGET_KINDS
    point: int = 2
    batches: int = 4
    rows: int = 2000
    limits: Limits = field(default_factory=Limits)
    tool: str = "auto"
    #: decode the project's migration files with a byte-order mark (None: its ``[replay]``)
    decode_bom: bool | None = None


#: Called with the archive folder and the segments the target needs beyond the base
#: backup, before each restore (tests remove a segment to prove the check).
BeforeRestore = Callable[[Path, tuple[str, ...]], None]


def _say(console: Console | None, message: str) -> None:
    if console is not None:
        console.print(f"[dim]{message}[/]", highlight=False)


def run_drill(
    request: DrillRequest,
    console: Console | None = None,
    before_restore: BeforeRestore | None = None,
) -> DrillReport:
    """Run the drill; every server it starts is stopped and removed whatever happens."""
    if not 1 <= request.point < request.batches:
        raise InputError(
            f"--point {request.point}: the target must be one of points 1 to "
            f"{request.batches - 1}, so that a later point proves nothing after it came back"
        )
    if unknown := set(request.targets) - set(TARGET_KINDS):
        raise InputError(f"unknown target kind(s): {', '.join(sorted(unknown))}")
    project = None
    if request.project is not None:
        from pgvet.replay.project import load_project

        project = load_project(request.project)
    major = request.pg_version or (project.major_version if project else None)
    installation, warning = binaries.choose(major)
    if warning:
        _say(console, f"warning: {warning}")
    tool, reason, binary = choose_tool(request.tool, installation.major)
    _say(console, f"backup tool: {tool} ({reason})")
    prepared = cluster.prepare(installation)
    started = time.perf_counter()
    settings = {**PRIMARY_SETTINGS, **request.limits.server_settings()}
    report = DrillReport(installation.label, settings, 0, str(request.project or ""), tool, reason)
    with work_folder() as work:
        if binary is not None:
            _pgbackrest_drill(
                prepared, binary, work, request, project, report, before_restore, console
            )
        else:
            _basebackup_drill(prepared, work, request, project, report, before_restore, console)
    report.primary_settings = dict(settings)
    report.seconds = time.perf_counter() - started
    return report


def choose_tool(requested: str, major: int) -> tuple[str, str, str | None]:
    """The backup tool (``pgbackrest`` or ``basebackup``), why, and pgBackRest's binary."""
    if requested not in TOOLS:
        raise InputError(f"--tool {requested}: expected one of {', '.join(TOOLS)}")
    if requested == "basebackup":
        return "basebackup", "--tool basebackup", None
    binary = pgbackrest.find()
    if binary is None:
        if requested == "pgbackrest":
            raise InputError(
                "--tool pgbackrest: no `pgbackrest` on PATH",
                hint="apt-get install pgbackrest (Debian packages it), or --tool basebackup",
            )
        return "basebackup", "--tool auto: no `pgbackrest` on PATH", None
    release = pgbackrest.version(binary)
    label = f"pgBackRest {release[0]}.{release[1]}"
    newest = pgbackrest.newest_major(release)
    if newest is not None and major > newest:
        why = f"{label} ({binary}) supports PostgreSQL up to {newest}, not {major}"
        if requested == "pgbackrest":
            raise InputError(
                f"--tool pgbackrest: {why}",
                hint=f"--pg-version {newest}, a newer pgBackRest, or --tool basebackup",
            )
        return "basebackup", f"--tool auto: {why}", None
    return "pgbackrest", f"--tool {requested}: {label} found at {binary}", binary


def _basebackup_drill(
    prepared: cluster.Prepared,
    work: Path,
    request: DrillRequest,
    project: Any,
    report: DrillReport,
    before_restore: BeforeRestore | None,
    console: Console | None,
) -> None:
    """pg_basebackup and a ``cp`` archive_command into the primary's own folder."""
    settings = report.primary_settings

    def fill(run: Path, user: osuser.ServerUser) -> None:
        copy_template(prepared)(run, user)
        archive = run / "archive"
        archive.mkdir(mode=0o700)
        user.own(archive)
        settings["archive_command"] = f"test ! -f {archive}/%f && cp %p {archive}/%f"

    with scratch_server(prepared, settings, fill) as primary:
        primary.start()
        archive = primary.sockdir / "archive"
        with Watchdog(request.limits, primary.stop) as watchdog:
            conn = watchdog.watch(primary.admin())
            with conn:
                report.segment_size = _segment_size(conn)
                if project is not None:
                    _load_project(primary, project, watchdog, console, request.decode_bom)
                base = _base_backup(primary, work, report, console)
                _writes(conn, request, report, console)
                _archive_all(conn, archive, report, request.limits, console)
        for kind in request.targets:
            point = report.points[request.point - 1]
            after = report.points[request.point]
            run = _restore(
                prepared, base, archive, kind, point, after, report, before_restore, console
            )
            report.restores.append(run)


def _pgbackrest_drill(
    prepared: cluster.Prepared,
    binary: str,
    work: Path,
    request: DrillRequest,
    project: Any,
    report: DrillReport,
    before_restore: BeforeRestore | None,
    console: Console | None,
) -> None:
    """pgBackRest: a stanza in a repository inside the drill's folder, ``archive-push`` as
    the archive_command, a full backup; the primary is then stopped (lost) and each
    target restored from the repository alone."""
    # one OS user for the primary and the restores (one after another): the repository
    # and the restores' archive-get are theirs, in a folder only they can enter
    user = osuser.for_sandbox()
    work.chmod(0o711)
    folder = work / "pgbackrest"
    folder.mkdir(mode=0o700)
    user.own(folder)
    repo = pgbackrest.Repository(binary, folder, user)
    settings = report.primary_settings
    settings["archive_command"] = repo.archive_command()

    def fill(run: Path, owner: osuser.ServerUser) -> None:
        copy_template(prepared)(run, owner)
        text = repo.write_config(run / "data", run, cluster.PORT, platform.SUPERUSER)
        report.steps.append(Step(f"pgBackRest configuration ({repo.config})", text, 0.0))

    def step(what: str, done: pgbackrest.Run) -> pgbackrest.Run:
        report.steps.append(Step(what, done.command, done.seconds))
        return done

    with scratch_server(prepared, settings, fill, user=user) as primary:
        primary.start()
        with Watchdog(request.limits, primary.stop) as watchdog:
            conn = watchdog.watch(primary.admin())
            with conn:
                report.segment_size = _segment_size(conn)
                _say(console, "pgbackrest stanza-create, check")
                step("create the stanza", repo.run("stanza-create"))
                step("check the configuration and archiving", repo.run("check"))
                if project is not None:
                    _load_project(primary, project, watchdog, console, request.decode_bom)
                _say(console, "base backup (pgbackrest backup --type=full)")
                backup = step("base backup", repo.run("backup", "--type=full"))
                report.base_seconds = backup.seconds
                first, report.base_bytes, stopped = repo.latest_backup()
                # pgBackRest keeps a backup's stop time in whole seconds and restores to a
                # time only from a backup that stopped before it: a point in the backup's
                # last second would find none (seen on a loaded machine)
                time.sleep(max(0.0, stopped + 1 - time.time()))
                _writes(conn, request, report, console)
                _archive_all(conn, repo.archive, report, request.limits, console, repo)
        primary.stop()  # the primary is lost: what follows uses the repository alone
    for kind in request.targets:
        point = report.points[request.point - 1]
        after = report.points[request.point]
        run = _restore_pgbackrest(
            prepared, repo, first, kind, point, after, report, before_restore, console
        )
        report.restores.append(run)


def _segment_size(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("select setting from pg_settings where name = 'wal_segment_size'")
    return int(row.fetchone()[0])  # type: ignore[index]


def _load_project(
    primary: cluster.Server,
    project: Any,
    watchdog: Watchdog,
    console: Console | None,
    decode_bom: bool | None = None,
) -> None:
    """The project replayed as every command replays it: its ``[replay]`` prelude and
    byte-order-mark setting (``--decode-bom`` wins), then its seed."""
    from pgvet.config import load_config
    from pgvet.replay.apply import replay
    from pgvet.replay.prelude import load_prelude

    settings = load_config(project.root).replay
    _say(console, f"replaying {project.root} on the primary")
    with watchdog.watch(primary.connect()) as conn:
        result = replay(
            conn,
            project,
            server=primary.prepared.installation.label,
            watchdog=watchdog,
            prelude=load_prelude(project, settings.prelude),
            decode_bom=settings.decode_bom if decode_bom is None else decode_bom,
        )
        if not result.ok:
            raise PgvetError(
                f"{project.root}: the migrations do not replay, so the drill cannot use them",
                hint=f"see `pgvet replay {project.root}`, or drill without --project",
            )
        for seed in project.seed_paths:
            with conn.transaction():
                conn.execute(seed.read_text(encoding="utf-8").encode())


def _base_backup(
    primary: cluster.Server, work: Path, report: DrillReport, console: Console | None
) -> Path:
    """pg_basebackup, as the invoking user, into pgvet's own folder."""
    base = work / "base"
    args = [
        str(primary.prepared.bindir / "pg_basebackup"),
        "-h", str(primary.sockdir), "-p", str(cluster.PORT), "-U", platform.SUPERUSER,
        "-D", str(base), "-X", "stream", "-c", "fast", "--no-password",
    ]  # fmt: skip
    _say(console, "base backup (pg_basebackup)")
    started = time.perf_counter()
    done = subprocess.run(
        args, capture_output=True, text=True, env=dict(ENV), timeout=600, check=False
    )
    report.base_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SandboxError(f"pg_basebackup failed: {done.stderr.strip()}")
    report.base_bytes = sum(p.stat().st_size for p in base.rglob("*") if p.is_file())
    report.steps.append(Step("base backup", " ".join(args), report.base_seconds))
    return base


def _writes(
    conn: psycopg.Connection[Any],
    request: DrillRequest,
    report: DrillReport,
    console: Console | None,
) -> None:
    """Batches of inserts and updates, a recorded point after each."""
    setup = (
        "create schema pgvet_drill; create table pgvet_drill.events (n bigint primary key, "
        "batch int not null, payload text not null, at timestamptz not null default "
        "clock_timestamp())"
    )
    conn.execute(setup)
    report.steps.append(Step("drill table", setup, 0.0))
    conn.execute("set timezone = 'UTC'")
    for batch in range(1, request.batches + 1):
        first = (batch - 1) * request.rows + 1
        write = (
            f"insert into {DRILL_TABLE} (n, batch, payload) select g, {batch}, "
            f"md5(g::text) from generate_series({first}, {first + request.rows - 1}) g; "
            f"update {DRILL_TABLE} set payload = payload || '+{batch}' where n % 10 = {batch % 10}"
        )
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(write)
        name = f"pgvet_drill_{batch}"
        record = (
            f"select pg_create_restore_point('{name}'), clock_timestamp()::text, "
            "pg_current_wal_insert_lsn()::text"
        )
        _, at, lsn = conn.execute(record).fetchone()  # type: ignore[misc]
        snap = take_snapshot(conn, f"point {name}")
        conn.execute("select pg_switch_wal()")  # what archive_timeout does, without the wait
        report.points.append(Point(name, batch, at, lsn, snap.tables))
        report.steps.append(Step(f"batch {batch}", write, time.perf_counter() - started))
        if batch == 1:
            report.steps.append(Step("record a point", record, 0.0))
        _say(console, f"point {name}: {at} at {lsn}")
        time.sleep(0.05)  # the next commit is strictly later than the recorded time


def _archive_all(
    conn: psycopg.Connection[Any],
    archive: Path,
    report: DrillReport,
    limits: Limits,
    console: Console | None,
    repo: pgbackrest.Repository | None = None,
) -> None:
    """Wait until the archiver has copied the segment of the last recorded point."""
    # the last point's segment, which the write loop switched away from (a switch with
    # nothing important written since the last one does nothing: never wait on that)
    last = pitr.segment_name(pitr.parse_lsn(report.points[-1].lsn), report.segment_size)
    started = time.perf_counter()
    deadline = time.monotonic() + min(limits.statement, 120)
    while True:
        done, failed, failed_wal = conn.execute(
            "select last_archived_wal, failed_count, last_failed_wal from pg_stat_archiver"
        ).fetchone()  # type: ignore[misc]
        if done is not None and done >= last:
            break
        if failed:
            raise SandboxError(f"archive_command failed for {failed_wal}")
        if time.monotonic() > deadline:
            raise SandboxError(f"WAL segment {last} was not archived in time")
        time.sleep(0.02)
    report.archive_lag = time.perf_counter() - started
    if repo is not None:
        report.archived = sorted(repo.archived())
    else:
        report.archived = sorted(p.name for p in archive.iterdir() if len(p.name) == 24)
    _say(console, f"{len(report.archived)} WAL segments archived")


def _target(kind: str, point: Point) -> str:
    return {"name": point.name, "lsn": point.lsn, "time": point.time}[kind]


def _restore(
    prepared: cluster.Prepared,
    base: Path,
    archive: Path,
    kind: str,
    point: Point,
    after: Point,
    report: DrillReport,
    before_restore: BeforeRestore | None,
    console: Console | None,
) -> RestoreRun:
    """Restore the base backup to one target and verify it against the recorded point."""
    target = _target(kind, point)
    run = RestoreRun(kind, target, point.name)
    # recovery stops at the target's record, or, for a time, at the next commit after it
    stop = pitr.parse_lsn(after.lsn if kind == "time" else point.lsn)
    run.needed = pitr.check_archive(archive, base, stop, report.segment_size).needed
    if before_restore is not None:
        before_restore(archive, run.needed)
    check = pitr.check_archive(archive, base, stop, report.segment_size)
    run.missing = check.missing
    for segment in check.missing:
        run.problems.append(
            f"WAL segment {segment} is missing from the archive: recovery to {point.name} "
            f"needs every segment from {check.needed[0]} to {check.needed[-1]}"
        )
    _say(console, f"restoring to {kind} {target}")
    started = time.perf_counter()
    state: dict[str, float] = {}

    def fill(run_dir: Path, user: osuser.ServerUser) -> None:
        shutil.copytree(base, run_dir / "data", symlinks=True)
        copy = run_dir / "archive"
        shutil.copytree(archive, copy)
        run.settings = pitr.recovery_settings(copy, kind, target)
        with (run_dir / "data" / "postgresql.auto.conf").open("a") as conf:
            conf.write(run.settings)
        (run_dir / "data" / "recovery.signal").touch()
        hand_to(run_dir / "data", user)
        hand_to(copy, user)
        state["copy"] = time.perf_counter() - started

    return _start_and_check(prepared, fill, run, point, started, state)


def _start_and_check(
    prepared: cluster.Prepared,
    fill: Callable[[Path, osuser.ServerUser], None],
    run: RestoreRun,
    point: Point,
    started: float,
    state: dict[str, float],
    user: osuser.ServerUser | None = None,
) -> RestoreRun:
    """Start the restored server, wait for its promotion, compare it with ``point``."""
    kind = run.kind
    try:
        with scratch_server(prepared, dict(RESTORE_SETTINGS), fill, user=user) as server:
            try:
                server.start(timeout=120)
                _wait_promoted(server)
            except (SandboxError, psycopg.Error, TimeoutError) as exc:
                # a server that exited during start-up is already stopped and removed (its
                # log is in the error)
                log_path = server.sockdir / "server.log"
                log = log_path.read_text(errors="replace") if log_path.exists() else ""
                text = str(exc) if "FATAL" in str(exc) else f"{exc}\n{log}"
                run.problems.append(f"the restore did not come up: {_fatal_lines(text)}")
                run.timings = {"copy": state.get("copy", 0.0)}
                return run
            state["recovery"] = time.perf_counter() - started - state["copy"]
            with server.admin() as conn:
                restored = take_snapshot(conn, f"restore to {kind}")
                latest = conn.execute(
                    f"select coalesce(max(batch), 0) from {DRILL_TABLE}"
                ).fetchone()
    except SandboxError as exc:  # the restore's data folder could not be made
        run.problems.append(str(exc))
        run.timings = {"copy": state.get("copy", 0.0)}
        return run
    for key in sorted(point.tables.keys() | restored.tables.keys()):
        a, b = point.tables.get(key), restored.tables.get(key)
        if a is None or b is None:
            run.problems.append(f"table {'.'.join(key)} differs from the recorded point")
        elif diff := diff_table(".".join(key), a, b):
            run.problems.append(f"{diff.name}: {diff.detail}")
    if latest is None or latest[0] != point.batch:
        run.problems.append(
            f"the restore holds batch {latest[0] if latest else '?'} of {DRILL_TABLE}: "
            f"expected {point.batch}, nothing after the target"
        )
    run.rto = time.perf_counter() - started
    state["verify"] = run.rto - state["copy"] - state["recovery"]
    run.timings = state
    run.ok = not run.problems
    return run


def _restore_pgbackrest(
    prepared: cluster.Prepared,
    repo: pgbackrest.Repository,
    first: str,
    kind: str,
    point: Point,
    after: Point,
    report: DrillReport,
    before_restore: BeforeRestore | None,
    console: Console | None,
) -> RestoreRun:
    """``pgbackrest restore --type=KIND --target=…`` into a new data folder, after pgvet's
    scan of the repository and pgBackRest's ``verify``; then the same checks."""
    target = _target(kind, point)
    run = RestoreRun(kind, target, point.name)
    stop = pitr.parse_lsn(after.lsn if kind == "time" else point.lsn)
    last = pitr.segment_name(stop, report.segment_size)
    run.needed = tuple(pitr.segment_range(first, last, report.segment_size))
    if before_restore is not None:
        before_restore(repo.archive, run.needed)
    present = repo.archived()
    run.missing = tuple(s for s in run.needed if s not in present)
    for segment in run.missing:
        run.problems.append(
            f"WAL segment {segment} is missing from the pgBackRest repository: recovery to "
            f"{point.name} needs every segment from {run.needed[0]} to {run.needed[-1]}"
        )
    _say(console, "pgbackrest verify")
    done, verified = pgbackrest.verify(repo, report.segment_size)
    report.steps.append(Step(f"verify the repository (before {kind})", done.command, done.seconds))
    run.verify = verified.report
    if not verified.ok:
        run.problems.append(f"pgbackrest verify: {done.summary()}")
    for segment in verified.gaps:
        ranges = ", ".join(f"{a}–{b}" for a, b in verified.ranges)
        run.problems.append(
            f"pgbackrest verify: the archive's WAL ranges are {ranges}: segment {segment} "
            "is missing between them (verify's own status: "
            + ("ok" if verified.ok else "failed")
            + ")"
        )
    _say(console, f"restoring to {kind} {target} (pgbackrest restore)")
    started = time.perf_counter()
    state: dict[str, float] = {}

    def fill(run_dir: Path, user: osuser.ServerUser) -> None:
        data = run_dir / "data"
        data.mkdir(mode=0o700)
        user.own(data)
        done = repo.run(
            "restore", f"--pg1-path={data}", f"--type={kind}", f"--target={target}",
            "--target-action=promote", ok=False,
        )  # fmt: skip
        report.steps.append(Step(f"restore to {kind}", done.command, done.seconds))
        state["copy"] = time.perf_counter() - started
        if done.failed:
            raise SandboxError(f"pgbackrest restore failed: {done.summary()}")
        run.settings = repo.recovery_settings(data)

    return _start_and_check(prepared, fill, run, point, started, state, repo.user)


def _wait_promoted(server: cluster.Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with server.admin() as conn:
        while conn.execute("select pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
            if time.monotonic() > deadline:
                raise TimeoutError("the restored server was still in recovery after 60 s")
            time.sleep(0.02)


def _fatal_lines(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if "FATAL" in ln or "LOG:  restored" in ln]
    fatal = [ln for ln in lines if "FATAL" in ln]
    return "; ".join(fatal[-2:]) if fatal else text.strip().splitlines()[0]
