"""``pgvet workload``: real timings on a filled sandbox, as the persona each query names.

A small tenant project: ``members(user_id, tenant_id)`` is the membership table, ``items``
is read through a policy on it. The default persona must be a member of the tenant its
parameters are drawn from (the query returns a row only then), ``-- persona: anon`` must
really be anon, and a query returning ``auth.uid()`` proves who ran it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app
from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.data.session import filled_project
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project
from pgvet.rls.acting import set_persona
from pgvet.workload import report
from pgvet.workload.run import prepare, run_workload

runner = CliRunner()

SCHEMA = """
create table public.tenants (id uuid primary key default gen_random_uuid(), name text not null);
create table public.members (
  user_id uuid not null references auth.users (id),
  tenant_id uuid not null references public.tenants (id),
  role text not null check (role in ('member', 'super_admin')),
  primary key (user_id, tenant_id)
);
create table public.items (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id),
  kind text not null,
  price numeric not null
);
alter table public.items enable row level security;
alter table public.members enable row level security;
create policy members_self on public.members for select to authenticated
  using (user_id = auth.uid());
create policy items_tenant on public.items for select to authenticated
  using (tenant_id in (select m.tenant_id from public.members m where m.user_id = auth.uid()));
grant select on public.items, public.members to authenticated, anon;
"""

WORKLOAD = """
-- params: {"tenant_id": "00000000-0000-0000-0000-000000000000", "limit": 5}

-- name: member_of_drawn_tenant
select 1 from public.members m
where m.tenant_id = %(tenant_id)s::uuid and m.user_id = auth.uid()
  and current_user = 'authenticated';

-- name: whoami
select auth.uid()::text as uid;

-- name: items_of_tenant
select i.id, i.price from public.items i
where i.tenant_id = %(tenant_id)s::uuid
order by i.price desc limit %(limit)s;

-- name: anon_sees_nothing
-- persona: anon
select current_user::text as who, (select count(*) from public.items) as visible
where auth.uid() is null;
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_migrations(
        tmp_path_factory.mktemp("tenants"), {"20240101000000_schema.sql": SCHEMA}
    )
    (root / "workload.sql").write_text(WORKLOAD)
    return root


def test_runs_as_the_persona_with_real_percentiles(project: Path) -> None:
    config = load_config(project)
    loaded = load_project(project)
    with filled_project(project, loaded, config, Scale(200), limits=Limits()) as filled:
        server = filled.session.server
        assert filled.workload is not None
        with server.connect() as conn:
            prepared = prepare(conn, filled.session.catalog, config, filled.workload)
            by_name = {p.name: p for p in prepared}
            member = by_name["whoami"].acting.persona
            with conn.transaction(force_rollback=True):
                set_persona(conn, member)
                uid = conn.execute(by_name["whoami"].text).fetchone()
            biggest = conn.execute(
                "select tenant_id::text from public.items group by 1 order by count(*) desc limit 1"
            ).fetchone()
        run = run_workload(server.connect, prepared, iterations=12, concurrency=3)
    assert uid == (member.user_id,) and member.role == "authenticated"
    assert by_name["items_of_tenant"].drawer.draw()["tenant_id"] == biggest[0]
    runs = {q.name: q for q in run.queries}
    for q in run.queries:
        assert q.error is None, q.error
        assert len(q.timings) == 12 and all(t > 0 for t in q.timings)
        p50, p95, p99 = (q.percentile(p) for p in (50, 95, 99))
        assert p50 is not None and p95 is not None and p99 is not None
        assert min(q.timings) <= p50 <= p95 <= p99 == max(q.timings)
        assert q.plan is not None and q.plan.costliest is not None
    # a row only when the persona is a member of the tenant its parameters came from
    assert runs["member_of_drawn_tenant"].rows == 1
    assert runs["items_of_tenant"].rows == 5
    assert runs["anon_sees_nothing"].rows == 1 and runs["anon_sees_nothing"].persona == "anon"
    assert "items" in " ".join(runs["items_of_tenant"].plan.scans)


def test_cli_json_then_compare(project: Path, tmp_path: Path) -> None:
    saved = tmp_path / "a.json"
    result = runner.invoke(
        app, ["workload", str(project), "--rows", "50", "-n", "3", "-f", "json", "-o", str(saved)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(saved.read_text())
    assert [q["name"] for q in doc["queries"]][:2] == ["member_of_drawn_tenant", "whoami"]
    assert all(q["p50"] <= q["p95"] <= q["p99"] for q in doc["queries"])
    faster = json.loads(saved.read_text())
    faster["queries"][0]["p50"] = doc["queries"][0]["p50"] / 2
    other = tmp_path / "b.json"
    other.write_text(json.dumps(faster))
    rows = report.compare_rows(doc, faster)
    assert rows[0]["p50_change"] == -50.0
    shown = runner.invoke(app, ["workload", "--compare", str(saved), str(other), "-f", "markdown"])
    assert shown.exit_code == 0 and "-50.0 %" in shown.output


def test_bad_input_is_exit_2(project: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = runner.invoke(app, ["workload", "--compare", str(broken), str(broken)])
    assert result.exit_code == 2 and "cannot read a saved workload run" in result.output
    (tmp_path / "p").mkdir()
    root = write_migrations(tmp_path / "p", {"20240101000000_schema.sql": SCHEMA})
    (root / "workload.sql").write_text("-- name: q\n-- persona: nobody\nselect 1;\n")
    result = runner.invoke(app, ["workload", str(root), "--rows", "5", "-n", "1"])
    assert result.exit_code == 2 and "no such persona" in result.output
