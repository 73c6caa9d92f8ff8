"""pgvector on every replay major: the real one (embedded 18) and pgvet's SQL stand-in (15,
17), held to the same numbers and the same refusals.

The expected values below were read from the real pgvector 0.8 on the embedded 18; the
same assertions run on the stand-in, so a stand-in that drifts from pgvector fails here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import (
    CORPORA,
    REPLAY_MAJORS,
    have_major,
    missing_major,
    prepared_for,
    write_migrations,
)
from pgvet.replay.apply import ReplayResult, replay
from pgvet.replay.project import load_project
from pgvet.replay.vector_options import parse_int, rewrite, standin_installed
from pgvet.sandbox import cluster

majors = pytest.mark.parametrize("major", REPLAY_MAJORS, ids=lambda m: f"pg{m}")


@pytest.fixture
def vector_db() -> Iterator[Callable[[int], psycopg.Connection]]:
    """A connection as the project role to a fresh sandbox of a major, vector created."""
    with contextlib.ExitStack() as stack:

        def start(major: int) -> psycopg.Connection:
            if not have_major(major):
                pytest.skip(missing_major(major))
            server = stack.enter_context(cluster.sandbox(prepared_for(major)))
            conn = stack.enter_context(server.connect())
            conn.autocommit = True
            conn.execute("create extension vector with schema extensions")
            conn.execute("set search_path = public, extensions")
            return conn

        yield start


VALUES = [
    ("select '[1.1,2]'::halfvec(2)::text", "[1.0996094,2]"),
    ("select '[0.00001, 1e-8, 65504]'::halfvec(3)::text", "[1.001358e-05,0,65504]"),
    ("select '[1,2,3]'::halfvec <-> '[4,6,3]'", 5.0),
    ("select '[1,2,3]'::halfvec <#> '[4,6,3]'", -25.0),
    ("select '[1,2,3]'::halfvec <=> '[4,6,3]'", 0.14451761146355635),
    ("select '[1,2,3]'::halfvec <+> '[4,6,3]'", 7.0),
    ("select l2_norm('[3,4]'::halfvec)", 5.0),
    ("select l2_normalize('[3,4]'::halfvec)::text", "[0.60009766,0.7998047]"),
    ("select vector_dims('[1,2]'::halfvec)", 2),
    ("select subvector('[1,2,3,4]'::halfvec, 2, 2)::text", "[2,3]"),
    ("select binary_quantize('[1,-2,0,3]'::halfvec)::text", "1001"),
    ("select binary_quantize('[1,-2,0,3]'::vector)::text", "1001"),
    ("select ('[1,2]'::halfvec + '[3,4]')::text", "[4,6]"),
    ("select ('[1,2]'::halfvec || '[3]')::text", "[1,2,3]"),
    ("select avg(v)::text from (values ('[1,2]'::halfvec), ('[3,5]')) t(v)", "[2,3.5]"),
    ("select sum(v)::text from (values ('[1,2]'::halfvec), ('[3,5]')) t(v)", "[4,7]"),
    ("select '[1,2]'::halfvec::real[]", [1.0, 2.0]),
    ("select array[1.5,2]::real[]::halfvec(2)::text", "[1.5,2]"),
    ("select '[1,2]'::halfvec < '[1,3]'", True),
    ("select '{3:1,1:2}/5'::sparsevec(5)::text", "{1:2,3:1}/5"),
    ("select '{1:0,3:1.1}/5'::sparsevec(5)::text", "{3:1.1}/5"),
    ("select ' { 1 : 2 , 3:4 } / 5 '::sparsevec(5)::text", "{1:2,3:4}/5"),
    ("select '[0,1.5,0,2]'::vector::sparsevec::text", "{2:1.5,4:2}/4"),
    ("select '{2:1.5,4:2}/4'::sparsevec::vector::text", "[0,1.5,0,2]"),
    ("select '{2:1.1}/4'::sparsevec::halfvec::text", "[0,1.0996094,0,0]"),
    ("select array[0,1,0]::sparsevec::text", "{2:1}/3"),
    ("select '{1:1,3:2}/4'::sparsevec <-> '{2:2,3:4}/4'", 3.0),
    ("select '{1:1,3:2}/4'::sparsevec <#> '{2:2,3:4}/4'", -8.0),
    ("select '{1:1,3:2}/4'::sparsevec <=> '{2:2,3:4}/4'", 0.2),
    ("select '{1:1,3:2}/4'::sparsevec <+> '{2:2,3:4}/4'", 5.0),
    ("select l2_norm('{1:3,2:4}/3'::sparsevec)", 5.0),
    ("select l2_normalize('{1:3,2:4}/3'::sparsevec)::text", "{1:0.6,2:0.8}/3"),
    ("select '{1:1}/2'::sparsevec = '{1:1.0}/2'", True),
    ("select '101'::bit(3) <~> '011'", 2.0),
    ("select '1010'::bit(4) <%> '0110'", 0.6666666666666667),
    ("select '000'::bit(3) <%> '000'", 1.0),
]

ERRORS = [
    ("select '[70000]'::halfvec(1)", "22003", '"70000" is out of range for type halfvec'),
    ("select '[1,nan]'::halfvec(2)", "22000", "NaN not allowed in halfvec"),
    ("select '[1.1,2]'::halfvec(3)", "22000", "expected 3 dimensions, not 2"),
    ("select '[1,2]'::halfvec <-> '[1,2,3]'", "22000", "different halfvec dimensions 2 and 3"),
    (
        "select '{1:2,1:3}/5'::sparsevec(5)",
        "22000",
        "sparsevec indices must not contain duplicates",
    ),
    ("select '{6:1}/5'::sparsevec(5)", "22000", "sparsevec index out of bounds"),
    ("select '{1:2}/5'::sparsevec(4)", "22000", "expected 4 dimensions, not 5"),
    (
        "select '{1:1}/2'::sparsevec <-> '{1:1}/3'",
        "22000",
        "different sparsevec dimensions 2 and 3",
    ),
    ("select hamming_distance('1'::bit, '01')", "22000", "different bit lengths 1 and 2"),
]


@majors
def test_halfvec_sparsevec_and_bit_values_match_pgvector(
    vector_db: Callable[[int], psycopg.Connection], major: int
) -> None:
    conn = vector_db(major)
    for sql, expected in VALUES:
        (got,) = conn.execute(sql).fetchone()  # type: ignore[misc]
        if isinstance(expected, float):
            assert got == pytest.approx(expected, rel=1e-6), sql
        else:
            assert got == expected, sql
    for sql, sqlstate, message in ERRORS:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute(sql)
        assert (caught.value.diag.sqlstate, caught.value.diag.message_primary) == (
            sqlstate,
            message,
        ), sql


@majors
def test_operator_classes_are_pgvector_s(
    vector_db: Callable[[int], psycopg.Connection], major: int
) -> None:
    """The same classes for the same methods, and the same (lack of) defaults."""
    conn = vector_db(major)
    conn.execute("create table t (v vector(3), h halfvec(3), s sparsevec(5), b bit(4))")
    conn.execute("insert into t values ('[1,2,3]', '[1,2,3]', '{1:1}/5', '1010')")
    for index in (
        "hnsw (h halfvec_l2_ops)",
        "hnsw (h halfvec_l1_ops)",
        "ivfflat (h halfvec_cosine_ops)",
        "hnsw (s sparsevec_ip_ops)",
        "hnsw (b bit_jaccard_ops)",
        "ivfflat (b bit_hamming_ops)",
        "ivfflat (v)",
    ):
        conn.execute(f"create index on t using {index}")
    for index, message in (
        ("ivfflat (b bit_jaccard_ops)", 'operator class "bit_jaccard_ops" does not exist'),
        ("ivfflat (s sparsevec_l2_ops)", 'operator class "sparsevec_l2_ops" does not exist'),
        ("hnsw (v)", 'data type vector has no default operator class for access method "hnsw"'),
        ("hnsw (h)", 'data type halfvec has no default operator class for access method "hnsw"'),
    ):
        with pytest.raises(psycopg.Error, match=message):
            conn.execute(f"create index on t using {index}")
    row = conn.execute("select h <-> '[1,2,4]', s <#> '{1:3}/5', b <~> '1111' from t")
    assert row.fetchone() == (1.0, -3.0, 2.0)


OPTIONS_FILE = """create extension if not exists vector with schema extensions;
create table public.docs (
  id int primary key,
  embedding extensions.vector(3),
  half extensions.halfvec(3),
  sparse extensions.sparsevec(5),
  bits bit(4)
);
insert into public.docs values (1, '[1,2,3]', '[1,2,3]', '{2:1}/5', '1010');
create index docs_hnsw on public.docs using hnsw (embedding extensions.vector_cosine_ops)
  with (m = 16, ef_construction = 64);
