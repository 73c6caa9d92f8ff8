"""Hostile migrations: what Supabase refuses the project's role fails in pgvet too.

Migrations and the seed run as ``postgres`` with the platform's privileges, not as a
superuser. Each attack is a small project replayed by the real CLI on a real server; each
asserts the documented failure (file:line, the "not permitted on Supabase" hint, exit 1),
that no side effect exists afterwards, and no traceback. Legitimate Supabase migrations
(extensions of the allow-list, storage policies, auth triggers, roles, PostgREST settings)
still apply.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from conftest import MAJORS, have_major, missing_major, write_migrations
from pgvet.cli.main import app
from pgvet.sandbox.platform import PRIVILEGED_EXTENSIONS, UNPRIVILEGED_EXTENSIONS


def replay(project: Path, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        app, ["replay", str(project), "--format", "json", *extra], env={"COLUMNS": "1000"}
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


def failure_of(doc: dict) -> dict:
    failed = [f for f in doc["files"] if f["status"] == "failed"]
    assert failed, doc
    return failed[0]["failure"]


ATTACKS = {
    "command execution": ("copy (select 1) to program 'touch {marker}';", "COPY … PROGRAM"),
    "environment read": (
        "create table loot (line text);\ncopy loot from program 'env';",
        "COPY … PROGRAM",
    ),
    "file read with pg_read_file": ("select pg_read_file('/etc/passwd');", "pg_read_file()"),
    "environment read with pg_read_file": (
        "select pg_read_file('/proc/self/environ');",
        "pg_read_file()",
    ),
    "file read with copy": (
        "create table loot (line text);\ncopy loot from '/etc/passwd';",
        "server file",
    ),
    "file read with lo_import": ("select lo_import('/etc/passwd');", "lo_import()"),
    "file write with copy": ("copy (select 'x') to '{marker}';", "server file"),
    "alter system": ("alter system set shared_preload_libraries = 'evil';", "ALTER SYSTEM"),
    "self-granted shell role": (
        "grant pg_execute_server_program to postgres;",
        "pg_execute_server_program",
    ),
    "shell role through another role": (
        "create role helper;\ngrant pg_execute_server_program to helper;\n"
        "grant helper to postgres;",
        "pg_execute_server_program",
    ),
    "file role through another role": (
        "create role reader in role pg_read_server_files;\ngrant reader to postgres;",
        "pg_read_server_files",
    ),
    "untrusted extension": ("create extension file_fdw;", "extension file_fdw"),
    "superuser role": ("create role boss superuser;", "superuser"),
    "C function": (
        "create function evil() returns int as '/lib/x86_64-linux-gnu/libc.so.6', 'getpid' "
        "language c;",
        "language c",
    ),
    "event trigger": (
        "create function et() returns event_trigger language plpgsql as $$ begin end $$;\n"
        "create event trigger et on ddl_command_start execute function et();",
        "event trigger",
    ),
    "altering a platform table": (
        "alter table auth.users add column pwned int;",
        "auth.users",
    ),
    "a table in a platform schema": ("create table storage.mine (id int);", "storage.mine"),
}


@pytest.mark.parametrize("major", MAJORS, ids=lambda m: f"pg{m}")
@pytest.mark.parametrize("attack", list(ATTACKS), ids=lambda a: a.replace(" ", "-"))
def test_attack_is_refused_as_on_supabase(tmp_path: Path, attack: str, major: int) -> None:
    if not have_major(major):
        pytest.skip(missing_major(major))
    marker = tmp_path / "pwned"
    sql, says = ATTACKS[attack]
    body = "create table before_attack (id int);\n" + sql.format(marker=marker) + "\n"
    project = write_migrations(tmp_path / "p", {"20240101000000_attack.sql": body})
    code, doc = replay(project, "--pg-version", str(major))
    assert code == 1
    failure = failure_of(doc)
    assert failure["file"] == "20240101000000_attack.sql"
    assert failure["line"] is not None and failure["line"] >= 2
    text = (failure.get("pgvet_hint") or "") + " " + failure["message"]
    assert "not permitted on Supabase" in text
    assert says.lower() in text.lower()
    assert not marker.exists()
    assert "root:x:0:0" not in json.dumps(doc)


LEGITIMATE = """
create extension if not exists pg_trgm with schema extensions;
create extension if not exists pg_cron;
create extension if not exists dblink with schema extensions;
create extension if not exists citext;
select cron.schedule('nightly', '0 3 * * *', 'select 1');
create role reporting nologin;
grant usage on schema public to reporting;
alter role authenticator set pgrst.db_schemas = 'public, api';
create table public.profiles (id uuid primary key references auth.users on delete cascade);
create function public.handle_new_user() returns trigger language plpgsql
  security definer set search_path = '' as $$
begin insert into public.profiles (id) values (new.id); return new; end $$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();
drop trigger if exists on_auth_user_created on auth.users;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();
insert into storage.buckets (id, name) values ('avatars', 'avatars');
create policy "own avatars" on storage.objects for select to authenticated
  using (bucket_id = 'avatars' and owner = (select auth.uid()));
drop policy "own avatars" on storage.objects;
alter publication supabase_realtime add table public.profiles;
comment on schema public is 'standard public schema';
drop extension if exists pgjwt;
"""


def test_what_supabase_allows_still_applies(tmp_path: Path) -> None:
    project = write_migrations(tmp_path, {"20240101000000_ok.sql": LEGITIMATE})
    code, doc = replay(project)
    assert code == 0, failure_of(doc)


def test_superuser_option_runs_migrations_as_a_superuser(tmp_path: Path) -> None:
    project = write_migrations(tmp_path, {"20240101000000_su.sql": "create role boss superuser;\n"})
    result = CliRunner().invoke(app, ["replay", str(project), "--superuser"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "--superuser" in result.stderr and "superuser" in result.stderr.lower()


def _trusted_by_postgresql(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute(
        "select bool_or(trusted) from pg_available_extension_versions where name = %s", [name]
    ).fetchone()
    return bool(row and row[0])


def test_extension_allow_list_decides_who_may_create(scratch_db: psycopg.Connection) -> None:
    """Every extension the server offers: ``postgres`` may create it exactly when the
    platform's allow-list (or PostgreSQL's own trusted flag) says so."""
    names = [r[0] for r in scratch_db.execute("select name from pg_available_extensions")]
    installed = {r[0] for r in scratch_db.execute("select extname from pg_extension")}
    refused, allowed = [], []
    for name in sorted(set(names) - installed):
        try:
            with scratch_db.transaction():
                scratch_db.execute(f'create extension "{name}" cascade')
                raise _RollBack
        except _RollBack:
            allowed.append(name)
        except psycopg.errors.InsufficientPrivilege:
            refused.append(name)
        except psycopg.Error:
            continue  # needs a library or setting this server lacks: not about privileges
    assert refused, "nothing was refused: the project role is a superuser"
    for name in allowed:
        assert (
            name in PRIVILEGED_EXTENSIONS
            or name in UNPRIVILEGED_EXTENSIONS
            or _trusted_by_postgresql(scratch_db, name)
        ), name
    for name in refused:
        assert name not in PRIVILEGED_EXTENSIONS, name
    assert {"pg_trgm", "dblink", "citext", "pg_net", "vector"} <= set(allowed)
    assert {"file_fdw", "amcheck"} & set(refused)


class _RollBack(Exception):
    """Leave the transaction after a successful create, so the next one starts clean."""
