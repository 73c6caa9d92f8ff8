"""Acting as a persona: the role and claims PostgREST sets, always undone; and the
``[rls]`` config, validated with messages that name the file and the key."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from pgvet.config import load_config
from pgvet.errors import InputError
from pgvet.rls import ANON, Persona, acting_as
from pgvet.rls.settings import rls_settings

USER = "11111111-1111-1111-1111-111111111111"


def _user(conn: psycopg.Connection) -> None:
    conn.execute(
        "insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data) "
        'values (%s, \'ada@example.test\', \'{"provider": "email", "plan": "pro"}\', '
        '\'{"full_name": "Ada"}\')',
        (USER,),
    )


def test_acting_as_sets_role_and_claims_like_postgrest(scratch_db: psycopg.Connection) -> None:
    _user(scratch_db)
    scratch_db.execute("create table public.notes (id int primary key, owner uuid)")
    scratch_db.execute("alter table public.notes enable row level security")
    scratch_db.execute(
        "create policy own on public.notes"
        " using (owner = auth.uid()) with check (owner = auth.uid())"
    )
    scratch_db.execute("grant all on public.notes to authenticated")
    scratch_db.execute(f"insert into public.notes values (1, '{USER}'), (2, gen_random_uuid())")
    persona = Persona("ada", user="select id from auth.users where email = 'ada@example.test'")
    with acting_as(scratch_db, persona, method="POST", path="/rest/v1/notes") as db:
        row = db.execute(
            "select current_user, auth.uid()::text, auth.role(), auth.email(),"
            " auth.jwt() -> 'app_metadata' ->> 'plan',"
            " auth.jwt() -> 'user_metadata' ->> 'full_name',"
            " current_setting('request.method'), current_setting('request.path'),"
            " (select count(*) from public.notes)"
        ).fetchone()
        assert row == (
            "authenticated",
            USER,
            "authenticated",
            "ada@example.test",
            "pro",
            "Ada",
            "POST",
            "/rest/v1/notes",
            1,
        )
        db.execute(f"insert into public.notes values (3, '{USER}')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("insert into public.notes values (4, gen_random_uuid())")
    # everything is undone: role, claims and rows
    after = scratch_db.execute(
        "select current_user, coalesce(current_setting('request.jwt.claims', true), ''),"
        " (select count(*) from public.notes)"
    ).fetchone()
    assert after == ("postgres", "", 2)


def test_acting_as_nests_inside_an_open_transaction(scratch_db: psycopg.Connection) -> None:
    scratch_db.execute("create table public.t (id int)")
    with scratch_db.transaction(force_rollback=True):
        scratch_db.execute("insert into public.t values (1)")
        with acting_as(scratch_db, "anon") as db:
            assert db.execute("select current_user").fetchone() == ("anon",)
            claims = json.loads(
                db.execute("select current_setting('request.jwt.claims')").fetchone()[0]
            )
            assert claims["role"] == "anon" and "sub" not in claims
        assert scratch_db.execute("select current_user, count(*) from public.t").fetchone() == (
            "postgres",
            1,
        )


def test_service_role_bypasses_rls_and_claims_merge(scratch_db: psycopg.Connection) -> None:
    scratch_db.execute("create table public.s (id int)")
    scratch_db.execute("alter table public.s enable row level security")
    scratch_db.execute("grant select on public.s to service_role, anon")
    scratch_db.execute("insert into public.s values (1)")
    with acting_as(scratch_db, "service_role") as db:
        assert db.execute("select count(*) from public.s").fetchone() == (1,)
    with acting_as(scratch_db, ANON) as db:
        assert db.execute("select count(*) from public.s").fetchone() == (0,)
    _user(scratch_db)
    custom = Persona(
        "pro", user_id=USER, claims={"app_metadata": {"tenant": "t1"}, "org_role": "admin"}
    )
    with acting_as(scratch_db, custom) as db:
        row = db.execute(
            "select auth.jwt() -> 'app_metadata' ->> 'tenant', auth.jwt() -> 'app_metadata' ->> "
            "'provider', auth.jwt() ->> 'org_role', auth.jwt() ->> 'email'"
        ).fetchone()
        assert row == ("t1", "email", "admin", "ada@example.test")


def test_a_user_query_that_finds_nobody_is_a_clear_error(scratch_db: psycopg.Connection) -> None:
    nobody = Persona("ghost", user="select id from auth.users where email = 'nobody@x'")
    with pytest.raises(InputError, match="persona ghost: the user query returned no row"):
        nobody.resolve(scratch_db)
    broken = Persona("broken", user="select id from auth.nope")
    with pytest.raises(InputError, match="persona broken: the user query failed"):
        broken.resolve(scratch_db)


def _settings(tmp_path: Path, text: str):
    path = tmp_path / "pgvet.toml"
    path.write_text(text, encoding="utf-8")
    return rls_settings(load_config(tmp_path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rls]\nautomatic = true\n", "unknown setting [rls] automatic"),
        ("[rls]\nauto = 'yes'\n", "[rls] auto: expected true or false"),
        (
            "[rls.personas.a]\nrole = 'anon'\nemail = 'x@y'\n",
            "[rls] personas.a: role anon has no user",
        ),
        ("[rls.personas.a]\nuser = 'select 1'\nsub = 'x'\n", "give one of user, email or sub"),
        ("[rls.personas.a]\nclaim = {}\n", "unknown setting [rls] personas.a.claim"),
        (
            "[[rls.expect]]\npersona = 'who'\ntable = 't'\nvisible = 'all'\n",
            "[rls] expect[0].persona: no persona named 'who'",
        ),
        (
            "[[rls.expect]]\npersona = 'anon'\ntable = 't'\nallow = ['read']\n",
            "[rls] expect[0].allow[0]: unknown command 'read'",
        ),
        ("[[rls.expect]]\npersona = 'anon'\ntable = 't'\n", "says nothing to check"),
        (
            "[[rls.expect]]\npersona = 'anon'\ntable = 't'\n"
            "allow = ['select']\ndeny = ['select']\n",
            "select both allowed and denied",
        ),
        (
            "[[rls.expect]]\npersona = 'anon'\ntable = 't'\ncount = 'two'\n",
            "[rls] expect[0].count: expected a whole number",
        ),
    ],
)
def test_bad_rls_config_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        _settings(tmp_path, text)
    assert message in info.value.message
    assert str(tmp_path / "pgvet.toml") in info.value.message


def test_rls_config_expands_lists(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        "[rls]\npublic_tables = ['doctors']\n"
        '[rls.personas.sales]\nemail = "o\'neil@example.test"\n'
        "[[rls.expect]]\npersonas = ['sales', 'anon']\ntables = ['a', 'crm.b']\n"
        "visible = 'none'\ndeny = ['INSERT']\n",
    )
    assert settings.public_tables == ("doctors",)
    assert settings.persona("sales").user == (
        "select id from auth.users where email = 'o''neil@example.test'"
    )
    assert [(e.persona, e.qualified, e.deny) for e in settings.expectations] == [
        ("sales", "public.a", ("insert",)),
        ("sales", "crm.b", ("insert",)),
        ("anon", "public.a", ("insert",)),
        ("anon", "crm.b", ("insert",)),
    ]
