create table public."Analysis" (
  id uuid primary key default gen_random_uuid(),
  "user" uuid not null,
  "createdAt" timestamptz not null default now()
);
create index "byUser" on public."Analysis" ("user");
create index "byUserCreated" on public."Analysis" ("user", "createdAt" desc);
