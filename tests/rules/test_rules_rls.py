"""RLS and security rules and the policy graph, proven against a real PostgreSQL.

Three kinds of proof:

* **Recursion against the server.** Small projects are replayed; the graph's prediction
  (path, SQLSTATE, commands, roles) is compared with what PostgreSQL does when the API role
  queries the table (42P17 from the rewriter, 54001 from a function recursing at run time),
  and the SECURITY DEFINER fix is shown to remove both the cycle and the error.
* **The corpora.** Five real projects, findings checked by reading their SQL (cited in
  each test), and a cross-check that every table the graph calls safe is readable as
  ``authenticated`` without a recursion error.
* **The clinic example.** Each planted problem of these rules is found at the file and
  line ``EXPECTED.md`` gives, and the machine-readable lists match exactly.

Every fix these rules propose is applied to the replayed database and must run.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import (
    CORPORA,
    EXAMPLE,
    MAJORS,
    ExampleDatabases,
    shared_copy,
    shared_replay,
    write_migrations,
)
from pgvet.analysis.policy_graph import (
    build_policy_graph,
    cycles_reached,
    cycles_through,
    find_cycles,
    parse_search_path,
)
from pgvet.catalog import Catalog, read_catalog
from pgvet.config import Config
from pgvet.findings import Finding
from pgvet.replay.apply import replay
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import load_project
from pgvet.rules.registry import REGISTRY, LintContext
from pgvet.rules.sandbox import Sandbox
from pgvet.rules.security.common import per_row_calls

USER = "11111111-1111-1111-1111-111111111111"
RLS_RULES = sorted(r.name for r in REGISTRY.values() if r.code.startswith("S2"))


# --- helpers -------------------------------------------------------------------------------


@dataclass
class Project:
    """A small project replayed into its own database."""

    conn: psycopg.Connection
    ctx: LintContext

    @property
    def catalog(self) -> Catalog:
        return self.ctx.catalog

    def findings(self, rule: str) -> list[Finding]:
        return list(REGISTRY[rule].run(self.ctx))

    def reread(self) -> Project:
        catalog = replace(read_catalog(self.conn), origins=self.catalog.origins)
        return Project(self.conn, replace(self.ctx, catalog=catalog))


@pytest.fixture
def make_project(
    database_servers: Callable[[int], ExampleDatabases], tmp_path: Path
) -> Iterator[Callable[..., Project]]:
    """Replay migration files (``{name: sql}``) into a fresh database (PostgreSQL 15
    unless ``major`` says otherwise)."""
    with contextlib.ExitStack() as stack:
        count = 0

        def make(files: dict[str, str], config: Config | None = None, major: int = 15) -> Project:
            nonlocal count
            count += 1
            root = write_migrations(tmp_path / f"p{count}", files)
            project = load_project(root)
            conn = stack.enter_context(database_servers(major).new())
            result = replay(conn, project)
            assert result.ok, [f.failure for f in result.failed]
            catalog = replace(read_catalog(conn), origins=compute_origins(project.files))
            sandbox = Sandbox.beside(conn)  # policy-recursion confirms on the server
            stack.callback(sandbox.close)
            ctx = LintContext(
                catalog=catalog, project=project, config=config or Config(), sandbox=sandbox
            )
            return Project(conn, ctx)

        yield make


def sqlstate_as(
    conn: psycopg.Connection, sql: str, role: str = "authenticated", sub: str = USER
) -> str | None:
    """Run ``sql`` as an API role with a JWT for ``sub``; the SQLSTATE it fails with, or
    None. Rolled back either way."""
    claims = json.dumps({"sub": sub, "role": role})
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(f"set local role {role}")
            conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            conn.execute("set local statement_timeout = '20s'")
            conn.execute(sql)
    except psycopg.Error as exc:
        return exc.sqlstate
    return None


def one_file(sql: str) -> dict[str, str]:
    return {"20240101000000_init.sql": sql}


def locations(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.object, f.location) for f in findings}


def apply_fixes(conn: psycopg.Connection, findings: list[Finding]) -> None:
    for f in findings:
        sql = f.fix or f.advice  # advice's SQL too: what it says must work
        assert sql, f"{f.rule} {f.object} has no fix"
        conn.execute(sql)


# --- recursion: the graph against the server ---------------------------------------------

USERS = f"""\
create table public.users (id uuid primary key, is_admin boolean not null default false);
alter table public.users enable row level security;
insert into public.users values ('{USER}', true);
"""


@dataclass(frozen=True)
class Scenario:
    sql: str
    paths: tuple[str, ...]  # expected cycle paths (find_cycles)
    sqlstate: str | None  # what `select * from public.users` as authenticated raises
    cycle_state: str | None = None


SCENARIOS = {
    "self-reference": Scenario(
        """create policy users_admin_read on public.users for select to authenticated
  using (exists (select 1 from public.users u where u.id = auth.uid() and u.is_admin));""",
        ("public.users → policy users_admin_read → public.users",),
        "42P17",
        "42P17",
    ),
    "security-definer-fix": Scenario(
        """create function public.is_admin() returns boolean
  language sql stable security definer set search_path = ''
  as $$ select coalesce((select u.is_admin from public.users u
                         where u.id = (select auth.uid())), false) $$;
