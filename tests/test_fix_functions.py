"""``pgvet fix`` keeps a fix that alters a function only when the function behaves as
before (issue #12): every trigger that uses it fired on each of its events, a call as each
role granted EXECUTE (``postgres``, ``anon``, ``authenticated``, ``service_role``), and
plpgsql_check where the real extension is installed (Debian's
``postgresql-15-plpgsql-check``). Everything runs on real PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPORA, default_major, have_major, write_migrations
from pgvet.config import load_config
from pgvet.findings import Category, Finding, Level
from pgvet.fixing.access import read_access
from pgvet.fixing.functions import behaviour
from pgvet.fixing.layout import first_stamp
from pgvet.fixing.plan import Unit, build_plan, read_existing
from pgvet.fixing.prove import Proof, lint_database, load_seeds, prove
from pgvet.fixing.report import FixReport, to_json
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.sandbox import binaries

PROFILES = "create table public.profiles (id serial primary key, name text);\n"
#: a function that inserts into profiles only when called as authenticated (its JWT)
AS_AUTHENTICATED = (
    PROFILES + "create function public.add_profile() returns void language plpgsql\n"
    "security definer as $$\nbegin\n"
    "  if coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role',\n"
    "              '') = 'authenticated' then\n"
    "    insert into profiles (name) values ('x');\n"
    "  end if;\nend $$;\n"
    # Supabase's default privileges grant EXECUTE to the API roles one by one
    "revoke execute on function public.add_profile() from public, anon, service_role;\n"
    "grant execute on function public.add_profile() to authenticated;\n"
)
#: one trigger function on two tables: only b's update reaches an unqualified name
TWO_TABLES = (
    "create table public.log (id serial primary key, what text);\n"
    "create table public.a (id int primary key);\n"
    "create table public.b (id int primary key, note text);\n"
    "insert into public.b values (1, 'seeded');\n"
    "create function public.touch() returns trigger language plpgsql as $$\nbegin\n"
    "  if tg_table_name = 'b' and tg_op = 'UPDATE' then\n"
    "    insert into log (what) values ('b');\n"
    "  end if;\n"
    "  return coalesce(new, old);\nend $$;\n"
    "create trigger a_touch after insert on public.a\n"
    "  for each row execute function public.touch();\n"
    "create trigger b_touch before update or delete on public.b\n"
    "  for each row execute function public.touch();\n"
)
#: breaks only statically after the fix: the generated argument (false) never takes the branch
NEVER_TAKEN = (
    PROFILES + "create function public.maybe_add(flag boolean) returns void language plpgsql\n"
    "security definer as $$\nbegin\n"
    "  if flag then\n    insert into profiles (name) values ('x');\n  end if;\nend $$;\n"
)
#: qualified everywhere: pinning the path changes nothing
SAFE = (
    PROFILES + "create function public.add_safe() returns void language plpgsql\n"
    "security definer as $$\nbegin\n"
    "  insert into public.profiles (name) values ('x');\nend $$;\n"
)


def _finding(rule: str, fix: str) -> Finding:
    return Finding(rule, "X999", Level.warn, Category.security, "f", "test", fix=fix)


def _prove(tmp: Path, sql: str, fixes: list[str], major: int) -> tuple[list[Unit], Proof]:
    """Replay ``sql`` on ``major``, prove ``fixes`` (one finding each): the plan's units."""
    return _prove_project(write_migrations(tmp, {"20240101000000_a.sql": sql}), fixes, major)


def _prove_project(root: Path, fixes: list[str], major: int) -> tuple[list[Unit], Proof]:
    project = load_project(root)
    config = load_config(root)
    with replayed_project(root, project=project, pg_version=major) as session:
        assert session.result.ok, [f.failure for f in session.result.failed]
        load_seeds(session.conn, project)
        before = lint_database(session.conn, project, session.result, config)
        findings = [_finding(f"r{n}", fix) for n, fix in enumerate(fixes, 1)]
        plan = build_plan(findings, read_existing(session.conn))
        proof = prove(
            session,
            plan,
            before,
            read_access(session.conn),
            config,
            start=first_stamp(project.migrations_dir),
        )
    return plan.units, proof


