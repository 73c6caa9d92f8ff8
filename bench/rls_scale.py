"""Benchmark: `pgvet rls test` on a generated project of 10,000 tenant tables.

Issue #13: a 10,000-table project ended in "lost the connection … stack depth limit
exceeded", because the fixture's snapshot and sample queries were one UNION ALL over
every table. This builds such a project (organisations, members with a role, and
``--tables`` tables: hubs that hang off an organisation, the rest off a hub, each with a
correct policy), runs the whole command in a fresh process and prints its exit code,
coverage and time. It fails (exit 1) unless the run finishes with every table tested.

Usage: python bench/rls_scale.py [--tables 10000] [--pg-version 15]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = """
create table public.orgs (id uuid primary key default gen_random_uuid(), name text not null);
create table public.org_members (
  user_id uuid not null references auth.users (id) on delete cascade,
  org_id uuid not null references public.orgs (id) on delete cascade,
  role text not null check (role in ('owner', 'member')),
  primary key (user_id, org_id)
);
create function public.my_orgs() returns setof uuid
language sql stable security definer set search_path = public
as $$ select org_id from org_members where user_id = auth.uid() $$;
alter table public.orgs enable row level security;
alter table public.org_members enable row level security;
create policy "read" on public.orgs for select using (id in (select my_orgs()));
create policy "read" on public.org_members for select using (org_id in (select my_orgs()));
"""

HUB = """
create table public.hub{n} (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.orgs (id),
  body text not null
);
alter table public.hub{n} enable row level security;
create policy "members" on public.hub{n} for all using (org_id in (select my_orgs()));
"""

#: most tables hang off a hub, as in a large project (not all off one table: every foreign
#: key adds triggers to the table it references, and 10,000 of them on one table make the
#: replay itself quadratic, which is not what this bench measures)
TABLE = """
create table public.t{n} (
  id bigint generated always as identity primary key,
  hub_id uuid not null references public.hub{hub} (id),
  body text not null
);
alter table public.t{n} enable row level security;
create policy "members" on public.t{n} for all
  using (hub_id in (select id from public.hub{hub}));
"""


PER_FILE = 100


def write_project(root: Path, tables: int) -> Path:
    migrations = root / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20240101000000_orgs.sql").write_text(HEAD, encoding="utf-8")
    hubs = max(1, int(tables**0.5))
    statements = [HUB.format(n=n) for n in range(hubs)]
    statements += [TABLE.format(n=n, hub=n % hubs) for n in range(tables - hubs)]
    # a hundred tables per migration, as a project grows: one transaction creating 10,000
    # tables is slow in PostgreSQL itself (its invalidation work grows with the transaction)
    for start in range(0, len(statements), PER_FILE):
        name = f"2024010200{start // PER_FILE:04d}_tables.sql"
        body = "".join(statements[start : start + PER_FILE])
        (migrations / name).write_text(body, encoding="utf-8")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--pg-version", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pgvet-rls-scale-") as tmp:
        root = write_project(Path(tmp), args.tables)
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pgvet", "rls", "test", str(root)]
        cmd += ["--format", "json", "--output", str(out), "--statement-timeout", "30min"]
        if args.pg_version:
            cmd += ["--pg-version", str(args.pg_version)]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    coverage = report.get("coverage") or {}
    tested, total = len(coverage.get("tested", [])), coverage.get("total", 0)
    print(f"pgvet rls test on {args.tables + 2} generated tables")
    print(f"  exit code                       {done.returncode}")
    print(f"  tenant tables tested            {tested} of {total}")
    print(f"  whole command, fresh process    {wall:7.2f} s")
    if "stack depth" in done.stdout + done.stderr or not total or tested != total:
        print(done.stderr[-2000:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
