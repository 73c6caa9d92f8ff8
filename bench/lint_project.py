"""A generated Supabase project for bench/lint.py: a migrations folder of ~550 tables and
~19,000 statements, shaped like a long-lived Supabase app (issue #11: a 544-table,
1,653-index, 612-policy, 19,465-statement project took 20 s to lint after its replay).

Why these shapes: the migration-history rules walk every statement, and the statement
count of real projects comes less from CREATE TABLE than from what follows it over the
years: comments, grants, policies dropped and created again, ``create or replace
function`` re-issued, columns added, backfills, lookup rows inserted, DO blocks guarding
types and columns. So, per module of five tables:

* a *create* file: an enum type behind a DO block, five tables (uuid keys, a foreign key
  to the module's first table and to ``auth.users``, jsonb, timestamps), RLS enabled,
  comments, grants, one or two policies in the usual shapes (``(select auth.uid())``,
  per-row ``auth.uid()``, tenant sub-select, ``using (true)``), an index on some foreign
  keys, an ``updated_at`` trigger;
* an *evolve* file, later: columns added (one with a volatile default), a NOT NULL set,
  a CHECK without NOT VALID, an index created without CONCURRENTLY on the now existing
  table, policies dropped and replaced, SECURITY DEFINER helpers (some without a
  search_path), views, backfill UPDATEs, a DO block adding a column if missing;
* a *seed* file: lookup rows (one INSERT a row, as generated seed migrations are), and
  functions re-issued with ``create or replace``.

Every few modules one file holds a lone ``create index concurrently`` (the CLI runs such a
statement outside the file's transaction). Everything replays on the sandbox as the
non-superuser ``postgres`` role.
"""

from __future__ import annotations

from pathlib import Path

KINDS = (
    "accounts",
    "projects",
    "tasks",
    "comments",
    "invoices",
    "documents",
    "events",
    "messages",
    "orders",
    "reports",
    "contacts",
    "deals",
)
TABLES_PER_MODULE = 5


def _table(m: int, j: int) -> str:
    return f"m{m:03d}_{KINDS[(m * TABLES_PER_MODULE + j) % len(KINDS)]}_{j}"


def _create_file(m: int) -> list[str]:
    """Module ``m``'s tables, RLS, comments, grants, first policies, indexes, triggers."""
    head = _table(m, 0)
    out = [
        f"""do $$ begin
  if not exists (select 1 from pg_type where typname = 'm{m:03d}_status') then
    create type public.m{m:03d}_status as enum ('draft', 'active', 'archived');
  end if;
end $$""",
        f"""create or replace function public.m{m:03d}_set_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$""",
    ]
    for j in range(TABLES_PER_MODULE):
        t = _table(m, j)
        q = f"public.{t}"
        cols = ["id uuid primary key default gen_random_uuid()"]
        if j:
            cols.append(f"{head}_id uuid not null references public.{head} (id) on delete cascade")
        cols += [
            "user_id uuid references auth.users (id) on delete set null",
            "name text not null",
            f"status public.m{m:03d}_status not null default 'draft'",
            "metadata jsonb not null default '{}'::jsonb",
            "created_at timestamptz not null default now()",
            "updated_at timestamptz not null default now()",
        ]
        out.append(f"create table if not exists {q} (\n  " + ",\n  ".join(cols) + "\n)")
        if (m + j) % 41 != 7:
            out.append(f"alter table {q} enable row level security")
        out += [
            f"comment on table {q} is 'The {t.replace('_', ' ')} of module {m}.'",
            f"comment on column {q}.status is 'Where the row is in its life.'",
            f"comment on column {q}.metadata is 'Free-form attributes from the app.'",
            f"grant select, insert, update, delete on table {q} to authenticated",
            f"grant select on table {q} to anon",
            f"grant all on table {q} to service_role",
        ]
        if j and j % 2 == 1:
            out.append(f"create index {t}_{head}_id_idx on {q} ({head}_id)")
        if j % 3 == 0:
            out.append(f"create index {t}_user_id_idx on {q} (user_id)")
        shape = (m * TABLES_PER_MODULE + j) % 6
        if shape == 0:
            out.append(
                f'create policy "{t} owner read" on {q} for select to authenticated '
                "using ((select auth.uid()) = user_id)"
            )
        elif shape == 1:
            out.append(
                f'create policy "{t} owner read" on {q} for select to authenticated '
                "using (auth.uid() = user_id)"
            )
        elif shape == 2 and j:
            out.append(
                f'create policy "{t} via parent" on {q} for select to authenticated using '
                f"(exists (select 1 from public.{head} h where h.id = {t}.{head}_id "
                "and h.user_id = (select auth.uid())))"
            )
        elif shape == 3:
            out.append(f'create policy "{t} public read" on {q} for select using (true)')
        elif shape == 4:
            out.append(
                f'create policy "{t} owner write" on {q} for insert to authenticated '
                "with check ((select auth.uid()) = user_id)"
            )
        out.append(
            f"create trigger {t}_updated_at before update on {q} "
            f"for each row execute function public.m{m:03d}_set_updated_at()"
        )
    return out


