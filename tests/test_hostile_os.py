"""Hostile migrations against the host: the sandbox server is a wall of its own.

Even with ``--superuser`` (where a migration can run shell commands), a sandbox server
runs as a uid of its own with no passwd entry, in no supplementary group, with an
environment holding nothing of pgvet's; it cannot write the cached template or
installation; whatever it spawned is gone when pgvet exits; cleanup never kills a process
on the word of a pid file; the cache folder is checked before use. These need root (the
uid switch); as a normal user they are skipped, and the non-superuser role is the wall.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import installation_for, prepared_for, write_migrations
from pgvet.sandbox import binaries, cluster, osuser

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0, reason="needs root: pgvet switches the server to a uid of its own"
    ),
    pytest.mark.skipif(
        not any(i.major == 15 and i.source == "system" for i in binaries.discover()),
        reason="these attacks are staged with Debian's PostgreSQL 15 (its psql, a "
        "peer-authenticated cluster of its own); not installed here",
    ),
]
SECRET = "pgvet-test-secret-7d1c"


def pgvet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process of its own (what it leaves behind is the point)."""
    return subprocess.run(
        [sys.executable, "-m", "pgvet", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "COLUMNS": "1000", **(env or {})},
        check=False,
    )


def _uid_processes(uid_floor: int = osuser.DEDICATED_BASE) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid >= uid_floor and osuser.is_dedicated(entry.stat().st_uid):
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue
    return found


def test_server_runs_as_a_uid_of_its_own_with_nothing_of_ours() -> None:
    with cluster.sandbox(prepared_for(15)) as server:
        assert server.process is not None
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        uid = int(next(ln for ln in status.splitlines() if ln.startswith("Uid:")).split()[1])
        groups = next(ln for ln in status.splitlines() if ln.startswith("Groups:")).split()[1:]
        environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
        assert uid not in (0, pwd.getpwnam("nobody").pw_uid)
        with pytest.raises(KeyError):
            pwd.getpwuid(uid)  # owns nothing: not even a name
        assert groups == []
        assert {e.split(b"=")[0].decode() for e in environ if e} == set(osuser.SERVER_ENV)
        assert stat.S_IMODE(server.sockdir.stat().st_mode) == 0o700
        assert server.sockdir.stat().st_uid == uid
        for path in (server.prepared.template, server.prepared.bindir):
            info = path.stat()
            assert info.st_uid == 0 and not info.st_mode & 0o022


def test_two_sandboxes_never_share_a_uid() -> None:
    prepared = prepared_for(15)
    with cluster.sandbox(prepared) as one, cluster.sandbox(prepared) as two:
        assert one.user.uid != two.user.uid


def test_superuser_migration_sees_no_environment_of_ours(tmp_path: Path) -> None:
    sql = (
        "create table loot (line text);\n"
        "copy loot from program 'env';\n"
        "do $$ begin raise exception 'ENV[%]', (select string_agg(line, ';') from loot); end $$;\n"
    )
    project = write_migrations(tmp_path, {"20240101000000_env.sql": sql})
    result = pgvet("replay", str(project), "--superuser", env={"PGVET_SECRET_TOKEN": SECRET})
    assert result.returncode == 1
    flat = result.stdout.replace("\n", "")  # the message may be wrapped
    assert "ENV[" in flat and "PATH=/usr/bin:/bin" in flat
    assert SECRET not in flat + result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr


def test_superuser_background_process_dies_with_pgvet(tmp_path: Path) -> None:
    # durations unique to this run, so another run's sandbox is never mistaken for ours
    mark = f"{333 + os.getpid() % 1000}.{time.time_ns() % 10**6:06d}"
    # COPY FROM PROGRAM: the server reads the program's output, so no pipe write can fail
    # however fast the program exits; each program detaches a child that sleeps
    sql = (
        "create temp table started (line text);\n"
        "copy started from program "
        f'\'setsid sh -c "sleep {mark}; touch /tmp/pgvet-bg-survived" '
        ">/dev/null 2>&1 </dev/null & echo detached';\n"
        "copy started from program "
        f"'nohup sleep {mark} >/dev/null 2>&1 </dev/null & echo detached';\n"
    )
    project = write_migrations(tmp_path, {"20240101000000_bg.sql": sql})
    result = pgvet("replay", str(project), "--superuser")
    assert result.returncode == 0, result.stdout + result.stderr
    time.sleep(0.3)
    left = [p for p in _uid_processes() if mark in p]
    assert left == [], f"processes outlived pgvet: {left}"