create policy users_admin_read on public.users for select to authenticated
  using ((select public.is_admin()) or id = (select auth.uid()));""",
        (),
        None,
    ),
    "two-tables": Scenario(
        f"""create table public.teams (id int primary key, owner uuid);
alter table public.teams enable row level security;
insert into public.teams values (1, '{USER}');
create policy t on public.teams for select to authenticated
  using (exists (select 1 from public.users u where u.id = owner));
create policy p on public.users for select to authenticated
  using (exists (select 1 from public.teams t where t.owner = users.id));""",
        ("public.teams → policy t → public.users → policy p → public.teams",),
        "42P17",
        "42P17",
    ),
    "sql-function": Scenario(
        """create function public.is_admin() returns boolean language sql stable
  as $$ select coalesce((select is_admin from public.users where id = auth.uid()), false) $$;
create policy p on public.users for select to authenticated using (public.is_admin());""",
        ("public.users → policy p → function public.is_admin() → public.users",),
        "54001",
        "54001",
    ),
    "plpgsql-function": Scenario(
        """create function public.is_admin() returns boolean language plpgsql stable as $$
declare
  found_admin boolean;
begin
  select u.is_admin into found_admin from users u where u.id = auth.uid();
  return coalesce(found_admin, false);
end $$;
create policy p on public.users for select to authenticated using (public.is_admin());""",
        ("public.users → policy p → function public.is_admin() → public.users",),
        "54001",
        "54001",
    ),
    "invoker-view": Scenario(
        """create view public.admins with (security_invoker = true) as
  select id from public.users where is_admin;
create policy p on public.users for select to authenticated
  using (exists (select 1 from public.admins a where a.id = auth.uid()));""",
        ("public.users → policy p → view public.admins → public.users",),
        "42P17",
        "42P17",
    ),
    "definer-view": Scenario(
        """create view public.admins as select id from public.users where is_admin;
create policy p on public.users for select to authenticated
  using (exists (select 1 from public.admins a where a.id = auth.uid()));""",
        (),
        None,
    ),
    "function-then-view": Scenario(
        """create view public.everyone with (security_invoker = true) as select * from public.users;
create function public.any_user() returns boolean language sql stable
  as $$ select exists (select 1 from public.everyone) $$;
create policy p on public.users for select using (public.any_user());""",
        (
            "public.users → policy p → function public.any_user() → view public.everyone"
            " → public.users",
        ),
        "54001",
        "54001",
    ),
}


@pytest.mark.parametrize("major", MAJORS, ids=lambda m: f"pg{m}")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_recursion_matches_the_server(
    name: str, major: int, make_project: Callable[..., Project]
) -> None:
    scenario = SCENARIOS[name]
    project = make_project(one_file(USERS + scenario.sql), major=major)
    cycles = find_cycles(build_policy_graph(project.catalog))
    assert tuple(c.path for c in cycles) == scenario.paths
    assert {c.sqlstate for c in cycles} == ({scenario.cycle_state} if scenario.paths else set())
    assert sqlstate_as(project.conn, "select * from public.users") == scenario.sqlstate
    findings = project.findings("policy-recursion")
    assert [f.data["path"] for f in findings] == list(scenario.paths)
    for f in findings:  # pointed at the policy that starts the cycle
        assert f.location.startswith("20240101000000_init.sql:")
        assert f.level.value == "error"


def test_recursion_rule_reports_exact_path_and_line(make_project: Callable[..., Project]) -> None:
    project = make_project(
        {
            "20240101000000_users.sql": USERS,
            "20240102000000_admin.sql": """-- admins see everyone
create policy "Admins can view all users" on public.users
  for select to authenticated
  using (exists (select 1 from public.users u where u.id = auth.uid() and u.is_admin));
