create table public."Note" (id bigint primary key, "user" uuid not null, body text);
create policy "Owners read notes" on public."Note"
  for select to authenticated using ((select auth.uid()) = "user");