create index docs_ivf on public.docs using ivfflat (embedding extensions.vector_l2_ops)
  with (lists = 100) where id > 0;
create index on public.docs using hnsw (half extensions.halfvec_l2_ops)
  with (M = 4, "ef_construction" = '8');
create index on public.docs using hnsw (sparse extensions.sparsevec_l2_ops) with (m = '0x10');
create index on public.docs using ivfflat (bits extensions.bit_hamming_ops) with (lists = 1);
do $$
begin
  create index docs_in_do on public.docs using hnsw (embedding extensions.vector_l2_ops)
    with (m = 8,
          ef_construction = 32);
end
$$;
"""


def _replayed(tmp_path: Path, major: int, files: dict[str, str]) -> tuple[ReplayResult, bool, dict]:
    """Replay files on a major: the result, whether vector was the stand-in, and the
    reloptions of every index of public.docs."""
    if not have_major(major):
        pytest.skip(missing_major(major))
    project = load_project(write_migrations(tmp_path, files))
    with cluster.sandbox(prepared_for(major)) as server, server.connect() as conn:
        result = replay(conn, project)
        standin = standin_installed(conn)
        options = dict(
            conn.execute(
                "select c.relname, c.reloptions from pg_class c join pg_index i "
                "on i.indexrelid = c.oid where i.indrelid = to_regclass('public.docs')"
            ).fetchall()
            if result.ok
            else []
        )
    return result, standin, options


@majors
def test_index_options_build_on_every_major(tmp_path: Path, major: int) -> None:
    result, standin, options = _replayed(tmp_path, major, {"20240101000000_v.sql": OPTIONS_FILE})
    assert [f.failure for f in result.files] == [None]
    assert len(options) == 7  # the primary key and six vector indexes
    if standin:  # the clause was blanked: the hash index underneath has no options
        assert options["docs_hnsw"] is None and options["docs_in_do"] is None
    else:  # the real pgvector received the bytes as written
        assert major == 18
        assert options["docs_hnsw"] == ["m=16", "ef_construction=64"]
        assert options["docs_ivf"] == ["lists=100"]
        assert options["docs_in_do"] == ["m=8", "ef_construction=32"]


BAD = [
    (
        "with (m = 1)",
        'value 1 out of bounds for option "m"',
        'Valid values are between "2" and "100".',
    ),
    (
        "with (ef_construction = 1001)",
        'value 1001 out of bounds for option "ef_construction"',
        'Valid values are between "4" and "1000".',
    ),
    (
        "with (m = 16, ef_construction = 31)",
        "ef_construction must be greater than or equal to 2 * m",
        None,
    ),
    ("with (m = 40)", "ef_construction must be greater than or equal to 2 * m", None),
    ("with (m = 'abc')", 'invalid value for integer option "m": abc', None),
    ("with (m = 16, m = 16)", 'parameter "m" specified more than once', None),
    ("with (fillfactor = 50)", 'unrecognized parameter "fillfactor"', None),
    ("with (lists = 10)", 'unrecognized parameter "lists"', None),
]


@majors
@pytest.mark.parametrize(("clause", "message", "detail"), BAD, ids=[b[0] for b in BAD])
def test_bad_option_fails_as_pgvector_does_at_its_line(
    tmp_path: Path, major: int, clause: str, message: str, detail: str | None
) -> None:
    sql = (
        "create extension if not exists vector with schema extensions;\n"
        "create table public.docs (id int primary key, embedding extensions.vector(3));\n"
        "create index on public.docs using hnsw (embedding extensions.vector_l2_ops)\n"
        f"  {clause};\n"
        "create table public.after (id int);\n"
    )
    result, standin, _ = _replayed(tmp_path, major, {"20240101000000_v.sql": sql})
    failure = result.files[0].failure
    assert failure is not None and result.files[0].statements_applied == 2
    assert (failure.sqlstate, failure.message, failure.detail) == ("22023", message, detail)
    if standin:  # pgvet's check, placed at the option pgvector complains about
        option = clause.rsplit(", ", 1)[-1].removeprefix("with (")
        assert (failure.line, failure.column) == (4, 3 + clause.rindex(option))


@majors
def test_statements_before_a_bad_option_fail_first(tmp_path: Path, major: int) -> None:
    sql = (
        "create extension if not exists vector with schema extensions;\n"
        "create table public.docs (id int primary key, embedding extensions.vector(3));\n"
        "select 1 / 0;\n"
        "create index on public.docs using hnsw (embedding extensions.vector_l2_ops)\n"
        "  with (m = 1);\n"
    )
    result, _, _ = _replayed(tmp_path, major, {"20240101000000_v.sql": sql})
    failure = result.files[0].failure
    assert failure is not None and (failure.sqlstate, failure.line) == ("22012", 3)


@majors
def test_a_missing_column_comes_before_the_build_s_own_rule(tmp_path: Path, major: int) -> None:
    """ef_construction >= 2 * m is checked while the index is built: a missing column is
    reported first, as pgvector does; a range error is reported before it."""
    base = (
        "create extension if not exists vector with schema extensions;\n"
        "create table public.docs (id int primary key, embedding extensions.vector(3));\n"
    )
    late = (
        base
        + "create index on public.docs using hnsw (nope extensions.vector_l2_ops) with (m = 40);\n"
    )
    result, _, _ = _replayed(tmp_path / "late", major, {"20240101000000_v.sql": late})
    assert result.files[0].failure is not None
    assert result.files[0].failure.message == 'column "nope" does not exist'
    early = (
        base
        + "create index on public.docs using hnsw (nope extensions.vector_l2_ops) with (m = 1);\n"
    )
    result, _, _ = _replayed(tmp_path / "early", major, {"20240101000000_v.sql": early})
    assert result.files[0].failure is not None
    assert result.files[0].failure.message == 'value 1 out of bounds for option "m"'


VECTOR_CORPORA = {
    # corpus: the file that creates an index with options, and the index left at the end
    "liam": ("20250519120603_add_vector_support.sql", None),  # its table is dropped later
    "vcon-mcp": ("20251010120000_search_and_embeddings.sql", "vcon_embeddings_hnsw_cosine"),
}


@majors
@pytest.mark.parametrize("name", sorted(VECTOR_CORPORA))
def test_vector_corpus_replays_with_no_failed_file(major: int, name: str) -> None:
    """The shared corpora that create ivfflat/hnsw indexes with options replay whole on
    every major (they stopped at those indexes on 15 and 17 before the options check)."""
    if not have_major(major):
        pytest.skip(missing_major(major))
    project = load_project(CORPORA / name)
    filename, index = VECTOR_CORPORA[name]
    with cluster.sandbox(prepared_for(major)) as server, server.connect() as conn:
        result = replay(conn, project)
        method = conn.execute(
            "select a.amname from pg_class c join pg_am a on a.oid = c.relam where c.relname = %s",
            [index],
        ).fetchall()
    failures = [f"{f.failure.location}: {f.failure.message}" for f in result.failed if f.failure]
    assert failures == []
    assert result.ok and len(result.applied_order) == len(result.files)
    assert filename in result.applied_order
    assert method == ([("hnsw",)] if index else [])


def test_rewrite_keeps_every_offset_and_leaves_function_bodies(tmp_path: Path) -> None:
    sql = (
        "-- é\ncreate index on t using hnsw (e vector_l2_ops)\n"
        "  WITH (m = 16,\n  ef_construction = 64);\n"
        "create function f() returns void language plpgsql as $$ begin\n"
        "  create index on t using hnsw (e vector_l2_ops) with (m = 16); end $$;\n"
        'do $body$ begin create index on t using "ivfflat" (e) include (x)\n'
        "  with (lists = 5); end $body$;\n"
        "do $$ begin create index on t using hnsw (e vector_l2_ops) with (m = 1); end $$;\n"
    )
    migration = load_project(write_migrations(tmp_path, {"20240101000000_v.sql": sql})).files[0]
    done = rewrite(migration)
    assert done is not None and done.refusals == {}
    assert len(done.text) == len(sql)
    assert [i for i, c in enumerate(sql) if c == "\n"] == [
        i for i, c in enumerate(done.text) if c == "\n"
    ]
    assert "WITH" not in done.text and "ef_construction" not in done.text
    assert "with (m = 16); end $$;" in done.text  # a function body is stored: left as written
    assert "lists" not in done.text
    assert "with (m = 1)" in done.text  # invalid in a DO block: the stand-in refuses it there


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("16", 16),
        (" 16 ", 16),
        ("16.5", 16),
        ("17.5", 18),
        ("0x10", 16),
        ("010", 8),
        ("+5", 5),
        ("-3", -3),
        ("1e1", 10),
        ("abc", None),
        ("true", None),
        ("1.5e", None),
        ("0x", None),
        ("2147483648", None),
        ("nan", None),
    ],
)
def test_parse_int_is_postgresql_s(text: str, value: int | None) -> None:
    assert parse_int(text) == value


@majors
def test_data_fills_vector_columns(major: int) -> None:
    """`pgvet data` loads with binary COPY: the stand-in's binary I/O (its text form) lets
    chatbot-ui's file_items (vector(384), vector(1536)) be filled as on the real pgvector."""
    from pgvet.config import load_config
    from pgvet.data.plan import Scale
    from pgvet.data.session import filled_project
    from pgvet.replay.limits import Limits

    if not have_major(major):
        pytest.skip(missing_major(major))
    path = CORPORA / "chatbot-ui"
    project = load_project(path)
    config = load_config(project.root)
    with (
        filled_project(path, project, config, Scale(20), limits=Limits(), pg_version=major) as done,
        done.session.server.admin() as conn,
    ):
        assert [t.skipped for t in done.result.tables if t.skipped] == []
        items = next(t for t in done.result.tables if t.name == "file_items")
        assert items.rows == 20
        # every value stored reads back as a vector of its column's dimensions
        conn.execute("set search_path = public, extensions")
        dims = conn.execute(
            "select count(*), count(local_embedding), "
            "bool_and(local_embedding is null or vector_dims(local_embedding) = 384), "
            "bool_and(openai_embedding is null or vector_dims(openai_embedding) = 1536) "
            "from public.file_items"
        ).fetchone()
        assert dims is not None and dims[0] == 20 and dims[2] is not False and dims[3] is not False


