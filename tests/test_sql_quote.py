"""The one identifier quoting of generated SQL, checked against the server's parser: every
name comes back as itself, and plain names stay bare (so fixes for them read as before)."""

from __future__ import annotations

import psycopg
import pytest

from pgvet.analysis.sql.quote import ident, qualified

AWKWARD = ["order", "user", "select", "group", "Order", "clinicId", 'say "hi"', "1x", "é", "a$b"]
PLAIN = ["clinic_id", "orders", "name", "type", "value", "position", "_x1"]


@pytest.mark.parametrize("name", AWKWARD + PLAIN)
def test_the_server_reads_the_name_back(scratch_db: psycopg.Connection, name: str) -> None:
    scratch_db.execute(f"create table {qualified('public', name)} ({ident(name)} int)")
    row = scratch_db.execute(
        "select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid"
        " where c.relnamespace = 'public'::regnamespace and a.attnum = 1"
    ).fetchone()
    assert row == (name, name)


@pytest.mark.parametrize("name", AWKWARD)
def test_reserved_and_mixed_case_names_are_quoted(name: str) -> None:
    assert ident(name).startswith('"')


@pytest.mark.parametrize("name", PLAIN)
def test_plain_names_stay_bare(name: str) -> None:
    assert ident(name) == name
