"""The text of a full-text search's ``to_tsvector(...)`` call, for an index key: read from
the call's own text (pglast's scanner finds its end), as the whole statement's parse
printed it."""

from __future__ import annotations

import pytest

from pgvet.analysis.exprs import deparse_at

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
