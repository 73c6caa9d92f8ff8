"""`pgvet rls test` on the shared real projects: the tenancy each must find (as the
corpora README reads it from their policies), the tables tested, and the real holes.

One run per corpus (module-scoped), on the major each one needs: liam's ivfflat index
and vcon-mcp's hnsw index need the real pgvector of the embedded PostgreSQL 18.
"""

from __future__ import annotations

import pytest
from rls_helpers import run_project

from conftest import CORPORA, have_major, missing_major
from pgvet.rls.results import RlsReport


def _run(name: str, major: int) -> RlsReport:
    path = CORPORA / name
    if not have_major(major):
        pytest.skip(missing_major(major))
    return run_project(path, pg_version=major, shared=True)


def _tenancy(report: RlsReport) -> str:
    return "\n".join(report.tenancy)


@pytest.fixture(scope="module")
def liam() -> RlsReport:
    return _run("liam", 18)


@pytest.fixture(scope="module")
def onlook() -> RlsReport:
    return _run("onlook", 15)


@pytest.fixture(scope="module")
def vcon() -> RlsReport:
    return _run("vcon-mcp", 18)


@pytest.fixture(scope="module")
def rbac() -> RlsReport:
    return _run("tenant-rbac", 18)


def test_liam_organisations_and_the_self_join_hole(liam: RlsReport) -> None:
    tenancy = _tenancy(liam)
    assert "tenant roots: public.organizations" in tenancy
    # no role column: all members are equal
    assert (
        "membership: public.organization_members(user_id, organization_id → "
        "public.organizations)\n" in tenancy
    )
    assert "profile tables: public.users (sign-up trigger handle_new_user())" in tenancy
    assert liam.coverage.line() == "coverage: 15 of 15 tenant tables isolation-tested; 0 not tested"
    assert {
        "public.organizations",
        "public.organization_members",
        "public.users",
        "public.building_schemas",
        "public.building_schema_versions",
        "public.design_sessions",
        "public.schema_file_paths",
        "public.project_repository_mappings",
        "public.checkpoints",
        "public.checkpoint_blobs",
        "public.checkpoint_writes",
    } <= set(liam.coverage.tested)
    leaks = {(r.table, r.command, r.kind) for r in liam.failures}
    # any signed-in user can add itself to any organisation
    assert ("public.organization_members", "insert", "isolation") in leaks
    join = next(r for r in liam.failures if r.table == "public.organization_members")
    assert join.summary.startswith("LEAK: can insert itself as a member of tenant B")
    assert '"authenticated_users_can_insert_org_organization_members"' in join.policies[0]
    # every organisation's name is visible to every user
    assert ("public.organizations", "select", "isolation") in leaks
    # creating an organisation is by design, not a cross-tenant write
    assert ("public.organizations", "insert", "isolation") not in leaks


def test_onlook_projects_and_its_helpers_failing_at_run_time(onlook: RlsReport) -> None:
    tenancy = _tenancy(onlook)
    assert "tenant roots: public.projects" in tenancy
    assert (
        "membership: public.user_projects(user_id, project_id → public.projects, role role)"
        in tenancy
    )
    assert "helpers: user_has_canvas_access(), user_has_project_access()" in tenancy
    assert (
        onlook.coverage.line() == "coverage: 16 of 21 tenant tables isolation-tested; 5 not tested"
    )
    assert set(onlook.coverage.untested) == {
        "public.canvas",
        "public.frames",
        "public.project_invitations",
        "public.projects",
        "public.user_projects",
    }
    assert onlook.inconclusive and not onlook.ok
    errors = {r.table for r in onlook.failures if r.status == "error"}
    assert errors == {"public.canvas", "public.frames", "public.projects", "public.user_projects"}
    assert all(r.sqlstate == "42883" for r in onlook.failures if r.status == "error")


def test_vcon_tenant_values_and_the_context_switch_hole(vcon: RlsReport) -> None:
    assert _tenancy(vcon).startswith(
        "tenants are values of tenant_id on 10 table(s), no tenant table; the tenant comes "
        "from JWT claim 'tenant_id' (else setting app.current_tenant_id)"
    )
    assert vcon.coverage.line() == "coverage: 10 of 10 tenant tables isolation-tested; 0 not tested"
    assert vcon.coverage.tested == [
        f"public.{t}"
        for t in (
            "analysis",
            "attachments",
            "dialog",
            "embedding_queue",
            "groups",
            "parties",
            "party_history",
            "s3_sync_tracking",
            "vcon_embeddings",
            "vcons",
        )
    ]
    assert vcon.shared == ["public.migration_reports", "public.privacy_requests"]
    # a signed-in user without a tenant claim calls set_tenant_context() and picks tenant B
    assert {(r.table, r.command, r.persona) for r in vcon.failures} == {
        (table, "select", "A:member+stock-token") for table in vcon.coverage.tested
    }
    assert all(
        r.policies[0].startswith("function public.set_tenant_context(p_tenant_id text)")
        for r in vcon.failures
    )
    assert vcon.inconclusive is None and not vcon.ok


def test_tenant_rbac_groups_with_a_roles_catalogue(rbac: RlsReport) -> None:
    tenancy = _tenancy(rbac)
    assert "tenant roots: rbac.groups" in tenancy
    assert (
        "membership: rbac.members(user_id, group_id → rbac.groups, role roles[] from rbac.roles)"
        in tenancy
    )
    assert "public.sensitive_data.owned_by_group → rbac.groups (no foreign key)" in tenancy
    assert rbac.coverage.line() == "coverage: 6 of 6 tenant tables isolation-tested; 0 not tested"
    assert set(rbac.coverage.tested) == {
        "public.sensitive_data",
        "rbac.groups",
        "rbac.invites",
        "rbac.member_permissions",
        "rbac.members",
        "rbac.user_claims",
    }
    assert rbac.shared == ["rbac.permissions", "rbac.roles"]
    # the group's creator becomes its owner (on_group_created): every persona keeps its role
    assert rbac.coverage.personas == {
        f"A:{role}": f"member of rbac.groups A in rbac.members as {{{role}}}"
        for role in ("editor", "viewer", "admin", "owner")
    }
    # co-members seeing each other's membership rows is intended: no leak across groups
    assert rbac.failures == [] and rbac.ok
