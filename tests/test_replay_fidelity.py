"""Replay as `supabase db reset` does: the first failing statement at its own line (also in
DO blocks and functions), hints whose premises are checked, the CLI's transactions and
bytes, a prelude, and what never reached the sandbox. Real PostgreSQL, small projects."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from conftest import write_migrations
from pgvet.replay.apply import ReplayResult, replay
from pgvet.replay.failure import Failure
from pgvet.replay.prelude import load_prelude
from pgvet.replay.project import load_project
from pgvet.sandbox.cluster import Server


def run(server: Server, root: Path, keep_going: bool = False, **options: object) -> ReplayResult:
    project = load_project(root)
    prelude = load_prelude(project, options.pop("prelude", ()))  # type: ignore[arg-type]
    with server.connect() as conn:
        return replay(conn, project, keep_going=keep_going, prelude=prelude, **options)  # type: ignore[arg-type]


def failure_of(result: ReplayResult, name: str) -> Failure:
    (found,) = [f for f in result.files if f.filename == name]
    assert found.status == "failed" and found.failure is not None
    return found.failure


def column_of(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line - 1].index(needle) + 1


DO_EXISTENCE_CHECK = """create table a (id int);
do $$
begin
  if exists (select 1 from pg_tables where tablename = 'missing_t') then
    raise notice 'there';
  end if;
  create index on missing_t (id);
