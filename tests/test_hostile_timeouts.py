"""Untrusted migrations cannot hang pgvet: loops and sleeps are cut, located, cleaned up.

Every run is a real `pgvet` process on a real server, with the test's own sandbox folder
(``PGVET_TMPDIR``) so that leftovers are this test's alone; each has a ``timeout=`` so a
regression fails instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import write_migrations
from pgvet.sandbox import cluster

LOOP = "do $$\nbegin\n  loop\n  end loop;\nend $$;\n"
SPIN = (
    "create function public.spin() returns int language plpgsql as $$\n"
    "begin\n  loop\n  end loop;\nend $$;\n"
)
#: each case: the migration's text, and the line of the statement that never ends
HOSTILE = {
    "loop": ("create table a (id int);\n\n" + LOOP + "create table b (id int);\n", 3),
    "sleep": ("select 1;\n-- wait\nselect pg_sleep(100000);\n", 3),
    "timeout-off": ("set statement_timeout = 0;\ncreate table a (id int);\n" + LOOP, 3),
    "function": (SPIN + "\ncreate table t (id int);\nselect public.spin();\n", 8),
    "non-transactional": (
        "create table t (id int);\ncreate index concurrently t_id on t (id);\n"
        "select pg_sleep(100000);\n",
        3,
    ),
}
BOUND = 30  # seconds any cut run must finish within (the limits used are 1-3 s)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A sandbox folder for this test only (servers run as another user: world-traversable)."""
    folder = Path(tempfile.mkdtemp(prefix="timeouts-", dir=cluster.scratch_root()))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def pgvet(scratch: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI with sandboxes in ``scratch``; the result and how long it took."""
    env = {**os.environ, "PGVET_TMPDIR": str(scratch)}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pgvet", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=BOUND * 2,
    )
    return result, time.monotonic() - started


def leftovers(scratch: Path) -> list[str]:
    """Sandbox folders and server processes (by working folder or command line) left."""
    found = [str(p) for p in scratch.iterdir()]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cwd = os.readlink(proc / "cwd")
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            if str(scratch) in cwd or str(scratch) in cmdline:
                found.append(f"process {proc.name}: {cmdline!r}")
    return found


def assert_cut(result: subprocess.CompletedProcess[str], seconds: float, scratch: Path) -> str:
    """Exit 1, no traceback, within the bound, nothing left; returns the output with its
    line wrapping undone (rich wraps long messages)."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert seconds < BOUND, f"took {seconds:.1f} s"
    assert leftovers(scratch) == []
    return " ".join(output.split())


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_statement_that_never_ends_is_cut_and_located(
    tmp_path: Path, scratch: Path, case: str
) -> None:
    sql, line = HOSTILE[case]
    write_migrations(tmp_path, {"1_ok.sql": "create table ok (id int);\n", "2_hostile.sql": sql})
    result, seconds = pgvet(scratch, "replay", str(tmp_path), "--statement-timeout", "2s")
    output = assert_cut(result, seconds, scratch)
    assert f"2_hostile.sql:{line}:1" in output
    assert "57014" in output and "stopped after 2 s (--statement-timeout)" in output
    assert "raise the limit with --statement-timeout or statement_timeout" in output
    statement = sql.splitlines()[line - 1].rstrip(";")
    assert " ".join(f"{line} | {statement}".split()) in output  # the excerpt shows it


def test_whole_command_limit(tmp_path: Path, scratch: Path) -> None:
    files = {f"{n}_sleep.sql": "select pg_sleep(1);\n" for n in range(1, 7)}
    write_migrations(tmp_path, files)
    result, seconds = pgvet(scratch, "lint", str(tmp_path), "--timeout", "3s")
    output = assert_cut(result, seconds, scratch)
    assert "stopped after 3 s (--timeout): the whole command's time limit was reached" in output
    assert "while replaying " in output and "_sleep.sql" in output
    assert "raise the limit with --timeout or timeout in the [replay] section" in output


def test_limits_from_pgvet_toml(tmp_path: Path, scratch: Path) -> None:
    write_migrations(tmp_path, {"1_loop.sql": LOOP})
    (tmp_path / "pgvet.toml").write_text('[replay]\nstatement_timeout = "1500ms"\n')
    result, seconds = pgvet(scratch, "inventory", str(tmp_path))
    output = assert_cut(result, seconds, scratch)
    assert "1_loop.sql:1:1" in output and "stopped after 1.5 s (--statement-timeout)" in output
    (tmp_path / "pgvet.toml").write_text('[replay]\ntimeout = "2s"\n')
    (tmp_path / "supabase" / "migrations" / "1_loop.sql").write_text("select pg_sleep(60);\n")
    result, seconds = pgvet(scratch, "replay", str(tmp_path))
    output = assert_cut(result, seconds, scratch)
    assert "stopped after 2 s (--timeout)" in output


@pytest.mark.parametrize(
    ("args", "toml", "message"),
    [
        (["--statement-timeout", "5 minutes"], "", "--statement-timeout: '5 minutes' is not a"),
        (["--timeout", "0"], "", "--timeout: '0' is out of range"),
        ([], '[replay]\nstatement_timeout = "soon"\n', "[replay] statement_timeout: 'soon'"),
        ([], '[replay]\ntimeuot = "1min"\n', "unknown setting [replay] timeuot"),
    ],
    ids=["cli-unit", "cli-zero", "toml-value", "toml-key"],
)
def test_bad_duration_is_a_clear_error(
    tmp_path: Path, scratch: Path, args: list[str], toml: str, message: str
) -> None:
    write_migrations(tmp_path, {"1_a.sql": "create table a (id int);\n"})
    (tmp_path / "pgvet.toml").write_text(toml)
    result, _ = pgvet(scratch, "replay", str(tmp_path), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_that_never_ends_is_cut(tmp_path: Path, scratch: Path) -> None:
    write_migrations(tmp_path, {"1_a.sql": "create table a (id int);\n"})
    (tmp_path / "supabase" / "seed.sql").write_text("set statement_timeout = 0;\n" + LOOP)
    result, seconds = pgvet(scratch, "rls", "test", str(tmp_path), "--statement-timeout", "2s")
    output = assert_cut(result, seconds, scratch)
    assert "stopped after 2 s (--statement-timeout) while loading the seed seed.sql" in output


def test_rls_query_that_never_ends_is_cut(tmp_path: Path, scratch: Path) -> None:
    """pgvet's own queries run under the limit too, even past a function's SET clause."""
    migration = (
        "create function public.allowed() returns boolean language plpgsql\n"
        "set statement_timeout = 0 as $$\nbegin\n  loop\n  end loop;\nend $$;\n"
        "create table public.notes (id int primary key);\n"
        "alter table public.notes enable row level security;\n"
        "create policy notes_read on public.notes for select to authenticated\n"
        "  using (public.allowed());\n"
        "grant select on public.notes to authenticated;\n"
        "insert into public.notes values (1);\n"
    )
    write_migrations(tmp_path, {"1_notes.sql": migration})
    result, seconds = pgvet(scratch, "rls", "test", str(tmp_path), "--statement-timeout", "2s")
    output = assert_cut(result, seconds, scratch)
    assert "stopped after 2 s (--statement-timeout) while running the RLS checks" in output


def test_query_that_ignores_the_cancel_stops_the_server(tmp_path: Path, scratch: Path) -> None:
    """A backend that cannot be cancelled (here: SIGSTOPped) costs the sandbox, not a hang."""
    # a DO block: its process title ("DO") is the migration's, never one of pgvet's own
    # queries (SELECTs), which the freezer would otherwise catch after a normal cancel
    write_migrations(tmp_path, {"1_sleep.sql": "do $$ begin perform pg_sleep(100000); end $$;\n"})
    freezer = threading.Thread(target=_freeze_backend, args=(scratch,), daemon=True)
    freezer.start()
    # 3 s, not 1: on a loaded machine the freezer must find the backend before the
    # server's own timeout cancels the query normally
    result, seconds = pgvet(scratch, "replay", str(tmp_path), "--statement-timeout", "3s")
    freezer.join()
    output = assert_cut(result, seconds, scratch)
    assert "the query ignored the cancel, so the sandbox server was stopped" in output
    assert "while replaying 1_sleep.sql" in output


def _freeze_backend(scratch: Path, timeout: float = BOUND) -> None:
    """SIGSTOP the backend running the migration's DO block, as soon as it appears."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            with contextlib.suppress(OSError, ValueError):
                if str(scratch) not in os.readlink(proc / "cwd"):
                    continue
                if b"[local] DO" in (proc / "cmdline").read_bytes():
                    os.kill(int(proc.name), signal.SIGSTOP)
                    return
        time.sleep(0.02)