@majors
def test_data_fills_not_null_vector_halfvec_and_sparsevec_columns(
    tmp_path: Path, major: int
) -> None:
    from pgvet.config import load_config
    from pgvet.data.plan import Scale
    from pgvet.data.session import filled_project
    from pgvet.replay.limits import Limits

    if not have_major(major):
        pytest.skip(missing_major(major))
    sql = (
        "create extension if not exists vector with schema extensions;\n"
        "create table public.docs (id bigint generated always as identity primary key,\n"
        "  v extensions.vector(3) not null, h extensions.halfvec(2) not null,\n"
        "  s extensions.sparsevec(4) not null);\n"
    )
    path = write_migrations(tmp_path, {"20240101000000_v.sql": sql})
    project = load_project(path)
    with (
        filled_project(
            path, project, load_config(project.root), Scale(10), limits=Limits(), pg_version=major
        ) as done,
        done.session.server.admin() as conn,
    ):
        assert [t.skipped for t in done.result.tables if t.skipped] == []
        rows = conn.execute(
            "select distinct v::text, h::text, s::text, count(*) over () from public.docs"
        ).fetchall()
    assert rows == [("[0.1,0.1,0.1]", "[0.099975586,0.099975586]", "{1:0.1}/4", 10)]


@majors
def test_every_version_path_of_the_stand_in_installs(
    vector_db: Callable[[int], psycopg.Connection], major: int
) -> None:
    """Migrations pin versions (``create extension vector version '0.7.4'``) and update
    them: every path the stand-in lists installs, and ends with the whole 0.8 surface."""
    from importlib import resources

    conn = vector_db(major)
    if not standin_installed(conn):
        pytest.skip("this server has the real pgvector")
    folder = resources.files("pgvet.sandbox").joinpath("extensions")
    paths = sorted(
        tuple(e.name.removesuffix(".sql").split("--")[1:])
        for e in folder.iterdir()
        if e.name.startswith("vector--") and e.name.count("--") == 2
    )
    assert ("0.8.0", "0.8.1") in paths and ("0.7.4", "0.8.0") in paths
    for start, end in paths:
        conn.execute("drop extension vector")
        conn.execute(f"create extension vector with schema extensions version '{start}'")
        conn.execute(f"alter extension vector update to '{end}'")
        got = conn.execute(
            "select extversion, to_regtype('extensions.halfvec') is not null, "
            "to_regtype('extensions.sparsevec') is not null from pg_extension "
            "where extname = 'vector'"
        ).fetchone()
        assert got == (end, True, True), (start, end)


