"""Output hygiene: no password is ever printed, no server text drives the terminal or CI.

Passwords of every shape go through the real CLI against servers that do not answer;
hostile error messages come from a real PostgreSQL running a hostile migration.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app
from pgvet.live.connect import mask_secrets, redact, scrubber
from pgvet.report.sanitize import CommandSafeStream, untrusted
from pgvet.sandbox.cluster import Server

UNREACHABLE = "127.0.0.1:1"
# (DSN, the password it holds)
SHAPES = [
    (f"postgresql://app:Zq/9x@{UNREACHABLE}/prod", "Zq/9x"),
    (f"postgresql://app:Zq@9x@{UNREACHABLE}/prod", "Zq@9x"),
    (f"postgresql://app:Zq%409x@{UNREACHABLE}/prod", "Zq@9x"),
    (f"postgresql://app@{UNREACHABLE}/prod?sslmode=disable&password=Zq%2F9x", "Zq/9x"),
    ("host=127.0.0.1 port=1 user=app password='Zq 9x' dbname=prod", "Zq 9x"),
]


def run(*args: str, github: bool = False) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of the CLI, in or out of a GitHub Actions job."""
    env = {"COLUMNS": "1000", "GITHUB_ACTIONS": "true" if github else "false"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def spellings(password: str) -> set[str]:
    return {password, quote(password, safe=""), quote(password), "Zq", "9x"} - {""}


@pytest.mark.parametrize(("dsn", "password"), SHAPES)
def test_redact_hides_every_shape(dsn: str, password: str) -> None:
    shown = redact(dsn)
    assert "***" in shown
    for spelling in spellings(password):
        assert spelling not in shown


@pytest.mark.parametrize(("dsn", "password"), SHAPES)
def test_scrubber_removes_the_password_from_any_text(dsn: str, password: str) -> None:
    message = f"FATAL: nope for {password} ({quote(password, safe='')}) via {dsn}"
    scrubbed = scrubber(dsn)(message)
    assert scrubbed.startswith("FATAL: nope for ***")
    for spelling in spellings(password):
        assert spelling not in scrubbed


def test_mask_secrets_in_free_text() -> None:
    text = "tried postgres://u:pw@h/db, host=h password='a b' and postgres://h/db?password=x&a=1"
    assert mask_secrets(text) == (
        "tried postgres://u:***@h/db, host=h password=*** and postgres://h/db?password=***"
    )


def test_redact_keeps_the_rest_readable() -> None:
    assert redact("postgresql://app:Zq%409x@db:5432/prod") == (
        "user=app password=*** dbname=prod host=db port=5432"
    )
    assert redact("host=db dbname=prod") == "dbname=prod host=db"


@pytest.mark.parametrize(("dsn", "password"), SHAPES)
def test_lint_and_rls_never_print_the_password(dsn: str, password: str) -> None:
    for args in (
        ("lint", "--db", dsn),
        ("lint", "--db", dsn, "--format", "json"),
        ("rls", "test", "--db", dsn, "--i-understand-this-writes"),
        ("rls", "test", "--db", dsn),
    ):
        code, out, err = run(*args)
        assert code == 2, (args, out, err)
        assert "error:" in err and "Traceback" not in err
        flat = (out + err).replace("\n", "")
        for spelling in spellings(password):
            assert spelling not in flat, (args, err)


@pytest.mark.parametrize(("dsn", "password"), SHAPES)
def test_usage_errors_never_print_the_password(dsn: str, password: str) -> None:
    """Click quotes the argument it could not place: a connection string given without
    --db, as a command, or to an option that takes something else."""
    for args in (("inspect", dsn), (dsn,), ("lint", "--format", dsn), ("rls", "test", dsn)):
        code, out, err = run(*args)
        assert code == 2, (args, out, err)
        assert "Traceback" not in err
        flat = (out + err).replace("\n", "")
        for spelling in spellings(password):
            assert spelling not in flat, (args, err)


def test_misread_url_password_is_explained() -> None:
    code, _, err = run("lint", "--db", f"postgresql://app:Zq/9x@{UNREACHABLE}/prod")
    assert code == 2
    assert "percent-encode" in " ".join(err.split()) and "Zq" not in err


def test_wrong_server_never_prints_the_password(server15: Server) -> None:
    dsn = server15.conninfo(dbname="no_such_db") + " password='Zq 9x'"
    code, out, err = run("lint", "--db", dsn)
    assert code == 2 and "no_such_db" in err
    assert "Zq" not in out + err


# --- hostile server text -------------------------------------------------------------------

RAISE = (
    "do $$ begin raise exception E'boom \\x1b[31mred\\n::error::pwned\\n  ::add-mask::x"
    "\\n##[error]legacy' using detail = E'::warning::d\\x1b]0;title\\x07', "
    "hint = E'\\u2028::notice::h'; end $$;\n"
)
# a syntax error whose excerpt holds a raw ESC and a line starting with ::
EXCERPT = "select 1\n::error::pwned\n\x1b[2J;\n"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return write_migrations(tmp_path, {"1_raise.sql": RAISE, "2_excerpt.sql": EXCERPT})


def _assert_no_command(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
    assert "##[" not in text
    assert "\x1b" not in text and "\x07" not in text


@pytest.mark.parametrize("command", ["replay", "lint"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_server_text_cannot_start_a_workflow_command(hostile: Path, command: str, fmt: str) -> None:
    code, out, err = run(command, str(hostile), "-k", "--format", fmt, github=True)
    assert code == 1, err
    _assert_no_command(out)
    _assert_no_command(err)
    shown = out + err if command == "replay" else err
    assert "\\x1b[31m" in shown and "\\x1b[2J" in shown
    assert ":\\x3aerror::pwned" in shown and "##\\u005berror]legacy" in shown


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_escapes_are_shown_escaped_outside_ci(hostile: Path, fmt: str) -> None:
    code, out, err = run("replay", str(hostile), "-k", "--format", fmt)
    assert code == 1, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "\\x1b[31m" in out and "\\x1b[2J" in out and "\\x07" in out
    assert "::error::pwned" in out  # only a GitHub Actions log needs it broken


def test_json_escapes_and_stays_valid_under_github(hostile: Path) -> None:
    code, out, err = run("replay", str(hostile), "-k", "--format", "json", github=True)
    assert code == 1, err
    _assert_no_command(out)
    failure = json.loads(out)["files"][0]["failure"]
    message = "boom \x1b[31mred\n::error::pwned\n  ::add-mask::x\n##[error]legacy"
    assert failure["message"] == message


def test_untrusted_escapes_controls() -> None:
    assert untrusted("a\x1bb\x9bc\u2028d\te\nf\x7f\r") == "a\\x1bb\\x9bc\\u2028d\te\nf\\x7f\\x0d"


def test_stream_judges_lines_across_writes() -> None:
    sink = io.StringIO()
    stream = CommandSafeStream(sink)
    for chunk in ("ok ::x\n  :", ":set-output name=a::b\n#", "#[group]\n\u3000::x\r::y\n"):
        stream.write(chunk)
    assert sink.getvalue() == (
        "ok ::x\n  :\\x3aset-output name=a::b\n##\\u005bgroup]\n\u3000:\\x3ax\r:\\x3ay\n"
    )