def _evolve_file(m: int) -> list[str]:
    """Later changes to module ``m``: columns, constraints, indexes, policies, helpers."""
    head = _table(m, 0)
    out: list[str] = []
    for j in range(TABLES_PER_MODULE):
        t = _table(m, j)
        q = f"public.{t}"
        out += [
            f"alter table {q} add column if not exists archived_at timestamptz",
            f"alter table {q} add column if not exists position integer not null default 0",
            f"update {q} set position = 0 where position is null",
            f"alter table {q} alter column name set not null",
        ]
        if j == 1:
            out.append(f"alter table {q} add column external_id uuid default gen_random_uuid()")
        if j == 2:
            out.append(
                f"alter table {q} add constraint {t}_name_len check (char_length(name) < 200)"
            )
        if j == 1:
            out.append(f"create unique index {t}_user_name_key on {q} (user_id, name)")
        if j % 2 == 0:
            out.append(f"create index {t}_status_idx on {q} (status) where archived_at is null")
        if j == 3:
            out.append(f"create index {t}_created_at_idx on {q} (created_at desc)")
        if j == 4 and m % 3 == 0:
            out.append(f"create index {t}_created_at_dup on {q} (created_at)")
            out.append(f"create index {t}_created_at_dup2 on {q} (created_at)")
        shape = (m * TABLES_PER_MODULE + j) % 6
        if shape == 1:  # the per-row auth.uid() policy, fixed
            out += [
                f'drop policy if exists "{t} owner read" on {q}',
                f'create policy "{t} owner read" on {q} for select to authenticated '
                "using ((select auth.uid()) = user_id)",
            ]
        if shape == 5:
            out += [
                f'drop policy if exists "{t} members" on {q}',
                f'create policy "{t} members" on {q} for all to authenticated using '
                f"(user_id = (select auth.uid()) or public.m{m:03d}_is_admin())",
            ]
        out.append(
            f"""do $$ begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'public' and table_name = '{t}'
                   and column_name = 'tags') then
    alter table {q} add column tags text[] not null default '{{}}';
  end if;
end $$"""
        )
    definer = "" if m % 4 == 1 else "set search_path = ''"
    out[:0] = [
        f"""create or replace function public.m{m:03d}_is_admin() returns boolean
language sql stable security definer {definer}
as $$ select coalesce((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin', false) $$""",
        f"revoke execute on function public.m{m:03d}_is_admin() from anon",
    ]
    out.append(
        f"create or replace view public.m{m:03d}_summary with (security_invoker = true) as "
        f"select h.id, h.name, h.status, h.created_at from public.{head} h "
        "where h.archived_at is null"
    )
    return out


def _seed_file(m: int, rows: int) -> list[str]:
    """Lookup rows for module ``m`` (one INSERT each), then its helpers re-issued."""
    head = _table(m, 0)
    out = [
        f"insert into public.{head} (id, name, status, metadata) values "
        f"('{m:08x}-0000-4000-8000-{r:012x}', 'Seed {m}-{r}', 'active', "
        f'\'{{"seed": true, "rank": {r}}}\'::jsonb) on conflict (id) do nothing'
        for r in range(rows)
    ]
    out.append(
        f"""create or replace function public.m{m:03d}_search(q text)
returns setof public.{head} language sql stable as $$
  select * from public.{head}
  where to_tsvector('english', name) @@ websearch_to_tsquery('english', q)
$$"""
    )
    out.append(f"grant execute on function public.m{m:03d}_search(text) to authenticated")
    return out


def generate(root: Path, tables: int = 550, statements: int = 19000) -> Path:
    """Write the project under ``root`` (``root/supabase/migrations``); return ``root``.

    ``statements`` is reached with seed rows: everything else is fixed per module."""
    modules = max(1, tables // TABLES_PER_MODULE)
    fixed = [(_create_file(m), _evolve_file(m)) for m in range(modules)]
    used = sum(len(a) + len(b) + 2 for a, b in fixed) + (modules + 3) // 7
    rows, extra = divmod(max(0, statements - used), modules)
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "supabase" / "config.toml").write_text('project_id = "lint-bench"\n')
    files: list[tuple[str, list[str]]] = []
    for m, (create, _) in enumerate(fixed):
        files.append((f"create_module_{m:03d}", create))
    for m, (_, evolve) in enumerate(fixed):
        files.append((f"evolve_module_{m:03d}", evolve))
        if m % 7 == 3:
            t = _table(m, 2)
            files.append(
                (
                    f"index_module_{m:03d}",
                    [f"create index concurrently if not exists {t}_name_idx on public.{t} (name)"],
                )
            )
    for m in range(modules):
        files.append((f"seed_module_{m:03d}", _seed_file(m, rows + (m < extra))))
    for n, (name, stmts) in enumerate(files):
        version = f"20240101{n:06d}"
        text = ";\n\n".join(stmts) + ";\n"
        (folder / f"{version}_{name}.sql").write_text(text, encoding="utf-8")
    return root


def statement_count(root: Path) -> int:
    """How many statements the folder holds, as pgvet splits it."""
    from pgvet.replay.project import load_project

    return sum(len(f.statements) for f in load_project(root).files)