@majors
def test_concurrent_index_with_options(tmp_path: Path, major: int) -> None:
    """CREATE INDEX CONCURRENTLY runs on its own (outside the file's transaction): its
    options are checked and blanked the same way."""
    base = (
        "create extension if not exists vector with schema extensions;\n"
        "create table public.docs (id int primary key, embedding extensions.vector(3));\n"
    )
    good = base + (
        "create index concurrently docs_hnsw on public.docs\n"
        "  using hnsw (embedding extensions.vector_l2_ops) with (m = 8);\n"
    )
    result, _, options = _replayed(tmp_path / "good", major, {"20240101000000_v.sql": good})
    assert [f.failure for f in result.files] == [None] and "docs_hnsw" in options
    bad = base + (
        "create index concurrently on public.docs\n"
        "  using ivfflat (embedding extensions.vector_l2_ops) with (lists = 0);\n"
    )
    result, standin, _ = _replayed(tmp_path / "bad", major, {"20240101000000_v.sql": bad})
    failure = result.files[0].failure
    assert failure is not None
    assert failure.message == 'value 0 out of bounds for option "lists"'
    if standin:
        assert (failure.line, failure.column) == (4, 60)


COLUMN_CHECKS = [
    (
        "hnsw (v vector_l2_ops)",
        "54000",
        "column cannot have more than 2000 dimensions for hnsw index",
    ),
    (
        "ivfflat (h halfvec_l2_ops)",
        "54000",
        "column cannot have more than 4000 dimensions for ivfflat index",
    ),
    (
        "hnsw (b bit_hamming_ops)",
        "54000",
        "column cannot have more than 64000 dimensions for hnsw index",
    ),
    ("hnsw (v0 vector_l2_ops)", "22023", "column does not have dimensions"),
    ("hnsw (s0 sparsevec_l2_ops)", "22023", "column does not have dimensions"),
    ("hnsw ((v0 + v0) vector_l2_ops)", "22023", "column does not have dimensions"),
    ("hnsw (vb bit_hamming_ops)", "0A000", "type not supported for hnsw index"),
    (
        "hnsw (ok vector_l2_ops) include (v0)",
        "0A000",
        'access method "hnsw" does not support included columns',
    ),
]


