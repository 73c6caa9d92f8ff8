-- file: 20240101000000_create_analysis.sql
create table public."Analysis" (
  id uuid primary key default gen_random_uuid(),
  "user" uuid not null,
  "createdAt" timestamptz not null default now()
);
create index if not exists "Analysis_user_idx" on public."Analysis" ("user");
-- file: 20240301000000_history_index.sql
create index if not exists "Analysis_user_idx"
  on public."Analysis" ("user", "createdAt" desc);
