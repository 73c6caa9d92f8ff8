"""`pgvet rls test` on real projects: the clinic example (planted problems, then a fixed
copy), two public SaaS schemas known to isolate tenants, and small broken projects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rls_helpers import failing, run_project

from conftest import CORPORA, EXAMPLE, write_migrations
from pgvet.rls.results import RlsReport

FIX = Path(__file__).parent / "data" / "clinic_rls_fix.sql"


@pytest.fixture(scope="module")
def clinic() -> RlsReport:
    return run_project(EXAMPLE, shared=True)


@pytest.fixture(scope="module")
def clinic_fixed(tmp_path_factory: pytest.TempPathFactory) -> RlsReport:
    copy = tmp_path_factory.mktemp("clinic") / "clinic"
    shutil.copytree(EXAMPLE, copy)
    shutil.copy(FIX, copy / "supabase" / "migrations" / "20251201000000_fix_rls.sql")
    return run_project(copy)


def test_clinic_recursion_on_users_is_reported_with_its_cycle(clinic: RlsReport) -> None:
    errors = [r for r in clinic.failures if r.table == "public.users" and r.status == "error"]
    assert errors, "42P17 on public.users was not reported"
    assert {r.sqlstate for r in errors} == {"42P17"}
    assert all("Clinic admins can view clinic users" in (r.cycle or "") for r in errors)
    # every persona that reads users hits it: configured ones, generated ones and anon
    readers = {r.persona for r in errors if r.command == "select"}
    assert {"anon", "customer_a", "clinic_admin_a", "super_admin", "A:clinic_admin"} <= readers
    # and nothing else errors: the other tables read fine (EXPECTED.md, "Recursion")
    assert {r.table for r in clinic.failures if r.status == "error"} == {"public.users"}


def test_clinic_using_true_policy_is_a_leak_with_the_policy_named(clinic: RlsReport) -> None:
    leaks = failing(clinic, "public.customer_notes", "isolation")
    assert {r.command for r in leaks} == {"select", "insert", "update", "delete"}
    assert all(any('"temp: allow all"' in p for p in r.policies) for r in leaks)
    select = next(r for r in leaks if r.command == "select")
    assert select.rows and "clinic_id=" in select.rows[0]
    # the seed shows it too: a customer reads every clinic's (medical) notes
    declared = failing(clinic, "public.customer_notes", "expectation")
    assert any(r.persona == "customer_a" and "7 unexpected" in r.summary for r in declared)


def test_clinic_tables_left_without_rls_are_leaks(clinic: RlsReport) -> None:
    for table in ("public.customers", "public.appointments"):
        leaks = failing(clinic, table, "isolation")
        assert {r.command for r in leaks} == {"select", "insert", "update", "delete"}, table
        assert all(r.policies == ("RLS is disabled on this table",) for r in leaks)
        assert failing(clinic, table, "anon"), f"anon can read {table}"
    leaked = {
        r.table for r in clinic.failures if r.kind in ("isolation", "anon") and r.status == "fail"
    }
    assert leaked == {
        "public.customers",
        "public.appointments",
        "public.customer_notes",
        "public.inventory_items",
    }


def test_clinic_policy_trusting_user_metadata_is_caught(clinic: RlsReport) -> None:
    leaks = failing(clinic, "public.inventory_items", "isolation")
    assert leaks and {r.persona for r in leaks} == {"A:receptionist+forged-metadata"}
    assert any("user_metadata" in p for r in leaks for p in r.policies)


def test_clinic_public_catalogue_is_not_a_leak(clinic: RlsReport) -> None:
    for table in ("public.services", "public.service_categories", "public.loyalty_tiers"):
        results = [r for r in clinic.results if r.table == table and r.command == "select"]
        assert results and not any(r.failed for r in results), table
        assert any("public read" in r.summary for r in results), table


def test_clinic_declared_expectations(clinic: RlsReport) -> None:
    failed = {(r.persona, r.table) for r in failing(clinic, kind="expectation")}
    # the definer view shows every customer to anon
    assert ("anon", "public.customer_overview") in failed
    # branch isolation is not implemented by the shipped policies
    assert ("branch_manager_a", "public.bookings") in failed
    assert ("customer_a", "public.inventory_items") in failed  # trusts user_metadata
    # what does hold
    passed = {(r.persona, r.table) for r in clinic.results if r.kind == "expectation"} - failed
    assert ("customer_a", "public.bookings") in passed
    assert ("super_admin", "public.clinics") in passed
    assert ("anon", "public.services") in passed


def test_clinic_every_table_is_filled_and_personas_are_generated(clinic: RlsReport) -> None:
    assert clinic.unfilled == {}
    assert len(clinic.tested_tables) >= 60
    generated = [p.name for p in clinic.personas if p.source == "generated"]
    assert {"A:clinic_admin", "A:branch_manager", "A:sales_staff"} <= set(generated)
    assert any("clinic_staff" in line for line in clinic.tenancy)


def test_clinic_is_inconclusive_on_the_three_tables_expected_md_names(clinic: RlsReport) -> None:
    assert (
        clinic.coverage.line() == "coverage: 64 of 67 tenant tables isolation-tested; 3 not tested"
    )
    assert set(clinic.coverage.untested) == {
        "public.users",
        "public.error_logs",
        "public.performance_metrics",
    }
    assert clinic.inconclusive == "64 of 67 tenant tables tested (96%), below --min-coverage 100%"


def test_clinic_fixed_copy_passes(clinic_fixed: RlsReport) -> None:
    assert clinic_fixed.failures == []
    kinds = {r.kind for r in clinic_fixed.results}
    assert kinds == {"read", "expectation", "isolation", "anon"}
    assert len(clinic_fixed.results) > 2000


@pytest.mark.parametrize(
    ("corpus", "membership"),
    [
        ("basejump", "membership: basejump.account_user(user_id, account_id → basejump.accounts"),
        ("chatbot-ui", "owned by a user: public.workspaces(user_id → auth.users)"),
    ],
)
def test_corpora_isolate_their_tenants(corpus: str, membership: str) -> None:
    report = run_project(CORPORA / corpus, shared=True)
    assert report.failures == [], [(r.table, r.command, r.summary) for r in report.failures]
    assert membership in " ".join(report.tenancy)
    assert report.tested_tables and not report.unfilled
    assert any(r.kind == "isolation" for r in report.results)


ORGS = """
create table public.orgs (id uuid primary key default gen_random_uuid(), name text not null);
create table public.org_members (
  user_id uuid not null references auth.users (id) on delete cascade,
  org_id uuid not null references public.orgs (id) on delete cascade,
  role text not null check (role in ('owner', 'member')),
  primary key (user_id, org_id)
);
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.orgs (id),
  title text not null check (char_length(title) between 3 and 40)
);
create table public.documents (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id),
  body text not null,
  starts_at time not null,
  ends_at time not null,
  check (ends_at > starts_at)
);
create table public.audit (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.orgs (id),
  note text not null check (false)
);
create function public.my_orgs() returns setof uuid
language sql stable security definer set search_path = public
as $$ select org_id from org_members where user_id = auth.uid() $$;

