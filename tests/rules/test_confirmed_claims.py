"""Claims confirmed on the server before they are made (issue #11): the level and the
evidence of policy-recursion, security-definer-no-search-path and unindexed-foreign-key
findings on the golden cases, with and without a sandbox, and that the proposed
search_path really keeps Supabase's sign-up trigger working.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from conftest import ExampleDatabases, write_migrations
from pgvet.catalog import read_catalog
from pgvet.findings import Finding
from pgvet.replay.apply import replay
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import load_project
from pgvet.rules.registry import REGISTRY, LintContext
from pgvet.rules.sandbox import Sandbox

CASES = Path(__file__).parent / "cases"
_FILE_MARK = re.compile(r"^-- file: (\S+)\s*$", re.M)


def _lint(
    rule: str, case: str, dbs: ExampleDatabases, root: Path, sandbox: bool = True
) -> tuple[psycopg.Connection, list[Finding]]:
    """Replay one golden case into a fresh database and run ``rule`` on it."""
    sql = (CASES / case).read_text(encoding="utf-8")
    project = load_project(write_migrations(root, {"20240101000000_case.sql": sql}))
    conn = dbs.new()
    assert replay(conn, project).ok
    catalog = replace(read_catalog(conn), origins=compute_origins(project.files))
    box = Sandbox.beside(conn) if sandbox else None
    try:
        ctx = LintContext(catalog=catalog, project=project, sandbox=box)
        return conn, list(REGISTRY[rule].run(ctx))
    finally:
        if box is not None:
            box.close()


def test_recursion_that_postgres_raises_is_an_error(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    conn, (finding,) = _lint(
        "policy-recursion",
        "s204_policy_recursion/member_function_recurses.sql",
        example_dbs,
        tmp_path,
    )
    conn.close()
    assert finding.level.value == "error"
    assert finding.data["confirmed"] is True
    assert finding.message.startswith(
        'Confirmed on the sandbox: SELECT on public."Member" as authenticated failed with '
        "54001 stack depth limit exceeded."
    )


def test_recursion_postgres_does_not_raise_is_a_warning(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    conn, (finding,) = _lint(
        "policy-recursion",
        "s204_policy_recursion/suspected_reads_fine.sql",
        example_dbs,
        tmp_path,
    )
    try:
        assert finding.level.value == "warn"
        assert finding.data["confirmed"] is False
        assert finding.message.startswith(
            "Possible recursion, not confirmed: PostgreSQL ran SELECT as authenticated "
            "(1 row checked)"
        )
        # and PostgreSQL really reads it, as the persona, with a row of the persona's
        uid = "00000000-0000-4000-8000-0000009e7e70"
        with conn.transaction(force_rollback=True):
            conn.execute("insert into public.documents (owner) values (%s)", (uid,))
            conn.execute("select set_config('role', 'authenticated', true)")
            conn.execute(
                "select set_config('request.jwt.claims', %s, true)",
                (f'{{"sub":"{uid}","role":"authenticated"}}',),
            )
            assert conn.execute("select count(*) from public.documents").fetchone() == (1,)
    finally:
        conn.close()


def test_recursion_without_a_sandbox_is_not_confirmed(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    conn, (finding,) = _lint(
        "policy-recursion",
        "s204_policy_recursion/member_function_recurses.sql",
        example_dbs,
        tmp_path,
        sandbox=False,
    )
    conn.close()
    assert finding.level.value == "warn"
    assert "not confirmed: no sandbox" in finding.message


def test_search_path_fix_keeps_the_signup_trigger_working(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    conn, (finding,) = _lint(
        "security-definer-no-search-path",
        "s210_security_definer_no_search_path/handle_new_user.sql",
        example_dbs,
        tmp_path,
    )
    try:
        assert finding.data["search_path"] == "public, pg_temp"
        assert finding.data["unqualified"] == ["profiles"]
        assert finding.data["confirmed"] is True
        assert finding.fix == (
            "alter function public.handle_new_user() set search_path = public, pg_temp;"
        )
        uid = "00000000-0000-4000-8000-00000000a001"
        with Sandbox.beside(conn).conn as admin, admin.transaction(force_rollback=True):
            admin.execute(finding.fix)
            admin.execute(
                "insert into auth.users (id, raw_user_meta_data) values (%s, '{}')", (uid,)
            )
            assert admin.execute(
                "select count(*) from public.profiles where id = %s", (uid,)
            ).fetchone() == (1,)
            # what the old advice (search_path = '') does to every sign-up
            admin.execute("alter function public.handle_new_user() set search_path = ''")
            with pytest.raises(psycopg.errors.UndefinedTable):
                admin.execute(
                    "insert into auth.users (id, raw_user_meta_data) values "
                    "(gen_random_uuid(), '{}')"
                )
    finally:
        conn.close()


def test_a_path_that_breaks_the_function_is_not_proposed(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    conn, (finding,) = _lint(
        "security-definer-no-search-path",
        "s210_security_definer_no_search_path/pin_breaks_helper.sql",
        example_dbs,
        tmp_path,
    )
    conn.close()
    assert finding.fix is None
    assert "Not proposed" in finding.message and "42883" in finding.message


def test_partial_fk_index_is_confirmed_with_the_ri_query_plan(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    conn, findings = _lint(
        "unindexed-foreign-key",
        "i101_unindexed_foreign_key/partial_indexes.sql",
        example_dbs,
        tmp_path,
    )
    try:
        assert [f.data["constraint"] for f in findings] == ["invoices_order_fkey"]
        assert '"invoices_order_Live" (where archived_at IS NULL)' in findings[0].message
        # the check PostgreSQL runs for a deleted account uses the partial index
        with conn.transaction(force_rollback=True):
            conn.execute("set local enable_seqscan = off")
            plan = conn.execute(
                "explain (costs off) select 1 from only public.invoices x "
                "where x.account_id = '00000000-0000-4000-8000-000000000001' "
                "for key share of x"
            ).fetchall()
        assert any("invoices_account_id_set" in row[0] for row in plan)
    finally:
        conn.close()


@pytest.mark.parametrize(("zone", "rewritten"), [("UTC", False), ("America/New_York", True)])
def test_timestamp_to_timestamptz_rewrites_only_outside_utc(
    scratch_db: psycopg.Connection, zone: str, rewritten: bool
) -> None:
    """What column-type-change says about timestamp -> timestamptz, on each server: the
    table keeps its file under UTC (binary-coercible), the index on the column does not."""
    conn = scratch_db
    conn.execute("create table public.t (id int primary key, at timestamp, seen timestamp)")
    conn.execute("create index t_at on public.t (at)")
    conn.execute("insert into public.t values (1, now(), now())")
    files = "select pg_relation_filenode('public.t'), pg_relation_filenode('public.t_at')"
    table_before, index_before = conn.execute(files).fetchone()  # type: ignore[misc]
    with conn.transaction():
        conn.execute(f"set local timezone = '{zone}'")
        conn.execute("alter table public.t alter column at type timestamptz")
    table_after, index_after = conn.execute(files).fetchone()  # type: ignore[misc]
    assert (table_after != table_before) is rewritten
    assert index_after != index_before  # the index is always rebuilt