""",
        }
    )
    (finding,) = project.findings("policy-recursion")
    assert finding.data["path"] == (
        'public.users → policy "Admins can view all users" → public.users'
    )
    assert finding.location == "20240102000000_admin.sql:2"
    assert finding.data["sqlstate"] == "42P17"
    assert finding.data["commands"] == ["SELECT", "UPDATE", "DELETE"]
    assert finding.data["roles"] == ["authenticated"]
    assert "42P17" in finding.message and "infinite recursion" in finding.message
    assert sqlstate_as(project.conn, "select * from public.users") == "42P17"
    # UPDATE / DELETE with a WHERE clause apply the SELECT policies too
    assert sqlstate_as(project.conn, f"delete from public.users where id = '{USER}'") == "42P17"
    # the proposed fix: a SECURITY DEFINER function owned by postgres, then no error
    apply_fixes(project.conn, [finding])
    fixed = project.reread()
    assert fixed.findings("policy-recursion") == []
    assert sqlstate_as(fixed.conn, "select * from public.users") is None
    rows = fixed.conn.execute("select count(*) from public.users").fetchone()
    assert rows is not None and rows[0] == 1


def test_only_the_role_the_policy_applies_to(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            USERS
            + """create policy anon_loop on public.users for select to anon
  using (exists (select 1 from public.users u where u.id = auth.uid()));
create policy signed_in on public.users for select to authenticated using (true);"""
        )
    )
    (cycle,) = find_cycles(build_policy_graph(project.catalog))
    assert cycle.roles == ("anon",)
    assert sqlstate_as(project.conn, "select * from public.users", role="authenticated") is None
    assert sqlstate_as(project.conn, "select * from public.users", role="anon") == "42P17"


def test_reentry_through_another_commands_policy(make_project: Callable[..., Project]) -> None:
    """An INSERT policy reading its own table recurses only when that table's SELECT
    policy contains a sub-select: PostgreSQL's check triggers on *any* sub-select, even
    ``(select auth.uid())``. Wrapping a call as the per-row rule advises can thus create
    a 42P17, and the per-row rule says so."""
    insert_policy = """create policy i on public.users for insert to authenticated
  with check (exists (select 1 from public.users u where u.id = auth.uid()));
"""
    insert = "insert into public.users values (gen_random_uuid())"
    plain = make_project(
        one_file(
            USERS + insert_policy + "create policy s on public.users for select to authenticated"
            " using (id = auth.uid());"
        )
    )
    assert find_cycles(build_policy_graph(plain.catalog)) == []
    assert sqlstate_as(plain.conn, insert) is None
    (per_row,) = [f for f in plain.findings("auth-function-per-row") if "policy s " in f.object]
    # a rewrite that needs another fix first is advice (its comment says which), never
    # a schema fix pgvet fix would write
    assert per_row.fix is None and per_row.advice is not None
    assert "42P17" in per_row.message and "public.users → policy i → public.users" in per_row.advice
    # follow the advice blindly: the insert now fails, as predicted
    plain.conn.execute(per_row.advice)
    after = plain.reread()
    (cycle,) = find_cycles(build_policy_graph(after.catalog))
    assert cycle.path == "public.users → policy i → public.users"
    assert cycle.reentry_policies == ("s",) and cycle.commands == ("INSERT",)
    assert sqlstate_as(after.conn, insert) == "42P17"
    assert sqlstate_as(after.conn, "select * from public.users") is None


def test_cycles_reached_explains_a_failing_query(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            USERS
            + """create table public.notes (id int, author uuid);
alter table public.notes enable row level security;
create policy p on public.users for select to authenticated
  using (exists (select 1 from public.users u where u.id = auth.uid()));
create policy n on public.notes for select to authenticated
  using (author in (select id from public.users));"""
        )
    )
    graph = build_policy_graph(project.catalog)
    # notes is in no cycle, but reading it expands the users policy, which recurses
    assert cycles_through(graph, "public", "notes") == []
    reached = cycles_reached(graph, "public", "notes")
    assert [c.path for c in reached] == ["public.users → policy p → public.users"]
    assert sqlstate_as(project.conn, "select * from public.notes") == "42P17"
    assert cycles_reached(graph, "public", "notes", role="anon") == []


def test_search_path_parsing() -> None:
    assert parse_search_path(None) == ("public", "extensions")
    assert parse_search_path('""') == ()
    assert parse_search_path("") == ()
    assert parse_search_path('"$user", public, "My Schema", pg_temp') == ("public", "My Schema")


# --- the other rules on small projects -------------------------------------------------------


def test_exposure_follows_grants_and_config(make_project: Callable[..., Project]) -> None:
    sql = """create table public.open_table (id int primary key);
