"""The migration rules' index of where tables are created reads only the statements that
can create one (issue #11: lint speed), and says what the full definitions index says."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPORA, EXAMPLE, write_migrations
from pgvet.replay.definitions import definitions
from pgvet.replay.project import load_project
from pgvet.rules.migrations.common import table_places

MIGRATIONS = {
    "20240101000000_a.sql": """
create table public.t (id int primary key);
create view public.v as select id from public.t;
create sequence public.s;
create policy p on public.t for select using (true);
create function public.f() returns int language sql as $$ select 1 $$;
do $$ begin
  if not exists (select 1 from pg_tables where tablename = 'late') then
    create table public.late (id int);
  end if;
end $$;
""",
    "20240102000000_b.sql": """
create materialized view public.m as select 1 as one;
create table if not exists public.t (id int primary key);
""",
}


def _same(root: Path) -> dict[str, list[object]]:
    project = load_project(root)
    full = definitions(project)
    expected = {
        name: [p for p in places if p.source == "migration"]
        for (kind, name), places in full.items()
        if kind == "table" and "." in name
    }
    expected = {name: places for name, places in expected.items() if places}
    assert dict(table_places(project)) == expected
    return expected


def test_table_places_match_the_definitions(tmp_path: Path) -> None:
    found = _same(write_migrations(tmp_path, MIGRATIONS))
    assert {name: [p.line for p in places] for name, places in found.items()} == {
        "public.t": [2, 3],
        "public.v": [3],
        "public.s": [4],
        "public.late": [9],  # inside the DO block, at its own line
        "public.m": [2],
    }


def test_table_places_match_on_real_projects() -> None:
    _same(EXAMPLE)
    for name in ("suna", "chatbot-ui"):
        if (CORPORA / name).is_dir():
            _same(CORPORA / name)
