"""Live databases: read-only sessions with timeouts, redacted DSNs, the same rules."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from conftest import run_cli, write_migrations
from pgvet.errors import ConnectionFailed
from pgvet.live.connect import connect_read_only, redact
from pgvet.replay.apply import replay
from pgvet.replay.project import load_project
from pgvet.sandbox.cluster import Server


@pytest.mark.parametrize(
    ("dsn", "shown"),
    [
        (
            "postgresql://app:s3cret@db.example.com:5432/prod",
            "user=app password=*** dbname=prod host=db.example.com port=5432",
        ),
        ("host=db password=s3cret user=app", "user=app password=*** host=db"),
        ("host=db password='s3 cret' user=app", "user=app password=*** host=db"),
        (
            "postgres://db/prod?sslmode=require&password=s3cret",
            "password=*** dbname=prod host=db sslmode=require",
        ),
    ],
)
def test_redact(dsn: str, shown: str) -> None:
    assert redact(dsn) == shown


def test_live_session_is_read_only_with_timeouts(server15: Server) -> None:
    with connect_read_only(server15.conninfo()) as conn:
        assert conn.execute("show default_transaction_read_only").fetchone() == ("on",)
        assert conn.execute("show statement_timeout").fetchone() == ("30s",)
        assert conn.execute("show lock_timeout").fetchone() == ("2s",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("create table should_not_exist (id int)")


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(ConnectionFailed) as caught:
        connect_read_only("postgresql://app:s3cret@127.0.0.1:1/prod")
    assert "s3cret" not in caught.value.message
    assert "could not connect to user=app password=*** dbname=prod host=127.0.0.1 port=1" in (
        caught.value.message
    )


def test_lint_a_live_database(server15: Server, tmp_path: Path) -> None:
    root = write_migrations(
        tmp_path,
        {
            "1_schema.sql": "create table public.orgs (id uuid primary key);\n"
            "create table public.notes (id uuid primary key, org_id uuid references public.orgs);\n"
            "alter table public.orgs enable row level security;\n"
            "create index idx_notes_org_id on public.notes (org_id);\n"
            "create index idx_notes_id_org on public.notes (id, org_id);\n",
        },
    )
    with server15.connect() as conn:
        assert replay(conn, load_project(root)).ok
        before = conn.execute("select count(*) from pg_class").fetchone()
    with server15.connect() as conn:
        conn.execute("select * from public.notes where org_id = gen_random_uuid()")
    config = tmp_path / "pgvet.toml"

    def lint(min_days: int) -> set[tuple[str, str]]:
        config.write_text(f"[lint]\nunused_index_min_days = {min_days}\n")
        result = run_cli("lint", "--db", server15.conninfo(), "-f", "json", "--config", str(config))
        assert result.returncode == 1, result.stderr
        doc = json.loads(result.stdout)
        assert all(f["file"] is None for f in doc["findings"])  # no migrations: no file:line
        return {(f["rule"], f["object"]) for f in doc["findings"]}

    rules = lint(min_days=7)  # counters younger than a week: no usage advice at all
    assert ("rls-disabled-in-public", "public.notes") in rules
    assert not [r for r in rules if r[0] == "unused-index"]
    rules = lint(min_days=0)
    unused = {obj for rule, obj in rules if rule == "unused-index"}
    assert "index public.idx_notes_id_org" in unused
    assert "index public.notes_pkey" not in unused
    with server15.connect() as conn:
        assert conn.execute("select count(*) from pg_class").fetchone() == before
