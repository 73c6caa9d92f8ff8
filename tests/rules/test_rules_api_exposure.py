"""The API exposure rules taken over from splinter (S212-S222, C302-C304) on real
projects, each finding read in the project's SQL and, where it says who may do what, confirmed
on the replayed server (``has_function_privilege``, a call as ``anon``)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from conftest import CORPORA, SharedReplays, write_migrations
from pgvet.findings import Finding
from pgvet.replay.project import load_project
from pgvet.replay.session import Replayed, replayed_project
from pgvet.rules.registry import REGISTRY, LintContext


def run(s: Replayed, rule: str) -> list[Finding]:
    return list(REGISTRY[rule].run(LintContext(catalog=s.catalog, project=s.project)))


@pytest.fixture(scope="module")
def vcon(shared_replays: SharedReplays) -> Replayed:
    s = shared_replays.get(CORPORA / "vcon-mcp")
    assert s.result.ok
    return s


def test_vcon_exec_sql_is_a_sql_console_for_anon(vcon: Replayed) -> None:
    # exec_sql(query_params, query_text) runs `execute format('... (%s) t',
    # processed_query)` with processed_query := query_text; explain_query(q, ...) runs
    # `return query execute explain_stmt` with explain_stmt := '...' || q. Both are
    # SECURITY DEFINER and granted to anon. The thin exec_sql(q, params) wrapper only calls
    # the other overload (no EXECUTE of its own) and stays an anon-callable function.
    found = {f.object for f in run(vcon, "exposed-function-runs-caller-sql")}
    assert found == {
        "function public.exec_sql(query_params jsonb, query_text text)",
        "function public.explain_query(q text, run_analyze boolean)",
    }
    anon = {f.object for f in run(vcon, "anon-security-definer-function")}
    assert "function public.exec_sql(q text, params jsonb)" in anon
    assert not found & anon  # reported once, by the stricter rule
    # the claim, on the server: anon's call runs the caller's SQL as postgres
    with vcon.conn.transaction(force_rollback=True):
        vcon.conn.execute("set local role anon")
        (result,) = vcon.conn.execute(
            "select public.exec_sql('{}'::jsonb, 'select current_user as who')"
        ).fetchone()
    assert result == [{"who": "postgres"}]


def test_vcon_tags_materialized_view_skips_attachments_rls(vcon: Replayed) -> None:
    # vcon_tags_mv aggregates attachments (RLS enabled, tenant policies) and keeps
    # Supabase's default SELECT for anon and authenticated.
    (finding,) = run(vcon, "materialized-view-in-api")
    assert finding.object == "materialized view public.vcon_tags_mv"
    assert finding.data["sources"] == ["public.attachments"]
    assert vcon.conn.execute(
        "select has_table_privilege('anon', 'public.vcon_tags_mv', 'SELECT'),"
        " relrowsecurity from pg_class where oid = 'public.attachments'::regclass"
    ).fetchone() == (True, True)


def test_liam_revoke_from_anon_leaves_public(shared_replays: SharedReplays) -> None:
    # 20250424163200_accept_invitation.sql: `revoke all on function
    # accept_invitation(uuid) from anon` - PUBLIC keeps EXECUTE, so anon still has it.
    s = shared_replays.get(CORPORA / "liam")
    findings = {f.object: f for f in run(s, "anon-security-definer-function")}
    accept = findings["function public.accept_invitation(p_token uuid)"]
    assert "(PUBLIC)" in accept.message
    assert s.conn.execute(
        "select has_function_privilege('anon', 'public.accept_invitation(uuid)', 'EXECUTE')"
    ).fetchone() == (True,)


def test_dbdev_token_signing_is_not_a_secret_leak(shared_replays: SharedReplays) -> None:
    # redeem_access_token(access_token) reads the JWT secret named 'app.jwt_secret' from
    # the Vault to sign a token: a fixed secret, not one the caller names.
    s = shared_replays.get(CORPORA / "dbdev")
    assert run(s, "exposed-function-reads-secrets") == []
    anon = {f.object for f in run(s, "anon-security-definer-function")}
    assert "function public.redeem_access_token(access_token text)" in anon


def test_suna_extensions_in_public(shared_replays: SharedReplays) -> None:
    # pg_trgm is created without a schema (public); pg_cron and pg_net are registered in
    # public too but keep their objects in cron and net.
    s = shared_replays.get(CORPORA / "suna")
    assert {f.object for f in run(s, "extension-in-public")} == {"extension pg_trgm"}
    assert {e.name for e in s.catalog.extensions if e.schema == "public"} >= {
        "pg_trgm",
        "pg_cron",
        "pg_net",
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[auth]\nenable_anonymous_sign_ins = true\n", True),
        ("[auth]\nenable_anonymous_sign_ins = false\n", False),
        ("[db]\nmajor_version = 15\n", False),
        (None, False),
    ],
)
def test_anonymous_sign_ins_read_from_config(
    tmp_path: Path, config: str | None, expected: bool
) -> None:
    """policy-admits-anonymous-users runs only when config.toml turns anonymous sign-ins on."""
    write_migrations(tmp_path, {"20240101000000_a.sql": "select 1;\n"})
    if config is not None:
        (tmp_path / "supabase" / "config.toml").write_text(config, encoding="utf-8")
    assert load_project(tmp_path).anonymous_sign_ins is expected


def test_what_anon_reads_on_the_server(tmp_path: Path) -> None:
    """The premises of auth-users-exposed and policy-open-when-signed-out, as anon on the
    replayed server: the definer view hands out auth.users' e-mails, the invoker view is
    refused, and `auth.uid() is null or ...` shows anon every row."""
    write_migrations(
        tmp_path,
        {
            "20240101000000_a.sql": (
                "insert into auth.users (id, email) values"
                " ('00000000-0000-0000-0000-000000000001', 'ada@example.test');\n"
                "create view public.user_directory as select id, email from auth.users;\n"
                "create view public.invoker_directory with (security_invoker = true) as\n"
                "  select id, email from auth.users;\n"
                "create table public.notes (id bigint primary key, owner_id uuid);\n"
                "insert into public.notes values (1, gen_random_uuid()), (2, gen_random_uuid());\n"
                "alter table public.notes enable row level security;\n"
                'create policy "Owners read" on public.notes for select\n'
                "  using (auth.uid() is null or owner_id = auth.uid());\n"
            )
        },
    )
    with replayed_project(tmp_path) as rep:
        ctx = LintContext(catalog=rep.catalog, project=rep.project)
        exposed = {f.object for f in REGISTRY["auth-users-exposed"].run(ctx)}
        assert exposed == {"view public.user_directory"}
        (open_policy,) = REGISTRY["policy-open-when-signed-out"].run(ctx)
        assert open_policy.object == 'policy "Owners read" on public.notes'
        conn = rep.conn
        with conn.transaction(force_rollback=True):
            conn.execute("set local role anon")
            emails = conn.execute("select email from public.user_directory").fetchall()
            notes = conn.execute("select count(*) from public.notes").fetchone()
        assert emails == [("ada@example.test",)] and notes == (2,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("set local role anon")
            conn.execute("select email from public.invoker_directory")