alter table public.orgs enable row level security;
alter table public.org_members enable row level security;
alter table public.projects enable row level security;
alter table public.documents enable row level security;
alter table public.audit enable row level security;

create policy "members read orgs" on public.orgs for select using (id in (select my_orgs()));
create policy "members read members" on public.org_members
  for select using (org_id in (select my_orgs()));
create policy "members manage projects" on public.projects
  for all using (org_id in (select my_orgs()));
create policy "members manage audit" on public.audit for all using (org_id in (select my_orgs()));
"""

GOOD_DOCUMENTS = """
create policy "members read documents" on public.documents for select using (
  project_id in (select id from public.projects));
"""

BROKEN_DOCUMENTS = """
create policy "members read documents" on public.documents for select using (
  project_id is not null);
"""

RECURSIVE_MEMBERS = """
drop policy "members read members" on public.org_members;
create policy "members read members" on public.org_members for select using (
  org_id in (select m.org_id from public.org_members m where m.user_id = auth.uid()));
"""


def _orgs_project(root: Path, *extra: str) -> Path:
    files = {"20240101000000_orgs.sql": ORGS}
    for index, sql in enumerate(extra, 1):
        files[f"2024010{index}000001_more.sql"] = sql
    return write_migrations(root, files)


def test_correct_policies_pass_and_unfillable_table_is_listed(tmp_path: Path) -> None:
    report = run_project(_orgs_project(tmp_path, GOOD_DOCUMENTS), seed=False)
    assert report.failures == []
    assert "membership: public.org_members" in " ".join(report.tenancy)
    assert "public.documents" in report.tested_tables  # the time check needed a retry
    assert "public.audit" in report.unfilled
    assert "CHECK (false)" in report.unfilled["public.audit"]
    # an unfillable tenant table leaves the run short of full coverage: inconclusive
    assert report.coverage.tested == [
        "public.documents",
        "public.org_members",
        "public.orgs",
        "public.projects",
    ]
    assert report.inconclusive and "4 of 5 tenant tables tested (80%)" in report.inconclusive
    assert not report.ok


def test_broken_policy_is_caught_with_table_and_policy(tmp_path: Path) -> None:
    report = run_project(_orgs_project(tmp_path, BROKEN_DOCUMENTS), seed=False)
    leaks = failing(report, kind="isolation")
    assert leaks and {(r.table, r.command) for r in leaks} == {("public.documents", "select")}
    assert all(r.policies and '"members read documents"' in r.policies[0] for r in leaks)
    assert all(r.rows and "project_id=" in r.rows[0] for r in leaks)
    anon = failing(report, kind="anon")
    assert {(r.table, r.command) for r in anon} == {("public.documents", "select")}


def test_recursion_is_reported_with_the_cycle_path(tmp_path: Path) -> None:
    report = run_project(_orgs_project(tmp_path, GOOD_DOCUMENTS, RECURSIVE_MEMBERS), seed=False)
    errors = [r for r in report.failures if r.status == "error"]
    assert errors and {r.table for r in errors} == {"public.org_members"}
    assert {r.sqlstate for r in errors} == {"42P17"}
    cycle = errors[0].cycle or ""
    assert "public.org_members" in cycle and '"members read members"' in cycle