def _real_plpgsql_check_15() -> str | None:
    """Why test (c) cannot run here, or None."""
    if not have_major(15):
        return "PostgreSQL 15 is not installed here"
    installation, _ = binaries.choose(15)  # the 15 the sandbox uses (Debian's or npm's)
    if not (installation.sharedir / "extension" / "plpgsql_check.control").exists():
        return (
            f"plpgsql_check is not installed for {installation.label} "
            "(apt-get install postgresql-15-plpgsql-check)"
        )
    return None


def test_function_called_as_each_role_granted_execute(tmp_path: Path) -> None:
    major = default_major()
    (unit,), _ = _prove(
        tmp_path,
        AS_AUTHENTICATED,
        ["alter function public.add_profile() set search_path = '';"],
        major,
    )
    reason = unit.dropped or ""
    assert reason.startswith("breaks function public.add_profile(): "), reason
    assert "as authenticated ran before the fixes and fails after with 42P01" in reason
    assert 'relation "profiles" does not exist' in reason
    # postgres (the owner) runs it too, and still can: it is not named
    assert "as postgres" not in reason and "as anon" not in reason


def test_roles_are_those_granted_execute(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, {"20240101000000_a.sql": AS_AUTHENTICATED})
    with replayed_project(root, pg_version=default_major()) as session:
        found = behaviour(session.conn, "public.add_profile()")
    assert found is not None
    # the owner and the one grantee: anon and service_role may not execute it
    assert found.roles == ("postgres", "authenticated")
    assert all(o.ok for o in found.runs.values()), found.runs
    assert [label.rsplit(" as ", 1)[1] for label in found.runs] == ["postgres", "authenticated"]


def test_every_trigger_of_the_function_is_fired(tmp_path: Path) -> None:
    major = default_major()
    (unit,), _ = _prove(
        tmp_path, TWO_TABLES, ["alter function public.touch() set search_path = '';"], major
    )
    reason = unit.dropped or ""
    assert reason.startswith("breaks function public.touch(): "), reason
    assert 'trigger "b_touch" on public.b (update) ran before the fixes and fails after' in reason
    assert "42P01" in reason
    # the first table's trigger and b's delete still work: not named
    assert "a_touch" not in reason and "(delete)" not in reason


def test_trigger_firings_cover_each_table_and_event(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, {"20240101000000_a.sql": TWO_TABLES})
    with replayed_project(root, pg_version=default_major()) as session:
        found = behaviour(session.conn, "public.touch()")
    assert found is not None
    assert sorted(found.runs) == [
        'trigger "a_touch" on public.a (insert)',
        'trigger "b_touch" on public.b (delete)',
        'trigger "b_touch" on public.b (update)',
    ]
    assert all(o.ok for o in found.runs.values()), found.runs


def test_plpgsql_check_drops_a_fix_that_breaks_a_branch_never_run(tmp_path: Path) -> None:
    why = _real_plpgsql_check_15()
    if why:
        pytest.skip(why)
    (unit,), proof = _prove(
        tmp_path,
        NEVER_TAKEN,
        ["alter function public.maybe_add(boolean) set search_path = '';"],
        15,
    )
    reason = unit.dropped or ""
    assert reason.startswith("breaks function public.maybe_add(boolean): "), reason
    assert (
        'plpgsql_check reports after the fixes: line 4: 42P01 relation "profiles" does not exist'
        in reason
    )
    # every run went fine: only the static check saw it
    assert "ran before the fixes" not in reason
    assert proof.files == []