def test_superuser_cannot_poison_the_template_or_the_installation(tmp_path: Path) -> None:
    prepared = prepared_for(15)
    template, share = prepared.template, prepared.bindir.parent
    attack = (
        f"copy (select 'poison') to '{template}/poison';\n"
        f"copy (select 'x') to program 'touch {template}/base/poison {share}/poison';\n"
    )
    project = write_migrations(tmp_path / "a", {"20240101000000_poison.sql": attack})
    result = pgvet("replay", str(project), "--superuser", "--pg-version", "15")
    assert result.returncode == 1
    assert "Permission denied" in result.stdout or "permission denied" in result.stdout
    assert not (template / "poison").exists() and not (template / "base" / "poison").exists()
    assert not (share / "poison").exists()
    victim = write_migrations(tmp_path / "b", {"20240101000000_ok.sql": "create table t (i int);"})
    second = pgvet("replay", str(victim), "--pg-version", "15")
    assert second.returncode == 0, second.stdout + second.stderr


@pytest.fixture
def peer_cluster() -> Iterator[Path]:
    """A local cluster that trusts the OS user ``postgres`` by peer authentication, as a
    host's real PostgreSQL does; its socket is reachable by every local user."""
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no OS user 'postgres' to run a peer-authenticated cluster as")
    bindir = installation_for(15).bindir
    base = Path(tempfile.mkdtemp(prefix="pgvet-victim-", dir="/tmp"))
    base.chmod(0o755)
    os.chown(base, entry.pw_uid, entry.pw_gid)
    kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    subprocess.run(
        [
            str(bindir / "initdb"),
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "--auth-local=peer",
            "--auth-host=reject",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        **kwargs,  # type: ignore[arg-type]
    )
    server = subprocess.Popen(
        [
            str(bindir / "postgres"),
            "-D",
            str(base / "data"),
            "-k",
            str(base),
            "-p",
            "5499",
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_permissions=0777",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        **kwargs,  # type: ignore[arg-type]
    )
    try:
        deadline = time.monotonic() + 30
        while not (base / ".s.PGSQL.5499").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield base
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def _victim_has_table(sock: Path) -> bool:
    out = subprocess.run(
        [
            "psql",
            "-X",
            "-At",
            "-h",
            str(sock),
            "-p",
            "5499",
            "-U",
            "postgres",
            "-c",
            "select to_regclass('public.pwned') is not null",
        ],
        capture_output=True,
        text=True,
        user="postgres",
        check=True,
    )
    return out.stdout.strip() == "t"


@pytest.mark.parametrize("mode", ["as-supabase", "superuser"])
def test_dblink_to_a_peer_authenticated_local_cluster_fails(
    tmp_path: Path, peer_cluster: Path, mode: str
) -> None:
    sql = (
        "create extension if not exists dblink;\n"
        f"select dblink_exec('host={peer_cluster} port=5499 user=postgres dbname=postgres', "
        "'create table pwned (id int)');\n"
    )
    project = write_migrations(tmp_path, {"20240101000000_dblink.sql": sql})
    extra = ["--superuser"] if mode == "superuser" else []
    result = pgvet("replay", str(project), "--pg-version", "15", *extra)
    assert result.returncode == 1, result.stdout
    assert "2:" in result.stdout  # the dblink statement, at its line
    expected = "password is required" if mode == "as-supabase" else "authentication failed"
    assert expected in result.stdout.lower() or "peer" in result.stdout.lower()
    assert not _victim_has_table(peer_cluster)


def test_planted_pid_file_never_gets_a_process_killed(tmp_path: Path) -> None:
    victim = subprocess.Popen(["sleep", "300"])
    planted = cluster.scratch_root() / f"pgvet-planted-by-test-{os.getpid()}"
    try:
        (planted / "run" / "data").mkdir(parents=True)
        (planted / "run" / "data" / "postmaster.pid").write_text(f"{victim.pid}\n")
        (planted / "owner.pid").write_text("999999\n")
        (planted / "owner.lock").touch()
        old = time.time() - 3600
        os.utime(planted, (old, old))
        with cluster.sandbox(prepared_for(15)):
            pass
        assert victim.poll() is None, "the victim process was killed"
        assert not planted.exists()  # an abandoned folder of ours is still swept
    finally:
        victim.kill()
        victim.wait()
        shutil.rmtree(planted, ignore_errors=True)


def test_cache_folder_must_be_ours(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "cache-link"
    link.symlink_to(target)
    project = write_migrations(tmp_path / "p", {"20240101000000_ok.sql": "select 1;"})
    result = pgvet("replay", str(project), env={"PGVET_CACHE_DIR": str(link)})
    assert result.returncode == 2
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o700  # never chmod-ed through the link
    open_dir = tmp_path / "world-writable"
    open_dir.mkdir()
    open_dir.chmod(0o777)
    result = pgvet("replay", str(project), env={"PGVET_CACHE_DIR": str(open_dir)})
    assert result.returncode == 2 and "writable by others" in result.stderr


def test_connections_as_the_project_role_are_not_superuser() -> None:
    with cluster.sandbox(prepared_for(15)) as server, server.connect() as conn:
        row = conn.execute(
            "select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "from pg_roles where rolname = current_user"
        ).fetchone()
        assert row == (False, True, True, True, True)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select pg_ls_dir('.')")
