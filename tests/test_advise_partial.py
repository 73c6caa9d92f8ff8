"""``pgvet advise``'s partial and INCLUDE index candidates: a filter on a constant of the
query that keeps few rows gives ``create index … where <constant>`` (one that keeps most
rows is left out with its share); an index scan that reads a column from the heap gives
the same keys ``include (…)``. Screened and measured like the others."""

from __future__ import annotations

import pytest

from conftest import write_migrations
from pgvet.advise.candidates import _partial
from pgvet.advise.session import Advice, Settings, advise
from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project
from pgvet.sandbox import binaries
from pgvet.workload.plans import SeqFilter

SCHEMA = """
create table public.tenants (id uuid primary key default gen_random_uuid(), name text not null);
create table public.members (
  user_id uuid not null references auth.users (id),
  tenant_id uuid not null references public.tenants (id),
  primary key (user_id, tenant_id)
);
create table public.tasks (
  id bigint generated always as identity primary key,
  tenant_id uuid not null,
  title text not null,
  archived_at timestamptz
);
create table public.events (
  id bigint generated always as identity primary key,
  code text not null,
  note text,
  payload text
);
create index events_code_idx on public.events (code);
grant select on public.tasks, public.members, public.tenants, public.events to authenticated;
"""

WORKLOAD = """
-- name: archived_tasks
select t.id, t.title from public.tasks t
where t.tenant_id = %(tenant_id)s::uuid and t.archived_at is not null;

-- name: live_tasks
select count(*) from public.tasks t
where t.tenant_id = %(tenant_id)s::uuid and t.archived_at is null;

-- name: event_note
select e.code, e.note from public.events e where e.code = %(code)s;
"""


def test_constants_of_the_text_make_the_predicate_parameters_do_not() -> None:
    scan = SeqFilter(
        "public",
        "leads",
        ("clinic_id",),
        10,
        "((deleted_at IS NULL) AND (clinic_id = 'c0000000-0000-0000-0000-000000000001'::uuid) "
        "AND ((status)::text = 'new'::text))",
    )
    text = "select 1 from leads where clinic_id = %(c)s and deleted_at is null and status = 'new'"
    found = _partial(scan, text, "q")
    assert found is not None
    assert found.sql == (
        "create index idx_leads_clinic_id_where_deleted_at_null_and_status_new "
        "on public.leads (clinic_id) where deleted_at is null and status = 'new'"
    )
    # the clinic's uuid is a parameter's value, not in the text: no predicate, no key left
    assert _partial(scan, "select 1 from leads where clinic_id = %(c)s", "q") is None


@pytest.fixture(scope="module")
def advice(tmp_path_factory: pytest.TempPathFactory) -> Advice:
    root = write_migrations(
        tmp_path_factory.mktemp("partial"), {"20240101000000_schema.sql": SCHEMA}
    )
    (root / "workload.sql").write_text(WORKLOAD)
    return advise(
        root,
        load_project(root),
        load_config(root),
        Scale(30000, {"tenants": 5, "members": 50}),
        Limits(),
        Settings(iterations=5, concurrency=1, policies=False),
    )


def test_a_rare_constant_gives_a_partial_index_the_plan_uses(advice: Advice) -> None:
    measured = {m.candidate.sql: m for m in advice.measured}
    partial = (
        "create index idx_tasks_tenant_id_where_archived_at_not_null on public.tasks (tenant_id) "
        "where archived_at is not null"
    )
    assert partial in measured, list(measured)
    assert measured[partial].used_by == ["archived_tasks"]
    plain = [m for sql, m in measured.items() if "where" not in sql]
    assert plain and measured[partial].size_bytes < plain[0].size_bytes / 5
    dropped = {c.sql: why for c, why in advice.screening.dropped}
    wide = (
        "create index idx_tasks_tenant_id_where_archived_at_null on public.tasks (tenant_id) "
        "where archived_at is null"
    )
    assert wide in dropped and "keeps 9" in dropped[wide], dropped


@pytest.mark.skipif(
    not any(i.major == 15 and i.source == "system" for i in binaries.discover()),
    reason="the plan is checked on Debian's 15 with the real hypopg: elsewhere (the embedded "
    "18, a server-only npm build) every candidate is built unscreened and the planner "
    "picks another for this data, so the INCLUDE candidate is measured but not used",
)
def test_an_index_scan_reading_the_heap_gives_an_include_candidate(advice: Advice) -> None:
    wanted = "create index events_code_idx_incl_note on public.events (code) include (note)"
    measured = {m.candidate.sql: m for m in advice.measured}
    dropped = {c.sql: why for c, why in advice.screening.dropped}
    assert wanted in measured, (list(measured), dropped)
    include = measured[wanted]
    assert include.used_by == ["event_note"]
    run = {q.name: q for q in include.run.queries}
    assert run["event_note"].plan is not None
    assert "Index Only Scan using events_code_idx_incl_note" in run["event_note"].plan.scans