@majors
def test_index_column_checks_are_pgvector_s(
    vector_db: Callable[[int], psycopg.Connection], major: int
) -> None:
    """pgvector refuses a column without dimensions or with too many when the index is
    built; the stand-in's event trigger does the same, with the same messages."""
    conn = vector_db(major)
    conn.execute(
        "create table t (v vector(2001), v0 vector, h halfvec(4001), h2 halfvec(4000),"
        " b bit(64001), vb varbit, s sparsevec(100000), s0 sparsevec, ok vector(3))"
    )
    for index, sqlstate, message in COLUMN_CHECKS:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute(f"create index on t using {index}")
        got = (caught.value.diag.sqlstate, caught.value.diag.message_primary)
        assert got == (sqlstate, message), index
    for index in (
        "hnsw (h2 halfvec_l2_ops)",
        "hnsw (s sparsevec_l2_ops)",
        "hnsw ((v0::vector(3)) vector_l2_ops)",
        "ivfflat ((subvector(v0, 1, 3)::vector(3)) vector_l2_ops)",
        "hnsw (ok vector_cosine_ops) where ok is not null",
    ):
        conn.execute(f"create index on t using {index}")


@majors
def test_halfvec_rounds_like_ieee_binary16(
    vector_db: Callable[[int], psycopg.Connection], major: int
) -> None:
    """Every element is rounded to half precision as pgvector stores it: nearest, ties to
    even, subnormals below 2^-14 (numpy's float16 is the referee)."""
    import numpy as np

    rng = np.random.default_rng(7)
    ties = [(m + 0.5) * 2.0 ** (e - 10) for m in range(1024, 2048, 37) for e in range(-14, 16)]
    values = [*ties, *(-t for t in ties[::5])]
    values += list(rng.uniform(-65000, 65000, 300)) + list(rng.uniform(-1e-4, 1e-4, 300))
    row = vector_db(major).execute("select %s::float8[]::halfvec::real[]", [values]).fetchone()
    assert row is not None
    # real[] reaches Python as float4 text: compare in single precision, which holds every half
    assert [np.float32(x) for x in row[0]] == [np.float32(np.float16(v)) for v in values]