create table public.revoked (id int primary key);
revoke all on public.revoked from anon, authenticated;
create schema api;
create table api.things (id int primary key);
grant usage on schema api to anon;
grant select on api.things to anon;
"""
    default = make_project(one_file(sql))
    assert {f.object for f in default.findings("rls-disabled-in-public")} == {"public.open_table"}
    custom = make_project(
        one_file(sql), Config(raw={"lint": {"exposed_schemas": ["public", "api"]}})
    )
    found = {f.object: f for f in custom.findings("rls-disabled-in-public")}
    assert set(found) == {"public.open_table", "api.things"}
    assert "anon hold SELECT" in found["api.things"].message


def test_disable_statement_is_the_location(make_project: Callable[..., Project]) -> None:
    project = make_project(
        {
            "20240101000000_a.sql": """create table public.notes (id int, owner uuid);
alter table public.notes enable row level security;
create policy own on public.notes for select to authenticated using (owner = auth.uid());
""",
            "20240102000000_b.sql": (
                "-- outage\nalter table public.notes disable row level security;\n"
            ),
        }
    )
    (finding,) = project.findings("policy-exists-rls-disabled")
    assert finding.location == "20240102000000_b.sql:2"
    assert project.findings("rls-disabled-in-public") == []  # reported once, by S202


def test_per_row_calls_and_their_rewrite(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create table public.rooms (id int primary key, owner uuid);
create table public.members (room_id int, user_id uuid);
create table public.msgs (id int, room_id int, sender uuid, body text);
alter table public.msgs enable row level security;
create policy top on public.msgs for select using (sender = auth.uid());
create policy correlated on public.msgs for update using (exists (
  select 1 from public.members m where m.room_id = msgs.room_id and m.user_id = auth.uid()));
create policy uncorrelated on public.msgs for delete using (room_id in (
  select m.room_id from public.members m where m.user_id = auth.uid()));
create policy wrapped on public.msgs for insert with check (sender = (select auth.uid()));
create policy jwt on public.msgs for all
  using ((auth.jwt() ->> 'role') = 'admin' and current_setting('app.x', true) = 'ÿ''s');
"""
        )
    )
    found = {f.object: f for f in project.findings("auth-function-per-row")}
    assert set(found) == {
        "policy top on public.msgs",
        "policy correlated on public.msgs",
        "policy jwt on public.msgs",
    }
    assert (
        "(select current_setting('app.x'::text, true)) = 'ÿ''s'"
        in found["policy jwt on public.msgs"].fix
    )
    apply_fixes(project.conn, list(found.values()))
    after = project.reread()
    assert after.findings("auth-function-per-row") == []
    assert all(per_row_calls(p, after.catalog) == [] for p in after.catalog.policies)


def test_multiple_permissive_groups(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create table public.docs (id int, owner uuid, published boolean);
alter table public.docs enable row level security;
create policy own on public.docs for all to authenticated using (owner = (select auth.uid()));
create policy pub on public.docs for select using (published);
create policy svc on public.docs for all using ((select auth.role()) = 'service_role');
create policy strict_one on public.docs as restrictive for select using (true);
"""
        )
    )
    (finding,) = project.findings("multiple-permissive-policies")
    assert finding.data == {
        "policies": ["own", "pub"],
        "roles": ["authenticated"],
        "commands": ["SELECT"],
    }


def test_true_policies(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create table public.orgs (id int primary key, name text);
alter table public.orgs enable row level security;
create policy anyone_creates on public.orgs for insert to authenticated with check (true);
create table public.posts (id int, user_id uuid references auth.users (id), body text);
alter table public.posts enable row level security;
create policy anyone_posts on public.posts for insert to authenticated with check (true);
create table public.frozen (id int);
alter table public.frozen enable row level security;
revoke update on public.frozen from authenticated;
create policy no_grant on public.frozen for update to authenticated using (true);
create table public.people (id int, email text);
alter table public.people enable row level security;
create policy everyone_reads on public.people for select to anon using (true);
create table public.services (id int, name text, price numeric);
alter table public.services enable row level security;
create policy catalogue on public.services for select using (true);
"""
        )
    )
    found = {f.object: f for f in project.findings("permissive-true-policy")}
    assert set(found) == {
        "policy anyone_posts on public.posts",
        "policy everyone_reads on public.people",
    }
    assert "any user_id" in found["policy anyone_posts on public.posts"].message
    assert "email" in found["policy everyone_reads on public.people"].message


