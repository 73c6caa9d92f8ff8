"""Each real-world mistake gets the file, line and pgvet's hint, on a real server."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from conftest import write_migrations
from pgvet.replay.apply import ReplayResult, replay
from pgvet.replay.failure import Failure
from pgvet.replay.project import load_project
from pgvet.sandbox.cluster import Server


def run(server: Server, root: Path, keep_going: bool = False) -> ReplayResult:
    with server.connect() as conn:
        return replay(conn, load_project(root), keep_going=keep_going)


def only_failure(result: ReplayResult) -> Failure:
    (failed,) = result.failed
    assert failed.failure is not None
    return failed.failure


def test_object_created_by_a_later_file(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "20250101000000_indexes.sql": "select 1;\n\ncreate index idx_skin_user\n"
            "  on skin_analyses (user_id);\n",
            "20250105000000_skin.sql": "-- skin\n\n\n\n\n\n\n\n\n\n\n"
            "create table skin_analyses (id uuid primary key, user_id uuid);\n",
        },
    )
    failure = only_failure(run(server15, tmp_path))
    assert failure.location == "20250101000000_indexes.sql:4:6"
    assert failure.sqlstate == "42P01"
    assert failure.pgvet_hint == (
        "relation skin_analyses does not exist — it is created at 20250105000000_skin.sql:12, "
        "which sorts after this file (which has not run yet); rename one of the two so the "
        "creating file sorts first (the Supabase CLI applies files in name order)"
    )
    assert "^" in failure.excerpt()


def test_keep_going_retries_and_reports_the_order_that_worked(
    server15: Server, tmp_path: Path
) -> None:
    write_migrations(
        tmp_path,
        {
            "1_view.sql": "create view v as select id from t;\n",
            "2_broken.sql": "create table x (id int auto_increment);\n",
            "3_table.sql": "create table t (id int);\n",
        },
    )
    strict = run(server15, tmp_path)
    assert [f.status for f in strict.files] == ["failed", "not run", "not run"]
    result = run(server15, tmp_path, keep_going=True)
    assert result.applied_order == ["3_table.sql", "1_view.sql"]
    assert [f.status for f in result.files] == ["applied", "failed", "applied"]
    assert result.files[0].applied_in_pass == 2
    assert result.partial
    assert "AUTO_INCREMENT is MySQL" in (result.files[1].failure.pgvet_hint or "")


@pytest.mark.parametrize(
    ("sql", "line", "state", "hint"),
    [
        (
            "create table users (\n  id int primary key,\n  email text,\n"
            "  INDEX idx_email (email)\n);\n",
            4,
            "42704",  # PostgreSQL reads `INDEX idx_email (email)` as a column of type idx_email
            "INDEX/KEY inside CREATE TABLE is MySQL syntax",
        ),
        ("create table `users` (id int);\n", 1, "42601", "backticks quote names in MySQL"),
        ("select 1;\nRAISE NOTICE 'done';\n", 2, "42601", "RAISE is PL/pgSQL"),
    ],
    ids=["mysql-index", "backticks", "raise-outside-do"],
)
def test_syntax_mistakes(
    server15: Server, tmp_path: Path, sql: str, line: int, state: str, hint: str
) -> None:
    write_migrations(tmp_path, {"20240101000000_x.sql": sql})
    failure = only_failure(run(server15, tmp_path))
    assert failure.sqlstate == state
    assert failure.line == line
    assert hint in (failure.pgvet_hint or "")


def test_uuid_compared_with_text(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_t.sql": "create table notes (id uuid, owner uuid);\n",
            "2_policy.sql": "alter table notes enable row level security;\n"
            "create policy own on notes\n  using (owner = current_setting('x.sub', true)::text);\n",
        },
    )
    failure = only_failure(run(server15, tmp_path))
    assert (failure.file, failure.line, failure.sqlstate) == ("2_policy.sql", 3, "42883")
    assert (failure.pgvet_hint or "").startswith("uuid = text: a uuid is compared with text")


def test_enum_value_used_before_it_is_added(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_enum.sql": "create type status as enum ('new');\ncreate table t (s status);\n",
            "2_use.sql": "insert into t values ('done');\n",
            "3_add.sql": "alter type status add value 'done';\n",
        },
    )
    failure = only_failure(run(server15, tmp_path))
    assert (failure.file, failure.line, failure.sqlstate) == ("2_use.sql", 1, "22P02")
    assert failure.pgvet_hint == (
        "enum value 'done' is added to status only at 3_add.sql:1, which sorts after this "
        "file (which has not run yet): add the value first"
    )


def test_enum_value_used_in_the_transaction_that_adds_it(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_enum.sql": "create type status as enum ('new');\ncreate table t (s status);\n",
            "2_add_and_use.sql": "alter type status add value 'done';\n"
            "insert into t values ('done');\n",
        },
    )
    failure = only_failure(run(server15, tmp_path))
    assert (failure.file, failure.line, failure.sqlstate) == ("2_add_and_use.sql", 2, "55P04")
    assert "in this same file (line 1)" in (failure.pgvet_hint or "")


def test_missing_extension(server15: Server, tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_ext.sql": "select 1;\ncreate extension postgis_nonexistent;\n"})
    failure = only_failure(run(server15, tmp_path))
    assert failure.line == 2
    assert "the sandbox server has no extension postgis_nonexistent" in (failure.pgvet_hint or "")


def test_runtime_error_without_position_is_pinpointed(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_x.sql": "create table t (id int);\ninsert into t values (1);\n\n"
            "insert into t select 1/0;\n"
        },
    )
    failure = only_failure(run(server15, tmp_path))
    assert (failure.line, failure.sqlstate) == (4, "22012")
    assert failure.statement == "insert into t select 1/0"


def test_history_is_recorded_and_sessions_reset(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "20240101000000_a.sql": "set search_path = '';\ncreate table public.a (id int);\n",
            "20240102000000_b.sql": "create table b (id int);\n",
        },
    )
    assert run(server15, tmp_path).ok
    with server15.connect() as conn:
        rows = conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations "
            "order by version"
        ).fetchall()
        assert rows == [
            ("20240101000000", "a", ["set search_path = ''", "create table public.a (id int)"]),
            ("20240102000000", "b", ["create table b (id int)"]),
        ]
        assert conn.execute("select to_regclass('public.b')").fetchone() == ("b",)


def test_duplicate_version_fails_like_the_cli(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {"20240101000000_a.sql": "select 1;\n", "20240101000000_b.sql": "select 2;\n"},
    )
    failure = only_failure(run(server15, tmp_path))
    assert failure.file == "20240101000000_b.sql"
    assert "also used by 20240101000000_a.sql" in (failure.pgvet_hint or "")


def test_concurrent_index_runs_outside_a_transaction(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_t.sql": "create table t (id int);\n",
            "2_i.sql": "create index concurrently t_id on t (id);\n",
        },
    )
    assert run(server15, tmp_path).ok
    with server15.connect() as conn:
        assert conn.execute("select to_regclass('t_id')").fetchone() == ("t_id",)


def test_server_is_left_usable_after_failure(server15: Server, tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_x.sql": "create table t (id int);\nselect nope;\n"})
    only_failure(run(server15, tmp_path))
    with server15.connect() as conn:
        assert conn.execute("select to_regclass('t')").fetchone() == (None,)
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("select nope")


def test_file_with_its_own_begin_that_fails(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_x.sql": "begin;\ncreate table t (id int);\nselect nope;\ncommit;\n",
            "2_conc.sql": "begin;\ncreate index concurrently i on t (id);\n",
        },
    )
    failure = only_failure(run(server15, tmp_path))
    assert (failure.file, failure.line) == ("1_x.sql", 3)
    result = run(server15, tmp_path, keep_going=True)
    assert [f.status for f in result.files] == ["failed", "failed"]
    with server15.connect() as conn:
        assert conn.execute("select 1").fetchone() == (1,)
