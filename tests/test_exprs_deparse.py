"""The text of a full-text search's ``to_tsvector(...)`` call, for an index key: read from
the call's own text (pglast's scanner finds its end), as the whole statement's parse
printed it."""

from __future__ import annotations

import pytest

from pgvet.analysis.exprs import deparse_at, plain_call_sql
from pgvet.analysis.sql.parse import fresh_statements

CASES = [
    (
        "select * from notes n where to_tsvector('english', n.title || ' (' || n.body) @@ q",
        "to_tsvector",
        "to_tsvector('english', title || ' (' || body)",
    ),
    (  # a parenthesis and a non-ASCII letter inside a string; a qualified name; a cast after
        "select 1 from t x where pg_catalog.to_tsvector('french', 'é)' || x.body)::tsvector @@ q",
        "pg_catalog",
        "pg_catalog.to_tsvector('french', 'é)' || body)",
    ),
    (  # a comment with a parenthesis inside the call
        "select 1 from t n where to_tsvector('simple', /* ) */ coalesce(n.a, '')) @@ q",
        "to_tsvector",
        "to_tsvector('simple', COALESCE(a, ''))",
    ),
]


@pytest.mark.parametrize(("sql", "at", "expected"), CASES)
def test_call_text_as_an_index_key(sql: str, at: str, expected: str) -> None:
    assert deparse_at(sql, sql.encode().index(at.encode())) == expected


def test_not_a_call_there() -> None:
    sql = "select to_tsvector('english', body) from t"
    assert deparse_at(sql, sql.encode().index(b"from")) is None


PLAIN_CALLS = [
    "to_tsvector('english', n.name)",
    "to_tsvector('english', body)",
    "pg_catalog.to_tsvector('simple', t.\"Title\")",
    "to_tsvector('it''s', \"select\")",
    "to_tsvector(lower(title))",
    "public.my_fts('a', unaccent(x.body))",
    'to_tsvector("Document")',
    "now()",  # column defaults (volatile-default-add-column's fix)
    "extensions.uuid_generate_v4()",
    "timezone('utc', now())",
    '"Now"()',
]
NOT_PLAIN = [  # printed by pglast: casts, operators, COALESCE, special and keyword functions
    "to_tsvector('english'::regconfig, body)",
    "to_tsvector('english', title || ' ' || body)",
    "to_tsvector('simple', coalesce(a, ''))",
    "to_tsvector('simple', 1)",
    "to_tsvector(variadic array['a'])",
    "pg_catalog.overlay('abc', 'x', 1)",
    "to_tsvector(t.*)",
]


def _calls(expression: str) -> tuple[dict[str, object], str]:
    tree = fresh_statements(f"select {expression}")
    assert tree is not None
    call = tree[0]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]["FuncCall"]
    printed = deparse_at(f"select {expression}", 7)
    assert printed is not None
    return call, printed


@pytest.mark.parametrize("expression", PLAIN_CALLS)
def test_plain_calls_print_as_pglast_prints_them(expression: str) -> None:
    call, printed = _calls(expression)
    assert plain_call_sql(call) == printed


@pytest.mark.parametrize("expression", NOT_PLAIN)
def test_other_calls_are_left_to_pglast(expression: str) -> None:
    call, _ = _calls(expression)
    assert plain_call_sql(call) is None
