create table public."Note" (
  id uuid primary key default gen_random_uuid(),
  "user" uuid not null default auth.uid(),
  body text
);
alter table public."Note" enable row level security;
create policy "owners read notes" on public."Note"
  for select to authenticated using ("user" = (select auth.uid()));
