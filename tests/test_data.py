"""``pgvet data``: generated rows on real servers, judged by PostgreSQL itself.

Loading runs with triggers (and so foreign-key checks) off, so every test re-adds each
foreign key and check constraint in a rolled-back transaction: PostgreSQL then validates
every row. Unique keys and enums are enforced by the server while loading.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
from typer.testing import CliRunner

from conftest import CORPORA, EXAMPLE
from pgvet.cli.main import app
from pgvet.config import load_config
from pgvet.data import binary
from pgvet.data.plan import Scale
from pgvet.data.session import Filled, filled_project
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project

runner = CliRunner()


@contextlib.contextmanager
def filled(path: Path, rows: int) -> Iterator[Filled]:
    project = load_project(path)
    config = load_config(project.root)
    with filled_project(path, project, config, Scale(rows), limits=Limits()) as result:
        yield result


def revalidate(conn: psycopg.Connection) -> int:
    """Drop and re-add every foreign key and check of the user schemas: PostgreSQL checks
    each row. Returns how many constraints were validated."""
    rows = conn.execute(
        """select format('%I.%I', n.nspname, c.relname), con.conname,
                  pg_get_constraintdef(con.oid)
           from pg_constraint con join pg_class c on c.oid = con.conrelid
           join pg_namespace n on n.oid = c.relnamespace
           where con.contype in ('f', 'c') and con.conrelid <> 0
             and n.nspname not in ('pg_catalog', 'information_schema', 'auth', 'storage',
                                   'realtime', 'extensions', 'supabase_migrations', 'vault')"""
    ).fetchall()
    with conn.transaction(force_rollback=True):
        for table, name, definition in rows:
            conn.execute(f'alter table {table} drop constraint "{name}"')
            conn.execute(f'alter table {table} add constraint "{name}" {definition}')
    return len(rows)


def test_clinic_rows_respect_every_constraint_and_look_real() -> None:
    with filled(EXAMPLE, 400) as done, done.session.server.admin() as conn:
        result = done.result
        assert not [t for t in result.tables if t.skipped], result.tables
        assert result.violations == []
        assert revalidate(conn) > 200
        counts = {t.name: t.rows for t in result.tables}
        assert counts["clinics"] == 3  # the tenant table: 400 / 200, at least 3
        assert counts["customers"] == 400
        # tenant skew: the biggest clinic holds more customers than the smallest
        per_clinic = [
            r[0]
            for r in conn.execute(
                "select count(*) from customers group by clinic_id order by 1"
            ).fetchall()
        ]
        assert per_clinic[-1] > per_clinic[0]
        # tenants agree: a booking's customer belongs to the booking's clinic
        mismatched = conn.execute(
            """select count(*) from bookings b join customers c on c.id = b.customer_id
               where c.clinic_id <> b.clinic_id"""
        ).fetchone()[0]
        assert mismatched == 0
        # JSONB shaped by the queries: customers.tags are arrays, some hold "acne"
        kinds = conn.execute(
            "select distinct jsonb_typeof(tags) from customers where tags is not null"
        ).fetchall()
        assert kinds == [("array",)]
        assert (
            conn.execute("select count(*) from customers where tags @> '[\"acne\"]'").fetchone()[0]
            > 0
        )
        # the workload's full-text search finds notes
        found = conn.execute(
            "select count(*) from customer_notes where "
            "to_tsvector('english', content) @@ websearch_to_tsquery('laser')"
        ).fetchone()[0]
        assert found > 0
        # timestamps grow: the last year of the period has more rows than the first
        first, last = conn.execute(
            """select count(*) filter (where created_at < min_at + interval '365 days'),
                      count(*) filter (where created_at >= max_at - interval '365 days')
               from skin_analyses, (select min(created_at) min_at, max(created_at) max_at
                                    from skin_analyses) m"""
        ).fetchone()
        assert last > first
        # profiles are one per auth user
        assert (
            conn.execute(
                "select count(*) from users u left join auth.users a using (id) where a.id is null"
            ).fetchone()[0]
            == 0
        )


@pytest.mark.parametrize("corpus", ["basejump", "atomic-crm"])
def test_corpora_rows_respect_every_constraint(corpus: str) -> None:
    with filled(CORPORA / corpus, 150) as done, done.session.server.admin() as conn:
        assert not [t for t in done.result.tables if t.skipped]
        assert done.result.violations == []
        assert done.result.rows > 0
        revalidate(conn)


def test_binary_encoders_round_trip_through_postgresql(conn15: psycopg.Connection) -> None:
    conn15.execute(
        "create temp table t (n numeric(12,2), ts timestamptz, d date, i inet, u uuid, a text[])"
    )
    scaled = np.array([123456, -5, 0])
    moments = np.array([0, 1_700_000_000_000_000, 946_684_800_000_000])
    days = np.array([0, 19_000, 10_957])
    fields = [
        binary.Fixed(binary.numerics(scaled, 2)),
        binary.Fixed(binary.timestamps(moments)),
        binary.Fixed(binary.dates(days)),
        binary.Fixed(binary.inets(np.array([0x0A000001, 0x7F000001, 0xC0A80101], np.uint32))),
        binary.Fixed(binary.uuids(bytes(range(48))), np.array([False, True, False])),
        binary.Variable([binary.text_array([b"x", b"y"], 25), None, binary.text_array([], 25)]),
    ]
    with conn15.cursor().copy("copy t from stdin (format binary)") as copy:
        copy.write(binary.HEADER + binary.encode_rows(fields, 3) + binary.TRAILER)
    conn15.execute("set timezone = 'UTC'")
    rows = conn15.execute(
        "select n::text, ts::text, d::text, i::text, u::text, a::text from t"
    ).fetchall()
    assert rows[0][:4] == ("1234.56", "1970-01-01 00:00:00+00", "1970-01-01", "10.0.0.1/32")
    assert rows[1][0] == "-0.05" and rows[1][4] is None and rows[1][5] is None
    assert rows[2][1:3] == ("2000-01-01 00:00:00+00", "2000-01-01")
    assert rows[0][4] == "00010203-0405-4607-8809-0a0b0c0d0e0f"  # version 4, variant bits
    assert (rows[0][5], rows[2][5]) == ("{x,y}", "{}")


def test_cli_reports_rows_and_refuses_bad_input(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["data", str(CORPORA / "basejump"), "--rows", "20", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"foreign_key_violations": []' in ok.output
    both = runner.invoke(app, ["data", str(EXAMPLE), "--rows", "5", "--scale", "x.toml"])
    assert both.exit_code == 2 and "exclusive" in both.output
    scale = tmp_path / "scale.toml"
    scale.write_text("default = 10\n[rows]\nno_such_table = 5\n")
    unknown = runner.invoke(app, ["data", str(EXAMPLE), "--scale", str(scale)])
    assert unknown.exit_code == 2 and "no table no_such_table" in unknown.output
    scale.write_text("default = -1\n")
    negative = runner.invoke(app, ["data", str(EXAMPLE), "--scale", str(scale)])
    assert negative.exit_code == 2 and "whole numbers" in negative.output
    assert "Traceback" not in unknown.output + negative.output