def test_user_metadata_through_a_function(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create table public.stock (id int, clinic_id uuid);
alter table public.stock enable row level security;
create function public.my_clinic() returns uuid language sql stable security definer
  set search_path = '' as $$
  select (raw_user_meta_data ->> 'clinic_id')::uuid from auth.users where id = auth.uid() $$;
create policy via_fn on public.stock for select using (clinic_id = (select public.my_clinic()));
create policy safe on public.stock for update
  using (clinic_id = ((select auth.jwt()) -> 'app_metadata' ->> 'clinic_id')::uuid);
"""
        )
    )
    (finding,) = project.findings("policy-trusts-user-metadata")
    assert finding.object == "policy via_fn on public.stock"
    assert "through public.my_clinic()" in finding.message


def test_uuid_text_casts(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create table public.files (id int, owner_id uuid, path text);
alter table public.files enable row level security;
create policy cast_col on public.files for select using (owner_id::text = auth.uid()::text);
create policy text_col on public.files for update using (path like auth.uid()::text || '/%');
create policy in_sub on public.files for delete using (exists (
  select 1 from public.files f where f.owner_id::text = (auth.jwt() ->> 'sub')));
"""
        )
    )
    found = {f.object: f.data["columns"] for f in project.findings("uuid-compared-as-text")}
    assert found == {
        "policy cast_col on public.files": ["owner_id"],
        "policy in_sub on public.files": ["f.owner_id"],
    }


