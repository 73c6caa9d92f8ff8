"""``pgvet advise``'s policy rewrites: a helper function and ``auth.uid()`` called per row
are wrapped as ``(select …)``, applied for real, timed as the persona before and after,
and kept only with the same rows; judged by the plans' InitPlans and the rows."""

from __future__ import annotations

import pytest

from conftest import write_migrations
from pgvet.advise import report
from pgvet.advise.session import Advice, Settings, advise
from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project

SCHEMA = """
create table public.tenants (id uuid primary key default gen_random_uuid(), name text not null);
create table public.members (
  user_id uuid not null references auth.users (id),
  tenant_id uuid not null references public.tenants (id),
  role text not null default 'member' check (role in ('member', 'admin')),
  primary key (user_id, tenant_id)
);
create table public.notes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id),
  author_id uuid references auth.users (id),
  body text
);
create index on public.notes (tenant_id);
create index on public.notes (author_id);
alter table public.notes enable row level security;
create function public.my_tenant() returns uuid language sql stable security definer
  set search_path = '' as $$
  select tenant_id from public.members where user_id = auth.uid() order by tenant_id limit 1
$$;
create function public.is_admin() returns boolean language sql stable security definer
  set search_path = '' as $$
  select exists (select 1 from public.members where user_id = auth.uid() and role = 'admin')
$$;
create policy "tenant notes" on public.notes for select to authenticated
  using (tenant_id = public.my_tenant());
create policy "admins" on public.notes for select to authenticated
  using (public.is_admin());
create policy "own notes" on public.notes for select to authenticated
  using (author_id = auth.uid());
grant select on public.notes, public.members, public.tenants to authenticated;
grant execute on function public.my_tenant(), public.is_admin() to authenticated;
"""

WORKLOAD = """
-- name: all_notes
select count(*) from public.notes n;

-- name: tenant_names
select t.name from public.tenants t where t.id = %(tenant_id)s::uuid;
"""


@pytest.fixture(scope="module")
def advice(tmp_path_factory: pytest.TempPathFactory) -> Advice:
    root = write_migrations(
        tmp_path_factory.mktemp("policies"), {"20240101000000_schema.sql": SCHEMA}
    )
    (root / "workload.sql").write_text(WORKLOAD)
    return advise(
        root,
        load_project(root),
        load_config(root),
        Scale(20000, {"tenants": 40}),
        Limits(),
        Settings(iterations=5, concurrency=1),
    )


def test_helper_and_auth_rewrites_are_measured_and_checked(advice: Advice) -> None:
    by_policy = {m.rewrite.policy.name: m for m in advice.policies}
    assert set(by_policy) == {"tenant notes", "admins", "own notes"}
    assert by_policy["tenant notes"].rewrite.calls == ["public.my_tenant()"]
    assert "(select public.my_tenant())" in by_policy["tenant notes"].rewrite.sql
    admins = by_policy["admins"]
    assert admins.rewrite.calls == ["public.is_admin()"]
    assert admins.rewrite.sources == ["helper function per row"]
    assert by_policy["own notes"].rewrite.calls == ["auth.uid()"]
    assert by_policy["own notes"].rewrite.sources == ["auth-function-per-row"]
    # only the query that reads notes is measured, and it returned the same rows
    for measured in advice.policies:
        assert [q.name for q in measured.run.queries] == ["all_notes"]
        assert measured.same_rows == {"all_notes": True}
        assert measured.baseline.queries[0].rows > 0
    # the three policies OR'd: every row is read and is_admin() (a query of its own) runs
    # for each; wrapped, it runs once per statement
    before = admins.baseline.queries[0]
    after = admins.run.queries[0]
    assert before.plan is not None and "Seq Scan on notes" in before.plan.scans
    assert after.percentile(50) < before.percentile(50), (before.timings, after.timings)
    assert admins.chosen and admins.why == "chosen"


def test_rewrites_are_reported_beside_the_indexes(advice: Advice) -> None:
    text = report.markdown(advice)
    assert "## Policy rewrites" in text
    assert '"admins" on public.notes' in text and "**chosen**" in text
    block = text[text.index("```sql") :]
    assert "alter policy admins on public.notes\n  using (" in block
    assert "(select public.is_admin())" in block, block
    doc = report.doc(advice)
    chosen = [p["policy"] for p in doc["policy_rewrites"] if p["chosen"]]
    assert '"admins" on public.notes' in chosen
