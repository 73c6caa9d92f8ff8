"""The migration history's steps: parsed once per project, node types read off the parser's
JSON, trees decoded only when a rule asks (issue #11: lint speed on a 19,000-statement
project). These check the shortcut against the full decode it replaces."""

from __future__ import annotations

from pathlib import Path

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
