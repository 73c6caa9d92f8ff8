-- file: supabase/config.toml
[auth]
enable_anonymous_sign_ins = true
-- file: 20240101000000_example.sql
create table public."Report" (id bigint primary key, "ownerId" uuid, status text);
alter table public."Report" enable row level security;
create policy "select" on public."Report" for select to authenticated using (true);
create policy "Role check" on public."Report" for update
  using (auth.role() = 'authenticated');
create policy "Anyone files" on public."Report" for insert to authenticated
  with check (status = 'new');
-- not reported: checks the user, excludes anonymous users, anon only, no privilege
create policy "Own" on public."Report" for delete to authenticated
  using ((select auth.uid()) = "ownerId");
create policy "Permanent" on public."Report" for select to authenticated
  using ((auth.jwt() ->> 'is_anonymous')::boolean is not true);
create policy "Visitors" on public."Report" for select to anon using (true);
create table public.audit (id bigint primary key);
alter table public.audit enable row level security;
create policy "Read" on public.audit for select to authenticated using (true);
revoke select on public.audit from authenticated;
create policy "Service" on public."Report" for all using (auth.role() = 'service_role');