def test_plpgsql_check_sees_dbdevs_token_function_lose_sign() -> None:
    """The issue's case: dbdev's redeem_access_token signs a JWT with ``sign()`` from
    ``extensions``; a path of ``public, pg_temp`` loses it. Called with a generated token it
    raises 'Invalid token' before and after, so only plpgsql_check sees the break."""
    why = _real_plpgsql_check_15()
    if why:
        pytest.skip(why)
    root = CORPORA / "dbdev"
    (unit,), _ = _prove_project(
        root,
        ["alter function public.redeem_access_token(text) set search_path = public, pg_temp;"],
        15,
    )
    reason = unit.dropped or ""
    assert reason.startswith("breaks function public.redeem_access_token(text): "), reason
    assert "plpgsql_check reports after the fixes: line 47: 42883 function sign(json, text)" in (
        reason
    )
    assert "ran before the fixes" not in reason


def test_without_plpgsql_check_the_runs_alone_decide_and_say_so(tmp_path: Path) -> None:
    if not have_major(18):
        pytest.skip("the embedded PostgreSQL 18 is not installed here")
    (unit,), proof = _prove(
        tmp_path,
        NEVER_TAKEN,
        ["alter function public.maybe_add(boolean) set search_path = '';"],
        18,
    )
    # the branch is never taken and pgvet's stand-in checks nothing: kept, and said so
    assert unit.dropped is None
    how = unit.data["function_checks"]["public.maybe_add(boolean)"]
    assert how.startswith(
        "no plpgsql_check (only pgvet's stand-in here, which checks nothing); "
        "called as postgres, anon, authenticated, service_role"
    ), how
    doc = json.loads(to_json(FixReport(proof, dry_run=True)))
    assert doc["written"][0]["function_checks"] == {"public.maybe_add(boolean)": how}


def test_a_safe_fix_is_kept(tmp_path: Path) -> None:
    real_check = _real_plpgsql_check_15() is None
    major = 15 if real_check else default_major()
    (unit,), proof = _prove(
        tmp_path, SAFE, ["alter function public.add_safe() set search_path = '';"], major
    )
    assert unit.dropped is None
    assert [f.unit for f in proof.files] == [unit]
    how = unit.data["function_checks"]["public.add_safe()"]
    assert "called as postgres, anon, authenticated, service_role" in how, how
    assert how.startswith("plpgsql_check;" if real_check else "no plpgsql_check"), how


def test_a_function_taking_a_type_of_the_project_is_run(tmp_path: Path) -> None:
    sql = (
        "create type public.mood as enum ('calm', 'loud');\n"
        "create function public.shout(m mood) returns text language sql\n"
        "as $$ select m::text $$;\n"
    )
    root = write_migrations(tmp_path, {"20240101000000_a.sql": sql})
    with replayed_project(root, pg_version=default_major()) as session:
        found = behaviour(session.conn, "public.shout(public.mood)")
    assert found is not None and found.notes == [], found
    assert set(found.runs) == {
        f"select public.shout(generated arguments) as {role}"
        for role in ("postgres", "anon", "authenticated", "service_role")
    }
    assert all(o.ok for o in found.runs.values()), found.runs
    # SQL, not PL/pgSQL: plpgsql_check does not apply
    assert found.static is None and found.static_why == "not PL/pgSQL"


def test_a_delete_trigger_fires_on_a_row_nothing_references(tmp_path: Path) -> None:
    sql = (
        "create table public.parent (id int primary key default 7);\n"
        "create table public.child (parent_id int references public.parent);\n"
        "insert into public.parent values (1);\n"
        "insert into public.child values (1);\n"
        "create function public.gone() returns trigger language plpgsql as $$\n"
        "begin return old; end $$;\n"
        "create trigger parent_gone after delete on public.parent\n"
        "  for each row execute function public.gone();\n"
    )
    root = write_migrations(tmp_path, {"20240101000000_a.sql": sql})
    with replayed_project(root, pg_version=default_major()) as session:
        found = behaviour(session.conn, "public.gone()")
        # the seeded row is referenced: deleting it would fail before the trigger mattered
        assert session.conn.execute("select count(*) from public.parent").fetchone() == (1,)
    assert found is not None
    run = found.runs['trigger "parent_gone" on public.parent (delete)']
    assert run.ok, run