def test_security_definer_search_path_fixes_run(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create type public.role_kind as enum ('a', 'b');
create table public.members (user_id uuid, org_id int, kind public.role_kind);
create function public.qualified() returns setof int language sql security definer
  as $$ select org_id from public.members where user_id = auth.uid() $$;
create function public.unqualified() returns setof int language plpgsql security definer as $$
begin
  return query select org_id from members where kind = 'a'::role_kind;
end $$;
create function public.pinned() returns int language sql security definer
  set search_path = public as $$ select 1 $$;
create function public.invoker() returns int language sql as $$ select 1 $$;
"""
        )
    )
    found = {f.object: f for f in project.findings("security-definer-no-search-path")}
    assert set(found) == {"function public.qualified()", "function public.unqualified()"}
    assert found["function public.qualified()"].fix == (
        "alter function public.qualified() set search_path = '';"
    )
    assert found["function public.unqualified()"].data["unqualified"] == ["members", "role_kind"]
    assert "public, pg_temp" in (found["function public.unqualified()"].fix or "")
    apply_fixes(project.conn, list(found.values()))
    assert project.reread().findings("security-definer-no-search-path") == []
    rows = project.conn.execute("select count(*) from public.unqualified()").fetchone()
    assert rows == (0,)


def test_views_that_bypass_rls(make_project: Callable[..., Project]) -> None:
    project = make_project(
        one_file(
            """create table public.accounts (id uuid primary key, email text);
alter table public.accounts enable row level security;
create table public.plain (id int);
create view public.leaky as select id, email from public.accounts;
create view public.counted as select count(*) as n from public.accounts;
create view public.no_rls as select id from public.plain;
create view public.private_one as select id from public.accounts;
revoke all on public.private_one from anon, authenticated;
create view public.via_view as select * from public.leaky;
"""
        )
    )
    found = {f.object: f for f in project.findings("view-without-security-invoker")}
    assert set(found) == {"view public.leaky", "view public.via_view"}
    apply_fixes(project.conn, list(found.values()))
    after = project.reread()
    assert after.findings("view-without-security-invoker") == []
    assert sqlstate_as(after.conn, "select * from public.leaky") is None  # RLS now hides rows


# --- corpora ---------------------------------------------------------------------------------


@dataclass
class Linted:
    catalog: Catalog
    conn: psycopg.Connection
    findings: dict[str, list[Finding]]

    def objects(self, rule: str) -> set[str]:
        return {f.object for f in self.findings[rule]}

    def by_object(self, rule: str) -> dict[str, Finding]:
        return {f.object: f for f in self.findings[rule]}


def _lint(path: Path) -> Iterator[Linted]:
    if not path.is_dir():
        pytest.skip(f"{path} is not here")
    session = shared_replay(path, keep_going=True)
    assert session.result.ok, [f.filename for f in session.result.failed]
    ctx = LintContext(catalog=session.catalog, project=session.project)
    findings = {name: list(REGISTRY[name].run(ctx)) for name in RLS_RULES}
    # the tests try fixes and queries as API roles (rolled back): on a copy of their own
    with shared_copy(path, keep_going=True) as copy:
        yield Linted(session.catalog, copy.conn, findings)


def _corpus(name: str) -> Any:
    @pytest.fixture(scope="module")
    def fixture() -> Iterator[Linted]:
        yield from _lint(CORPORA / name)

    return fixture


basejump = _corpus("basejump")
chatbot_ui = _corpus("chatbot-ui")
dbdev = _corpus("dbdev")
atomic_crm = _corpus("atomic-crm")
suna = _corpus("suna")
makerkit = _corpus("makerkit-lite")


def assert_no_recursion_on_the_server(linted: Linted) -> None:
    """The graph finds no cycle, and every RLS table is readable as authenticated."""
    assert linted.findings["policy-recursion"] == []
    graph = build_policy_graph(linted.catalog)
    for table in linted.catalog.base_tables:
        if not table.rls_enabled:
            continue
        assert cycles_reached(graph, table.schema, table.name) == []
        sql = f'select * from "{table.schema}"."{table.name}" limit 1'
        assert sqlstate_as(linted.conn, sql) not in ("42P17", "54001"), sql


def assert_fixes_run(linted: Linted) -> None:
    for findings in linted.findings.values():
        for f in findings:
            if f.fix:
                with linted.conn.transaction(force_rollback=True):
                    linted.conn.execute(f.fix)


def test_basejump(basejump: Linted) -> None:
    # Accounts are isolated through basejump.has_role_on_account(), SECURITY DEFINER with
    # search_path = public (20240414161947_basejump-accounts.sql:177...): no cycle.
    assert_no_recursion_on_the_server(basejump)
    assert basejump.findings["security-definer-no-search-path"] == []  # all pin it
    # tables live in the basejump schema, not exposed: nothing about exposure
    assert basejump.findings["rls-disabled-in-public"] == []
    assert basejump.findings["view-without-security-invoker"] == []
    # `user_id = auth.uid()` (line 307) and `primary_owner_user_id = auth.uid()` (line 340)
    assert locations(basejump.findings["auth-function-per-row"]) == {
        (
            'policy "users can view their own account_users" on basejump.account_user',
            "20240414161947_basejump-accounts.sql:303",
        ),
        (
            'policy "Accounts are viewable by primary owner" on basejump.accounts',
            "20240414161947_basejump-accounts.sql:336",
        ),
    }
    # basejump.config "using (true)" for authenticated SELECT is a deliberate read
    assert basejump.findings["permissive-true-policy"] == []
    assert basejump.objects("multiple-permissive-policies") == {
        "basejump.account_user",
        "basejump.accounts",
    }
    assert_fixes_run(basejump)


def test_chatbot_ui(chatbot_ui: Linted) -> None:
    assert_no_recursion_on_the_server(chatbot_ui)
    # Every "Allow full access to own X" policy is `USING (user_id = auth.uid()) WITH CHECK
    # (user_id = auth.uid())`, TO public (no TO clause): 26 tables, two calls each.
    per_row = chatbot_ui.by_object("auth-function-per-row")
    assert len(per_row) == 26
    assert all('"Allow full access to own' in o for o in per_row)
    assert all(f.data["calls"] == ["auth.uid()", "auth.uid()"] for f in per_row.values())
    assert per_row['policy "Allow full access to own profiles" on public.profiles'].location == (
        "20240108234541_add_profiles.sql:48"
    )
    # SECURITY DEFINER without SET search_path: the storage helpers and triggers of
    # 20240108234540_setup.sql and the *_exists helpers of the storage policies.
    assert chatbot_ui.objects("security-definer-no-search-path") == {
        "function public.delete_old_assistant_image()",
        "function public.delete_old_file()",
        "function public.delete_old_message_images()",
        "function public.delete_old_profile_image()",
        "function public.delete_old_workspace_image()",
        "function public.delete_storage_object(bucket text, object text, OUT status integer,"
        " OUT content text)",
        "function public.delete_storage_object_from_bucket(bucket_name text, object_path text,"
        " OUT status integer, OUT content text)",
        "function public.non_private_assistant_exists(p_name text)",
        "function public.non_private_file_exists(p_name text)",
        "function public.non_private_workspace_exists(p_name text)",
    }
    sdef = chatbot_ui.by_object("security-definer-no-search-path")
    # `FROM assistants` unqualified (20240108234547_add_assistants.sql:96)
    assert sdef["function public.non_private_assistant_exists(p_name text)"].data[
        "unqualified"
    ] == ["assistants"]
    # delete_storage_object only calls extensions.http(...): '' is safe
    assert [
        f.fix for o, f in sdef.items() if o.startswith("function public.delete_storage_object(")
    ] == [
        "alter function public.delete_storage_object(bucket text, object text, OUT status"
        " integer, OUT content text) set search_path = '';"
    ]
    for rule in ("rls-disabled-in-public", "policy-exists-rls-disabled", "permissive-true-policy"):
        assert chatbot_ui.findings[rule] == [], rule
    assert_fixes_run(chatbot_ui)


def test_dbdev(dbdev: Linted) -> None:
    # app.members' INSERT/DELETE policies call app.is_organization_maintainer(), which is
    # NOT security definer and reads app.members; no recursion because the SELECT policy
    # of app.members is `using (true)` (20220117142142_security_definitions.sql:90).
    assert_no_recursion_on_the_server(dbdev)
    graph = build_policy_graph(dbdev.catalog)
    (insert,) = [
        p for p in dbdev.catalog.policies_of("app", "members") if p.name == "members_insert_policy"
    ]
    assert ("app", "members") in {r.relation for r in graph.reads_of_policy(insert)}
    # "anyone signed in may create an organization" has no owner column: not reported
    assert dbdev.findings["permissive-true-policy"] == []
    # the public views were made security_invoker (20230829125510_fix_view_permissions.sql)
    assert dbdev.findings["view-without-security-invoker"] == []
    # accounts_select_policy was re-pointed at `id = auth.uid()` by ALTER POLICY in
    # 20250217100252_restrict_accounts_and_orgs.sql: the finding points there
    per_row = dbdev.by_object("auth-function-per-row")
    assert per_row["policy accounts_select_policy on app.accounts"].location == (
        "20250217100252_restrict_accounts_and_orgs.sql:2"
    )
    sdef = dbdev.by_object("security-definer-no-search-path")
    # redeem_access_token calls pgjwt's sign() unqualified (it lives in extensions)
    assert sdef["function public.redeem_access_token(access_token text)"].data["unqualified"] == [
        "sign()"
    ]
    assert "function app.register_account()" in sdef
    assert_fixes_run(dbdev)


def test_atomic_crm(atomic_crm: Linted) -> None:
    # init_state (20240808141826) is security_invoker=off on purpose: the login page reads
    # `count(id)` of sales as anon. A count-only view is not reported.
    assert atomic_crm.findings["view-without-security-invoker"] == []
    assert_no_recursion_on_the_server(atomic_crm)
    assert atomic_crm.findings["security-definer-no-search-path"] == []  # all pin it
    assert atomic_crm.findings["auth-function-per-row"] == []  # policies are `true`
    # a shared CRM: every signed-in user may update/delete every company, contact, deal...
    true_policies = atomic_crm.by_object("permissive-true-policy")
    assert len(true_policies) == 15
    assert (
        true_policies['policy "Company Delete Policy" on public.companies'].location
        == "20240730075029_init_db.sql:481"
    )
    # created on "contactNotes", renamed to contact_notes in 20260115150819: still located
    assert (
        true_policies['policy "Contact Notes Delete Policy" on public.contact_notes'].location
        == "20240730075029_init_db.sql:489"
    )
    assert all(f.data["command"] in ("UPDATE", "DELETE", "ALL") for f in true_policies.values())
    assert_fixes_run(atomic_crm)


def test_suna(suna: Linted) -> None:
    assert_no_recursion_on_the_server(suna)
    # backup tables made with CREATE TABLE AS, never given RLS, granted to the API roles
    assert suna.objects("rls-disabled-in-public") == {
        "public.agent_templates_backup",
        "public.agent_workflows_backup",
        "public.agents_backup_cleanup_20250729",
    }
    # 20251010173052_vapi_real_time.sql:26: "System can update calls" USING (true) TO public
    assert locations(suna.findings["permissive-true-policy"]) == {
        (
            'policy "System can update calls" on public.vapi_calls',
            "20251010173052_vapi_real_time.sql:26",
        )
    }
    # "Service role manages X" policies (auth.role() = 'service_role') are no-ops, not
    # alternatives to merge; the same policy created twice under two names is reported
    multiple = suna.by_object("multiple-permissive-policies")
    assert not any("Service role" in n for f in multiple.values() for n in f.data["policies"])
    purchases = [
        f
        for f in suna.findings["multiple-permissive-policies"]
        if f.object == "public.credit_purchases"
    ]
    assert [f.data["policies"] for f in purchases] == [
        ["Users can view own credit purchases", "Users can view their own credit purchases"]
    ]
    assert_fixes_run(suna)


def test_makerkit_is_clean(makerkit: Linted) -> None:
    # (select auth.uid()) everywhere, search_path = '' on every function
    assert {rule: fs for rule, fs in makerkit.findings.items() if fs} == {}


# --- the clinic example ----------------------------------------------------------------------

KINDS = {
    "policy-recursion": {"policy-recursion"},
    "security-definer-no-search-path": {"security-definer-no-search-path"},
    "rls-disabled": {"rls-disabled-in-public", "policy-exists-rls-disabled"},
    "per-row-auth-call": {"auth-function-per-row"},
    "permissive-true-policy": {"permissive-true-policy"},
    "view-without-security-invoker": {"view-without-security-invoker"},
    "trusts-user-metadata": {"policy-trusts-user-metadata"},
    "uuid-compared-as-text": {"uuid-compared-as-text"},
    "multiple-permissive-policies": {"multiple-permissive-policies"},
}


def our_object(notation: str) -> str:
    """EXPECTED.md's notation (``public.t:"name"``, ``public.f()``) as our object names."""
    policy = re.fullmatch(r'(\w+)\.(\w+):"(.*)"', notation)
    if policy:
        name = policy.group(3)
        shown = name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else f'"{name}"'
        return f"policy {shown} on {policy.group(1)}.{policy.group(2)}"
    return notation


@pytest.fixture(scope="module")
def clinic() -> Iterator[Linted]:
    yield from _lint(EXAMPLE)


def expected_text() -> str:
    path = EXAMPLE / "EXPECTED.md"
    if not path.is_file():
        pytest.skip("examples/clinic/EXPECTED.md is not written yet")
    return path.read_text(encoding="utf-8")


def planted_rows(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1] in KINDS and cells[4].isdigit():
            rows.append(
                dict(zip(("id", "kind", "object", "file", "line", "what"), cells, strict=True))
            )
    return rows


def block(text: str, name: str) -> list[str]:
    match = re.search(rf"```{re.escape(name)}\n(.*?)```", text, re.S)
    assert match, f"no ```{name} block in EXPECTED.md"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def test_clinic_planted_problems(clinic: Linted) -> None:
    rows = planted_rows(expected_text())
    assert {r["kind"] for r in rows} >= {"policy-recursion", "rls-disabled", "per-row-auth-call"}
    for row in rows:
        findings = [f for rule in KINDS[row["kind"]] for f in clinic.findings[rule]]
        want = (our_object(row["object"]), f"{row['file']}:{row['line']}")
        got = {
            (f.object.removeprefix("function ").removeprefix("view "), f.location) for f in findings
        }
        got |= {(f.object, f.location) for f in findings}
        assert want in got, (row["id"], want, sorted(got))


def test_clinic_lists_match_exactly(clinic: Linted) -> None:
    text = expected_text()
    wanted = set()
    for name in ("per-row-auth-call", "per-row-auth-call-correlated"):
        for line in block(text, name):
            location, notation = line.split(" ", 1)
            if not notation.startswith("storage."):  # storage is not in the catalog
                wanted.add((our_object(notation), location))
    assert locations(clinic.findings["auth-function-per-row"]) == wanted
    rls_off = set(block(text, "rls-off"))
    found = clinic.objects("rls-disabled-in-public") | clinic.objects("policy-exists-rls-disabled")
    assert found == rls_off


def test_clinic_recursion_on_the_server(clinic: Linted) -> None:
    """Only users' "Clinic admins can view clinic users" recurses; every other RLS table
    reads fine as a clinic admin; the proposed fix removes the error."""
    expected_text()
    admin = "00000000-0000-0000-0000-0000000000a1"
    (finding,) = clinic.findings["policy-recursion"]
    assert finding.data["path"] == (
        'public.users → policy "Clinic admins can view clinic users" → public.users'
    )
    assert finding.location == "20241105093000_add_admin_policies.sql:16"
    graph = build_policy_graph(clinic.catalog)
    for table in clinic.catalog.base_tables:
        if table.schema != "public" or not table.rls_enabled:
            continue
        predicted = {c.sqlstate for c in cycles_reached(graph, "public", table.name)}
        actual = sqlstate_as(clinic.conn, f"select * from public.{table.name}", sub=admin)
        assert (actual if actual in ("42P17", "54001") else None) == (
            next(iter(predicted)) if predicted else None
        ), table.name
    assert sqlstate_as(clinic.conn, "select * from public.users", sub=admin) == "42P17"
    with clinic.conn.transaction(force_rollback=True):
        clinic.conn.execute(finding.fix or "")
        fixed = read_catalog(clinic.conn)
        assert find_cycles(build_policy_graph(fixed)) == []
        # as the clinic admin, inside the same (rolled back) transaction
        claims = json.dumps({"sub": admin, "role": "authenticated"})
        with clinic.conn.transaction():
            clinic.conn.execute("set local role authenticated")
            clinic.conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            clinic.conn.execute("select * from public.users").fetchall()


def test_clinic_fixes_run(clinic: Linted) -> None:
    expected_text()
    assert_fixes_run(clinic)
