create table public."Doc" (id bigint primary key, "user" uuid not null, "isPublished" boolean);
alter table public."Doc" enable row level security;
create policy "Owners read" on public."Doc"
  for select to authenticated using ((select auth.uid()) = "user");
create policy "Published readable" on public."Doc"
  for select to authenticated using ("isPublished");