end $$;
"""


def test_error_in_a_do_block_is_at_the_failing_statement(server15: Server, tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_do.sql": DO_EXISTENCE_CHECK})
    failure = failure_of(run(server15, tmp_path), "1_do.sql")
    assert (failure.sqlstate, failure.line) == ("42P01", 7)
    assert failure.column == column_of(DO_EXISTENCE_CHECK, 7, "missing_t")
    assert failure.location == f"1_do.sql:7:{failure.column}"
    assert "no migration or skipped file in this folder creates relation missing_t" in (
        failure.pgvet_hint or ""
    )


def test_raise_in_a_do_block_is_at_its_line(server15: Server, tmp_path: Path) -> None:
    sql = "do $$\nbegin\n  perform 1;\n\n  raise exception 'stop here';\nend $$;\n"
    write_migrations(tmp_path, {"1_do.sql": sql})
    failure = failure_of(run(server15, tmp_path), "1_do.sql")
    assert (failure.line, failure.column, failure.message) == (5, 3, "stop here")


def test_error_raised_in_a_function_says_where_it_was_written(
    server15: Server, tmp_path: Path
) -> None:
    write_migrations(
        tmp_path,
        {
            "1_f.sql": "create function boom() returns void language plpgsql as $$\n"
            "begin\n  perform 1;\n  raise exception 'boom';\nend $$;\n",
            "2_call.sql": "select 1;\nselect boom();\n",
        },
    )
    failure = failure_of(run(server15, tmp_path), "2_call.sql")
    assert (failure.line, failure.message) == (2, "boom")
    assert failure.raised_at == "1_f.sql:4 (line 4 of function boom(), RAISE)"


ENUM_THEN_SYNTAX = """create type status as enum ('new');
create table t (s status);
alter type status add value 'done';
insert into t values ('done');
RAISE NOTICE 'finished';
"""


def test_first_runtime_error_beats_a_later_syntax_error(
    sandbox_factory: Callable[[int], Server], tmp_path: Path
) -> None:
    """PostgreSQL parses a whole query first; the CLI, statement by statement, fails at
    the insert: so does pgvet. (On 15: PostgreSQL 18 lets this enum value through.)"""
    write_migrations(tmp_path, {"1_x.sql": ENUM_THEN_SYNTAX})
    failure = failure_of(run(sandbox_factory(15), tmp_path), "1_x.sql")
    assert (failure.line, failure.sqlstate) == (4, "55P04")
    assert "unsafe use of new value" in failure.message
    assert "in this same file (line 3)" in (failure.pgvet_hint or "")


def test_enum_value_added_in_a_do_block(
    sandbox_factory: Callable[[int], Server], tmp_path: Path
) -> None:
    """On 15, where the new value cannot be used in the transaction that adds it."""
    sql = (
        "create type status as enum ('new');\ncreate table t (s status);\n"
        "do $$\nbegin\n  alter type status add value 'done';\nend $$;\n"
        "insert into t values ('done');\n"
    )
    write_migrations(tmp_path, {"1_x.sql": sql})
    failure = failure_of(run(sandbox_factory(15), tmp_path), "1_x.sql")
    assert (failure.line, failure.sqlstate) == (7, "55P04")
    assert failure.pgvet_hint == (
        "enum value 'done' is added to status in this same file (line 5); a new enum value "
        "cannot be used in the transaction that adds it: move the `alter type ... add value` "
        "into an earlier migration file of its own"
    )


def test_keep_going_reports_the_last_attempt(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_view.sql": "create view v as select * from t1 cross join t2;\n",
            "2_t1.sql": "create table t1 (id int);\n",
        },
    )
    result = run(server15, tmp_path, keep_going=True)
    failure = failure_of(result, "1_view.sql")
    assert 'relation "t2" does not exist' in failure.message
    assert failure.pgvet_hint == (
        "no migration or skipped file in this folder creates relation t2: it was probably "
        "made by hand (dashboard); add it to a migration, or list a file that creates it in "
        "[replay] prelude"
    )


def test_hint_says_the_creating_file_failed(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_t.sql": "create table t (id int);\nselect nope;\n",
            "2_idx.sql": "create index on t (id);\n",
        },
    )
    result = run(server15, tmp_path, keep_going=True)
    failure = failure_of(result, "2_idx.sql")
    assert failure.pgvet_hint == (
        'relation t is created at 1_t.sql:1, which failed (at 1_t.sql:2:8: column "nope" '
        "does not exist): so it never reached the sandbox; fix 1_t.sql first"
    )
    assert [(u.kind, u.name) for u in result.never_reached] == [("table", "public.t")]
    assert result.never_reached[0].why == "created at 1_t.sql:1, in a file that failed"


def test_hint_says_the_creating_file_is_skipped(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_use.sql": "create index on t (id);\n",
            "archive/0_t.sql": "create table t (id int);\n",
        },
    )
    failure = failure_of(run(server15, tmp_path), "1_use.sql")
    assert failure.pgvet_hint == (
        "relation t is created only at archive/0_t.sql:1, which the Supabase CLI skips (in "
        "subfolder archive/: the CLI reads only the top level): make it a migration the CLI "
        "applies"
    )


def test_column_missing_after_a_skipped_create_table_if_not_exists(
    server15: Server, tmp_path: Path
) -> None:
    write_migrations(
        tmp_path,
        {
            "1_a.sql": "create table profiles (id int);\n",
            "2_b.sql": "create table if not exists profiles (\n  id int,\n  email text\n);\n",
            "3_c.sql": "select 1;\ncreate index on profiles (email);\n",
        },
    )
    failure = failure_of(run(server15, tmp_path), "3_c.sql")
    assert (failure.line, failure.sqlstate) == (2, "42703")
    assert failure.pgvet_hint == (
        "column email is not in table profiles: the table was created at 1_a.sql:1 without "
        "it, and the `create table if not exists profiles` at 2_b.sql:1, which lists email, "
        "was skipped because the table already existed (PostgreSQL says so only in a "
        "NOTICE). Add the column with `alter table profiles add column if not exists email "
        "...`"
    )


def test_missing_column_without_that_history_gets_no_such_hint(
    server15: Server, tmp_path: Path
) -> None:
    write_migrations(
        tmp_path,
        {
            "1_a.sql": "create table profiles (id int);\n",
            "2_c.sql": "create index on profiles (email);\n",
        },
    )
    failure = failure_of(run(server15, tmp_path), "2_c.sql")
    assert failure.sqlstate == "42703" and failure.pgvet_hint is None


@pytest.mark.parametrize(
    ("sql", "line", "hint"),
    [
        (
            "create table users (\n  id int primary key,\n  email text,\n"
            "  INDEX idx_email ON users (email)\n);\n",
            4,
            "MySQL syntax: INDEX/KEY inside CREATE TABLE is MySQL syntax",
        ),
        (
            "create table users (\n  id int,\n  KEY (id)\n);\n",
            3,
            "MySQL syntax: INDEX/KEY inside CREATE TABLE is MySQL syntax",
        ),
        (
            "create table t (n int);\nalter table t\n  add constraint if not exists n_pos "
            "check (n > 0);\n",
            3,
            "PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS",
        ),
    ],
    ids=["index-on", "key", "add-constraint-if-not-exists"],
)
def test_syntax_classes_get_hints_at_their_line(
    server15: Server, tmp_path: Path, sql: str, line: int, hint: str
) -> None:
    write_migrations(tmp_path, {"1_x.sql": sql})
    failure = failure_of(run(server15, tmp_path), "1_x.sql")
    assert failure.line == line
    assert (failure.pgvet_hint or "").startswith(hint)


def test_a_column_named_key_is_not_mysql(server15: Server, tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_x.sql": "create table t (\n  key text,\n  v nope_type\n);\n"})
    failure = failure_of(run(server15, tmp_path), "1_x.sql")
    assert (failure.line, failure.sqlstate) == (3, "42704")
    assert "MySQL" not in (failure.pgvet_hint or "")


def test_bom_files_fail_as_the_cli_sends_them(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "1_utf16.sql": codecs.BOM_UTF16_LE + "create table a (id int);\n".encode("utf-16-le"),
            "2_utf8bom.sql": codecs.BOM_UTF8 + b"create table b (id int);\n",
        },
    )
    result = run(server15, tmp_path, keep_going=True)
    utf16 = failure_of(result, "1_utf16.sql")
    assert (utf16.sqlstate, utf16.location) == ("22021", "1_utf16.sql:1:1")
    assert 'invalid byte sequence for encoding "UTF8": 0xff' in utf16.message
    assert (utf16.pgvet_hint or "").startswith(
        "the file starts with a UTF-16 byte-order mark; the Supabase CLI sends the file's "
        "bytes as they are and PostgreSQL rejects them"
    )
    utf8 = failure_of(result, "2_utf8bom.sql")
    assert (utf8.sqlstate, utf8.location) == ("42601", "2_utf8bom.sql:1:1")
    decoded = run(server15, tmp_path, decode_bom=True)
    assert decoded.ok


def test_refresh_concurrently_stays_in_the_files_transaction(
    server15: Server, tmp_path: Path
) -> None:
    sql = (
        "create table t (id int primary key);\n"
        "create materialized view mv as select id from t;\n"
        "create unique index on mv (id);\n"
        "refresh materialized view concurrently mv;\n"
        "select nope;\n"
    )
    write_migrations(tmp_path, {"1_mv.sql": sql})
    assert load_project(tmp_path).files[0].non_transactional == ()
    failure = failure_of(run(server15, tmp_path), "1_mv.sql")
    assert failure.line == 5
    with server15.connect() as conn:  # all rolled back, as one transaction
        assert conn.execute("select to_regclass('mv'), to_regclass('t')").fetchone() == (
            None,
            None,
        )


def test_concurrent_index_commits_the_part_before_it(server15: Server, tmp_path: Path) -> None:
    """The CLI commits the statements before CREATE INDEX CONCURRENTLY, runs it alone,
    then goes on in a new transaction; a failure after it leaves the file half applied."""
    sql = "create table t (id int);\ncreate index concurrently i on t (id);\nselect nope;\n"
    write_migrations(tmp_path, {"1_x.sql": sql})
    result = run(server15, tmp_path)
    failure = failure_of(result, "1_x.sql")
    assert failure.line == 3 and result.files[0].statements_applied == 2
    with server15.connect() as conn:
        assert conn.execute("select to_regclass('t'), to_regclass('i')").fetchone() == ("t", "i")
        history = "select count(*) from supabase_migrations.schema_migrations"
        assert conn.execute(history).fetchone() == (0,)


def test_old_init_file_is_skipped_like_the_cli(tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {"20211001000000_init.sql": "select 1;\n", "20211002000000_a.sql": "select 2;\n"},
    )
    project = load_project(tmp_path)
    assert [f.filename for f in project.files] == ["20211002000000_a.sql"]
    assert "older than 2021-12-09" in project.skipped[0].reason


def test_prelude_applies_first_and_is_marked(server15: Server, tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_use.sql": "create index on handmade (id);\n"})
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "handmade.sql").write_text("create table handmade (id int);\n")
    result = run(server15, tmp_path, prelude=("sql/handmade.sql",))
    assert result.ok
    assert [(f.filename, f.prelude) for f in result.files] == [
        ("[prelude] sql/handmade.sql", True),
        ("1_use.sql", False),
    ]
    with server15.connect() as conn:
        rows = conn.execute("select version from supabase_migrations.schema_migrations")
        assert rows.fetchall() == [("1",)]


def test_never_reached_lists_what_nobody_created(server15: Server, tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {"1_a.sql": "create table a (id int);\n", "2_b.sql": "create view v as select * from x;\n"},
    )
    result = run(server15, tmp_path, keep_going=True)
    assert [(u.kind, u.name, u.why) for u in result.never_reached] == [
        ("view", "public.v", "created at 2_b.sql:1, in a file that failed"),
        ("table", "x", "needed at 2_b.sql:1:32; no migration creates it"),
    ]


def test_server_usable_after_a_bom_failure(server15: Server, tmp_path: Path) -> None:
    write_migrations(tmp_path, {"1_x.sql": codecs.BOM_UTF8 + b"select 1;\n"})
    run(server15, tmp_path)
    with server15.connect() as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("select nope")
