"""`pgvet rls test` on one small synthetic project per tenancy shape and per failure of
issue #13: what tenancy it finds, the exact coverage line, and the exact leaks.

Each project is a few migrations on a real PostgreSQL; module-scoped fixtures replay
each one once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rls_helpers import run_project

from conftest import write_migrations
from pgvet.rls.results import RlsReport

#: a profile table with no foreign key to auth.users, filled by a sign-up trigger
PROFILES = """
create table public.users (id uuid primary key, email text not null, name text);
create function public.handle_new_user() returns trigger
language plpgsql security definer set search_path = public as $$
begin
  insert into public.users (id, email) values (new.id, new.email);
  return new;
end $$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();
alter table public.users enable row level security;
create policy "self" on public.users for select using (id = auth.uid());
"""

WORKSPACES = """
create table public.workspaces (id uuid primary key default gen_random_uuid(), name text not null);
create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role text not null check (role in ('admin', 'member')),
  primary key (workspace_id, user_id)
);
create table public.notes (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id),
  body text not null
);
create function public.my_workspaces() returns setof uuid
language sql stable security definer set search_path = public
as $$ select workspace_id from workspace_members where user_id = auth.uid() $$;
alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;
alter table public.notes enable row level security;
create policy "read" on public.workspaces for select using (id in (select my_workspaces()));
create policy "read" on public.workspace_members
  for select using (workspace_id in (select my_workspaces()));
create policy "all" on public.notes for all using (workspace_id in (select my_workspaces()));
"""

#: the failures: a tenant table everyone reads, a self-join, a table no row fits
LEAKY = """
create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id),
  amount numeric not null
);
create table public.audit (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id),
  note text not null check (false)
);
alter table public.invoices enable row level security;
alter table public.audit enable row level security;
create policy "everyone reads" on public.invoices for select using (true);
create policy "join" on public.workspace_members for insert with check (user_id = auth.uid());
create policy "all" on public.audit for all using (workspace_id in (select my_workspaces()));
"""

#: an organisation only a function can create (a trigger refuses plain inserts)
CREATED_BY_FUNCTION = """
create table public.organizations (
  id uuid primary key default gen_random_uuid(), name text not null
);
create table public.org_members (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('owner', 'member')),
  primary key (org_id, user_id)
);
create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id),
  title text not null
);
create function public.guard_org() returns trigger language plpgsql as $$
begin
  if coalesce(current_setting('app.via_function', true), '') <> 'on' then
    raise exception 'organizations are created by create_organization()';
  end if;
  return new;
end $$;
create trigger guard before insert on public.organizations
  for each row execute function public.guard_org();
create function public.create_organization(org_name text) returns uuid
language plpgsql security definer set search_path = public as $$
declare new_id uuid;
begin
  perform set_config('app.via_function', 'on', true);
  insert into organizations (name) values (org_name) returning id into new_id;
  insert into org_members (org_id, user_id, role) values (new_id, auth.uid(), 'owner');
  perform set_config('app.via_function', '', true);
  return new_id;
