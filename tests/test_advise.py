"""``pgvet advise``: a planted slow query gets its index, a candidate that helps nothing is
left out, and a migration's indexes are measured; judged by the plans, not wall times."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import have_major, missing_major, write_migrations
from pgvet.advise.session import Advice, Settings, advise
from pgvet.cli.main import app
from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project

runner = CliRunner()

SCHEMA = """
create table public.tenants (id uuid primary key default gen_random_uuid(), name text not null);
create table public.members (
  user_id uuid not null references auth.users (id),
  tenant_id uuid not null references public.tenants (id),
  primary key (user_id, tenant_id)
);
create table public.items (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id),
  kind text not null
);
create index on public.items (tenant_id);
-- no index on code (the planted slow lookup) nor on item_id (an FK no query follows)
create table public.events (
  id bigint generated always as identity primary key,
  item_id uuid not null references public.items (id),
  code text not null,
  note text
);
grant select on public.items, public.events, public.members to authenticated;
"""

EXTRA = "create index idx_items_kind on public.items (kind);\n"

WORKLOAD = """
-- name: event_by_code
select e.id, e.note from public.events e where e.code = %(code)s;

-- name: items_of_tenant
select i.id from public.items i where i.tenant_id = %(tenant_id)s::uuid;
"""

MIGRATION = "20240102000000_items_kind.sql"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_migrations(
        tmp_path_factory.mktemp("advise"),
        {"20240101000000_schema.sql": SCHEMA, MIGRATION: EXTRA},
    )
    (root / "workload.sql").write_text(WORKLOAD)
    return root


@pytest.fixture(scope="module")
def advice(project: Path) -> Advice:
    loaded = load_project(project)
    return advise(
        project,
        loaded,
        load_config(project),
        Scale(4000, {"tenants": 5}),
        Limits(),
        Settings(iterations=5, concurrency=2),
        migration=MIGRATION,
    )


def test_planted_slow_query_gets_its_index(advice: Advice) -> None:
    chosen = {m.candidate.key for m in advice.choice.chosen}
    assert ("public", "events", "btree", "code") in chosen
    before = {q.name: q for q in advice.before.queries}
    assert advice.after is not None
    after = {q.name: q for q in advice.after.queries}
    assert "Seq Scan on events" in before["event_by_code"].plan.scans
    assert not any(s.startswith("Seq Scan on events") for s in after["event_by_code"].plan.scans)
    used = [m.candidate.name for m in advice.choice.chosen if "event_by_code" in m.used_by]
    assert used and any(used[0] in scan for scan in after["event_by_code"].plan.scans)
    winner = next(m for m in advice.choice.chosen if m.candidate.table == "events")
    assert winner.size_bytes > 0 and winner.inserts_before > 0 and winner.inserts_after > 0
    for q in advice.before.queries:
        p50, p95, p99 = (q.percentile(p) for p in (50, 95, 99))
        assert p50 <= p95 <= p99


def test_a_candidate_that_helps_nothing_is_left_out(advice: Advice) -> None:
    if advice.screening.method.startswith("not screened: hypopg is not installed"):
        pytest.skip("hypopg is not installed for this server (Debian's postgresql-15-hypopg)")
    chosen = {m.candidate.key[1:] for m in advice.choice.chosen}
    assert ("events", "btree", "item_id") not in chosen
    dropped = {c.key[1:]: why for c, why in advice.screening.dropped}
    dropped |= {m.candidate.key[1:]: why for m, why in advice.choice.dropped}
    assert ("events", "btree", "item_id") in dropped
    assert advice.screening.method.startswith("hypopg")


def test_the_migration_effect_names_what_plans_use(advice: Advice) -> None:
    effect = advice.migration
    assert effect is not None and [i.name for i in effect.indexes] == ["idx_items_kind"]
    assert effect.indexes[0].used_by == [] and effect.indexes[0].size_bytes > 0
    assert [q.name for q in effect.without.queries] == ["event_by_code", "items_of_tenant"]


@pytest.mark.skipif(not have_major(18), reason=missing_major(18))
def test_without_hypopg_screening_is_skipped_and_said(project: Path) -> None:
    """PostgreSQL 18 here has only pgvet's stand-in: nothing is screened, the candidates on
    tables the workload reads are built, and the planted index is still the one chosen."""
    loaded = load_project(project)
    advice = advise(
        project,
        loaded,
        load_config(project),
        Scale(3000, {"tenants": 5}),
        Limits(),
        Settings(iterations=3, concurrency=1, pg_version=18),
    )
    assert advice.screening.method.startswith("not screened: hypopg is not installed")
    assert ("public", "events", "btree", "code") in {m.candidate.key for m in advice.choice.chosen}
    built = {m.candidate.key[1] for m in advice.measured}
    assert built <= {"events", "items"}


def test_cli_writes_index_impact_and_refuses_bad_input(project: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["advise", str(project), "--migration", "nope.sql"])
    assert result.exit_code == 2 and "no such migration file" in result.output
    out = tmp_path / "INDEX_IMPACT.md"
    result = runner.invoke(
        app, ["advise", str(project), "--rows", "2000", "-n", "3", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "# Index impact (measured)" in text and "event_by_code" in text
