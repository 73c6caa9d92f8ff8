"""The migration history's steps: parsed once per project, node types read off the parser's
JSON, trees decoded only when a rule asks (issue #11: lint speed on a 19,000-statement
project). These check the shortcut against the full decode it replaces."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPORA, EXAMPLE
from pgvet.analysis.history import parse, steps, walk
from pgvet.analysis.sql.parse import statement_kinds, statements
from pgvet.replay.project import load_project

TRICKY = [
    "select 1",
    "select 1; ; create table a (b int)",
    # the text of the key the shortcut looks for, inside a string and a dollar quote
    """insert into t (j) values ('{"stmt":{"CreateStmt":1}}')""",
    """create function f() returns text language sql as $$ select '"stmt":{"X"' $$""",
    "do $$ begin perform 1; end $$",
    "comment on table t is 'stmt'",
]


def test_statement_kinds_match_the_decoded_trees() -> None:
    for sql in TRICKY:
        decoded = [next(iter(node)) for node in statements(sql) or ()]
        assert list(statement_kinds(sql) or ()) == decoded, sql
    assert statement_kinds("create tabel oops") is None


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_a.sql").write_text(
        "create table public.t (id int primary key, j jsonb);\n"
        """insert into public.t values (1, '{"stmt":{"X":1}}');\n"""
        "grant select on public.t to anon;\n"
    )
    (folder / "20240102000000_b.sql").write_text("create index t_j on public.t (id);\n")
    return tmp_path


def test_steps_are_built_once_and_decode_lazily(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    built = steps(project)
    assert steps(project) is built  # memoised on the project
    flat = [step for file_steps in built for step in file_steps]
    assert [s.kind for s in flat] == ["CreateStmt", "InsertStmt", "GrantStmt", "IndexStmt"]
    assert all("node" not in s.__dict__ for s in flat)  # nothing decoded yet
    for step in flat:
        assert step.node == parse(step.stmt.text)[step.position][1]


def test_a_walk_decodes_only_what_the_history_reads(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    seen = [(step.kind, history.existed(("public", "t"))) for step, history in walk(project)]
    # the history is the state before each statement: t is new in its own file only
    assert seen == [
        ("CreateStmt", True),
        ("InsertStmt", False),
        ("GrantStmt", False),
        ("IndexStmt", True),
    ]
    decoded = {s.kind for file_steps in steps(project) for s in file_steps if "node" in s.__dict__}
    assert decoded == {"CreateStmt", "IndexStmt"}


DATA = [
    "insert into t values (1)",
    "INSERT\ninto t select 1;",
    "insert into t values ('a;b')",  # a ; in a string: parsed, not guessed
    "update t set a = 1 where b = $1",  # a $: parsed
    "delete from t",
    "comment on table t is 'x'",
    "insert into t values (1); drop table u",  # two statements: parsed
    "insertx into t",  # not a statement: parsed, and fails
    "with a as (select 1) insert into t select * from a",
    "grant select on public.t to anon",
    "revoke all on function f() from public;",
    "grant anon to authenticator",  # a role grant (GrantRoleStmt): parsed
    'grant "on" to authenticator',  # a quoted name: parsed
    "grant select on t to a; create table u (id int)",  # two statements: parsed
    "create policy p on t for select using (auth.uid() = user_id);",
    "create policy p on t using (a = ';')",  # a ; in a string: parsed
    "CREATE OR REPLACE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()",
    "create constraint trigger t after insert on x for each row execute function f()",
    "create or replace function f() returns int language sql as $$ select 1; $$",
    "create procedure p() language plpgsql as $b$ begin perform 1; end $b$",
    "do $$ begin perform 1; end $$",
    "DO language plpgsql $$ begin null; end $$;",
    "create domain d as int",  # not DO
]


def test_statement_kinds_by_first_words_match_the_parser_on_real_projects() -> None:
    from pgvet.analysis.history import _kinds

    for root in [EXAMPLE, *(CORPORA / n for n in ("suna", "liam", "vcon-mcp"))]:
        if not root.is_dir():
            continue
        for stmt in load_project(root).statements:
            parsed = statement_kinds(stmt.text)
            if parsed is not None:
                assert _kinds(stmt.text) == parsed, stmt.text[:200]


def test_data_statement_kinds_match_the_parser() -> None:
    """Statements no rule looks into are not parsed for their kind; the kinds are the
    parser's."""
    from pgvet.analysis.history import _kinds

    for sql in DATA:
        assert _kinds(sql) == statement_kinds(sql), sql


def test_visitors_share_one_walk_and_see_what_walks_alone_see(tmp_path: Path) -> None:
    from pgvet.analysis.history import Visitor, visit_all

    project = load_project(_project(tmp_path))

    def seen_by(kinds: frozenset[str] | None) -> Visitor:
        def visit(step, history):  # type: ignore[no-untyped-def]
            yield step.kind, history.existed(("public", "t")), len(history.indexes)

        return Visitor(project, visit, kinds, finish=lambda: [("end",)])

    creations, indexes, every = (
        seen_by(frozenset({"CreateStmt"})),
        seen_by(frozenset({"IndexStmt"})),
        seen_by(None),
    )
    shared = visit_all(project, [creations, indexes, every])
    assert shared == [list(creations), list(indexes), list(every)]  # alone: a walk each
    assert shared[0] == [("CreateStmt", True, 0), ("end",)]
    assert shared[1] == [("IndexStmt", True, 0), ("end",)]
    assert [kind for kind, *_ in shared[2]] == [
        "CreateStmt", "InsertStmt", "GrantStmt", "IndexStmt", "end",
    ]  # fmt: skip