end $$;
revoke execute on function public.create_organization(text) from public;
grant execute on function public.create_organization(text) to authenticated;
create function public.my_orgs() returns setof uuid
language sql stable security definer set search_path = public
as $$ select org_id from org_members where user_id = auth.uid() $$;
alter table public.organizations enable row level security;
alter table public.org_members enable row level security;
alter table public.tasks enable row level security;
create policy "read" on public.organizations for select using (id in (select my_orgs()));
create policy "read" on public.org_members for select using (org_id in (select my_orgs()));
create policy "all" on public.tasks for all using (org_id in (select my_orgs()));
"""

#: RBAC: roles live in a table of their own, members point at them
ROLES_TABLE = """
create table public.teams (id uuid primary key default gen_random_uuid(), name text not null);
create table public.roles (id serial primary key, name text not null unique);
insert into public.roles (name) values ('viewer'), ('owner');
create table public.team_members (
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role_id int not null references public.roles (id),
  primary key (team_id, user_id)
);
create table public.documents (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id),
  body text not null
);
create function public.my_teams() returns setof uuid
language sql stable security definer set search_path = public
as $$ select team_id from team_members where user_id = auth.uid() $$;
alter table public.teams enable row level security;
alter table public.roles enable row level security;
alter table public.team_members enable row level security;
alter table public.documents enable row level security;
create policy "read" on public.roles for select using (true);
create policy "read" on public.teams for select using (id in (select my_teams()));
create policy "read" on public.team_members for select using (team_id in (select my_teams()));
create policy "all" on public.documents for all using (team_id in (select my_teams()));
"""

#: tenant_id text everywhere, the tenant from a claim or a setting anyone may change
VALUE_TENANCY = """
create table public.tickets (
  id uuid primary key default gen_random_uuid(),
  tenant_id text,
  subject text not null
);
create table public.replies (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references public.tickets (id),
  tenant_id text,
  body text not null
);
create function public.get_current_tenant_id() returns text language plpgsql stable as $$
begin
  return coalesce(
    current_setting('request.jwt.claims', true)::jsonb ->> 'tenant_id',
    nullif(current_setting('app.current_tenant_id', true), ''));
end $$;
create function public.set_tenant_context(p_tenant_id text) returns void
language plpgsql security definer set search_path = public as $$
begin
  perform set_config('app.current_tenant_id', p_tenant_id, false);
end $$;
grant execute on function public.set_tenant_context(text) to authenticated;
alter table public.tickets enable row level security;
alter table public.replies enable row level security;
create policy "tenant" on public.tickets for all to authenticated
  using (tenant_id = get_current_tenant_id()) with check (tenant_id = get_current_tenant_id());
create policy "tenant" on public.replies for all to authenticated
  using (tenant_id = get_current_tenant_id()) with check (tenant_id = get_current_tenant_id());