@majors
def test_invalid_option_in_a_do_block_is_left_to_the_server(tmp_path: Path, major: int) -> None:
    """A DO block may never reach its CREATE INDEX (IF …): an invalid option there is sent as
    written. The stand-in then refuses the option itself, and the hint says why and what to
    do; the real pgvector gives its own message."""
    sql = (
        "create extension if not exists vector with schema extensions;\n"
        "create table public.docs (id int primary key, embedding extensions.vector(3));\n"
        "do $$ begin\n"
        "  create index on public.docs using hnsw (embedding extensions.vector_l2_ops)\n"
        "    with (m = 1);\n"
        "end $$;\n"
    )
    result, standin, _ = _replayed(tmp_path, major, {"20240101000000_v.sql": sql})
    failure = result.files[0].failure
    assert failure is not None and (failure.line, failure.column) == (5, 11)  # at `m`
    if standin:
        assert failure.message == 'unrecognized parameter "m"'
        assert failure.pgvet_hint is not None and "--pg-version 18" in failure.pgvet_hint
    else:
        assert failure.message == 'value 1 out of bounds for option "m"'


PROJECT_WITH_OPTIONS = """create extension if not exists vector with schema extensions;
create table public.docs (id int primary key, embedding extensions.vector(3));
create index docs_hnsw on public.docs using hnsw (embedding extensions.vector_cosine_ops)
  with (m = 16, ef_construction = 64);
insert into public.docs values (1, '[1,2,3]');
"""
#: what pg_dump writes for that project on a server with pgvector
DUMP_WITH_OPTIONS = """CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA extensions;
CREATE TABLE public.docs (
    id integer NOT NULL,
    embedding extensions.vector(3)
);
COPY public.docs (id, embedding) FROM stdin;
1\t[1,2,3]
\\.
ALTER TABLE ONLY public.docs
    ADD CONSTRAINT docs_pkey PRIMARY KEY (id);
CREATE INDEX docs_hnsw ON public.docs USING hnsw (embedding extensions.vector_cosine_ops) \
WITH (m='16', ef_construction='64');
--
-- PostgreSQL database dump complete
--
"""


@pytest.mark.parametrize("major", [15, 17], ids=lambda m: f"pg{m}")
def test_plain_dump_with_index_options_restores_on_the_stand_in(tmp_path: Path, major: int) -> None:
    """backup verify restores a plain dump (supabase db dump) with the options blanked, as
    the replay sends them: the index is restored and equals the replayed project's."""
    from typer.testing import CliRunner

    from pgvet.cli.main import app

    if not have_major(major):
        pytest.skip(missing_major(major))
    project = write_migrations(tmp_path / "p", {"20240101000000_v.sql": PROJECT_WITH_OPTIONS})
    dump = tmp_path / "dump.sql"
    dump.write_text(DUMP_WITH_OPTIONS)
    result = CliRunner().invoke(
        app, ["backup", "verify", str(dump), "--project", str(project), "--pg-version", str(major)]
    )
    assert result.exit_code == 0, result.stdout
    assert "restored without errors and equal to the source" in result.stdout
