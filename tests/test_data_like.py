"""``pgvet data --like URL``: a sandbox with skewed rows plays the live database; the
generated tables must have its row counts and its columns' spreads, and no value or
password may reach the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_migrations
from pgvet.config import load_config
from pgvet.data.like import like_scale
from pgvet.data.session import filled_project
from pgvet.live.connect import connect_read_only
from pgvet.live.distributions import read_shape
from pgvet.replay.apply import replay
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project
from pgvet.sandbox.cluster import Server

SCHEMA = """
create table public.accounts (
  id bigint generated always as identity primary key,
  status text not null check (status in ('active', 'paused', 'closed', 'trial')),
  nickname text,
  tenant_id text not null,
  score int
);
create table public.events (
  id bigint generated always as identity primary key,
  owner_id bigint not null references public.accounts (id),
  kind text
);
"""
# 20,000 accounts: 90 % active, 40 % without nickname, three tenants (60/30/10 %),
# 500 distinct scores; 5,000 events
LIVE_ROWS = """
insert into public.accounts (status, nickname, tenant_id, score)
select case when g % 10 = 0 then (array['paused', 'closed', 'trial'])[1 + g % 3]
            else 'active' end,
       case when g % 5 < 2 then null else 'nick ' || g end,
       case when g % 10 < 6 then 'acme' when g % 10 < 9 then 'globex' else 'initech' end,
       g % 500
from generate_series(1, 20000) g;
insert into public.events (owner_id, kind)
select 1 + g % 20000, case when g % 4 = 0 then 'login' else 'view' end
from generate_series(1, 5000) g;
analyze public.accounts;
analyze public.events;
"""


@pytest.fixture
def live(server15: Server, tmp_path: Path) -> tuple[Server, Path]:
    root = write_migrations(tmp_path / "project", {"1_schema.sql": SCHEMA})
    with server15.connect() as conn:
        assert replay(conn, load_project(root)).ok
        conn.execute(LIVE_ROWS)
    with server15.admin() as admin:  # sign-ups (GoTrue's unique e-mail index holds)
        admin.execute(
            "insert into auth.users (id, email) select gen_random_uuid(), 'u' || g || '@x.test' "
            "from generate_series(1, 300) g; analyze auth.users"
        )
    return server15, root


def test_like_copies_counts_and_spreads_not_rows(live: tuple[Server, Path]) -> None:
    server, root = live
    with connect_read_only(server.conninfo()) as conn:
        shape = read_shape(conn)
    accounts = shape.tables[("public", "accounts")]
    assert accounts.rows == 20000
    assert accounts.columns["status"].common[0] == "active"
    project = load_project(root)
    config = load_config(project.root)
    scale = like_scale(shape, None, None, 1000)
    with (
        filled_project(root, project, config, scale, limits=Limits(), like=shape) as done,
        done.session.server.admin() as made,
    ):
        counts = {t.name: t.rows for t in done.result.tables}
        assert not [t for t in done.result.tables if t.skipped], done.result.tables
        assert counts["accounts"] == 20000 and counts["events"] == 5000, done.result.tables
        assert counts["users"] == 300
        assert done.result.violations == []
        share = made.execute(
            """select avg((status = 'active')::int)::float8,
                      avg((nickname is null)::int)::float8,
                      count(distinct tenant_id), count(distinct score)
               from public.accounts"""
        ).fetchone()
        active, null_share, tenants, scores = share[:4]
        assert abs(active - 0.9) < 0.03, active
        assert abs(null_share - 0.4) < 0.03, null_share
        assert tenants == 3
        assert 400 <= scores <= 500, scores  # n_distinct 500
        top = made.execute(
            "select count(*)::float8 / 20000 from public.accounts where tenant_id = 'acme'"
        ).fetchone()[0]
        assert abs(top - 0.6) < 0.03, top
        kinds = made.execute(
            "select avg((kind = 'login')::int)::float8 from public.events"
        ).fetchone()[0]
        assert abs(kinds - 0.25) < 0.04, kinds


def test_like_cli_caps_rows_and_prints_no_value_nor_password(live: tuple[Server, Path]) -> None:
    server, root = live
    dsn = server.conninfo() + " password=like-s3cret"  # the socket trusts: unused
    result = run_cli("data", str(root), "--like", dsn, "--rows", "3000", "-f", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    rows = {t["table"]: t["rows"] for t in doc["tables"]}
    assert rows["public.accounts"] == 3000 and rows["public.events"] == 3000
    output = result.stdout + result.stderr
    assert "like-s3cret" not in output and "password=***" in output
    assert "globex" not in output and "acme" not in output
    bad = run_cli("data", str(root), "--like", "postgresql://x:y@127.0.0.1:1/none")
    assert bad.returncode == 2 and "password=***" in bad.stderr + bad.stdout