"""


def _run(root: Path, *migrations: str) -> RlsReport:
    files = {f"2024010{n}000000_m.sql": text for n, text in enumerate(migrations, 1)}
    return run_project(write_migrations(root, files), seed=False)


def _leaks(report: RlsReport) -> set[tuple[str, str, str, str]]:
    return {(r.table, r.command, r.kind, r.persona) for r in report.failures}


def _tenancy(report: RlsReport) -> str:
    return "\n".join(report.tenancy)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> RlsReport:
    return _run(tmp_path_factory.mktemp("workspaces"), PROFILES, WORKSPACES)


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> RlsReport:
    return _run(tmp_path_factory.mktemp("leaky"), PROFILES, WORKSPACES, LEAKY)


@pytest.fixture(scope="module")
def by_function(tmp_path_factory: pytest.TempPathFactory) -> RlsReport:
    return _run(tmp_path_factory.mktemp("by_function"), CREATED_BY_FUNCTION)


@pytest.fixture(scope="module")
def roles_table(tmp_path_factory: pytest.TempPathFactory) -> RlsReport:
    return _run(tmp_path_factory.mktemp("roles"), ROLES_TABLE)


@pytest.fixture(scope="module")
def value_tenancy(tmp_path_factory: pytest.TempPathFactory) -> RlsReport:
    return _run(tmp_path_factory.mktemp("value"), VALUE_TENANCY)


def test_profile_without_fk_made_by_signup_trigger_with_workspace_membership(
    workspaces: RlsReport,
) -> None:
    tenancy = _tenancy(workspaces)
    assert "tenant roots: public.workspaces" in tenancy
    assert (
        "membership: public.workspace_members(user_id, workspace_id → public.workspaces, "
        "role role)" in tenancy
    )
    assert "profile tables: public.users (sign-up trigger handle_new_user())" in tenancy
    assert workspaces.coverage.line() == (
        "coverage: 4 of 4 tenant tables isolation-tested; 0 not tested"
    )
    assert workspaces.coverage.tested == [
        "public.notes",
        "public.users",
        "public.workspace_members",
        "public.workspaces",
    ]
    assert set(workspaces.coverage.personas) == {"A:admin", "A:member", "A:member+forged-metadata"}
    assert workspaces.failures == []
    assert workspaces.ok and workspaces.inconclusive is None


def test_using_true_self_join_and_unfillable_table(leaky: RlsReport) -> None:
    assert leaky.coverage.line() == "coverage: 5 of 6 tenant tables isolation-tested; 1 not tested"
    assert leaky.coverage.untested == {
        "public.audit": "unfillable: no valid row found: check constraint audit_check "
        "(CHECK (false)) rejected every candidate"
    }
    assert leaky.inconclusive == "5 of 6 tenant tables tested (83%), below --min-coverage 100%"
    assert _leaks(leaky) == {
        ("public.invoices", "select", "anon", "anon"),
        ("public.invoices", "select", "isolation", "A:admin"),
        ("public.invoices", "select", "isolation", "A:member"),
        ("public.workspace_members", "insert", "isolation", "A:admin"),
        ("public.workspace_members", "insert", "isolation", "A:member"),
    }
    by_table = {(r.table, r.command): r for r in leaky.failures if r.kind == "isolation"}
    invoices = by_table["public.invoices", "select"]
    assert invoices.policies == ('"everyone reads" (select: true)',)
    assert invoices.rows and "tenant B by" in invoices.rows[0]
    join = by_table["public.workspace_members", "insert"]
    assert join.summary.startswith("LEAK: can insert itself as a member of tenant B")
    assert join.policies == ('"join" (insert: (user_id = auth.uid()))',)


def test_organisation_made_by_a_function(by_function: RlsReport) -> None:
    tenancy = _tenancy(by_function)
    assert "tenant roots: public.organizations" in tenancy
    assert "membership: public.org_members(user_id, org_id → public.organizations" in tenancy
    for world in "AB":
        assert (
            f"tenant {world}: public.organizations made by "
            "public.create_organization(org_name text)" in by_function.notes
        )
    assert by_function.coverage.line() == (
        "coverage: 3 of 3 tenant tables isolation-tested; 0 not tested"
    )
    # the function made each tenant's owner, read back as a member with that role
    assert by_function.coverage.personas["A:owner"] == (
        "member of public.organizations A in public.org_members as owner"
    )
    assert by_function.failures == [] and by_function.ok


def test_roles_in_a_table_of_their_own(roles_table: RlsReport) -> None:
    tenancy = _tenancy(roles_table)
    assert "tenant roots: public.teams" in tenancy  # not public.roles
    assert (
        "membership: public.team_members(user_id, team_id → public.teams, "
        "role role_id from public.roles)" in tenancy
    )
    assert roles_table.coverage.line() == (
        "coverage: 3 of 3 tenant tables isolation-tested; 0 not tested"
    )
    assert roles_table.coverage.personas == {
        "A:viewer": "member of public.teams A in public.team_members as viewer",
        "A:owner": "member of public.teams A in public.team_members as owner",
        "A:owner+forged-metadata": "member of public.teams A in public.team_members as owner",
    }
    assert "public.roles" in roles_table.shared
    assert roles_table.failures == [] and roles_table.ok


def test_tenant_values_from_a_claim_and_a_context_switch(value_tenancy: RlsReport) -> None:
    assert _tenancy(value_tenancy).startswith(
        "tenants are values of tenant_id on 2 table(s), no tenant table; the tenant comes "
        "from JWT claim 'tenant_id' (else setting app.current_tenant_id)"
    )
    assert value_tenancy.coverage.line() == (
        "coverage: 2 of 2 tenant tables isolation-tested; 0 not tested"
    )
    assert value_tenancy.coverage.personas["A:member"] == "claim tenant_id=pgvet-tenant-a"
    assert _leaks(value_tenancy) == {
        ("public.replies", "select", "isolation", "A:member+stock-token"),
        ("public.tickets", "select", "isolation", "A:member+stock-token"),
    }
    for leak in value_tenancy.failures:
        assert leak.summary.startswith(
            "LEAK: after calling set_tenant_context('pgvet-tenant-b') sees 1 row(s) of tenant B"
        )
        assert leak.policies == (
            "function public.set_tenant_context(p_tenant_id text) "
            "(SECURITY DEFINER, EXECUTE granted to authenticated)",
        )
