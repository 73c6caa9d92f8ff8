create table public."Note" (id bigint primary key, "ownerId" uuid, body text, "group" text);
alter table public."Note" enable row level security;
create policy "Owners read" on public."Note" for select to anon, authenticated
  using (auth.uid() is null or "ownerId" = auth.uid());
create policy "select" on public."Note" for all
  using (not ((select auth.uid()) is not null) or "ownerId" = (select auth.uid()));
create policy "Claims" on public."Note" for select
  using ((current_setting('request.jwt.claims', true)::json ->> 'sub') is null
         or "group" = 'staff' or "group" = 'admin');
-- not reported: signed-in users only, a gated AND, an INSERT policy, a raising current_setting
create policy "Signed in" on public."Note" for select to authenticated
  using (auth.uid() is null or "ownerId" = auth.uid());
create policy "Gated" on public."Note" for select
  using (auth.uid() is not null and ("group" is null or "ownerId" = auth.uid()));
create policy "Insert" on public."Note" for insert
  with check (auth.uid() is null or "ownerId" = auth.uid());
create policy "Raises" on public."Note" for select
  using (current_setting('app.tenant') is null or "group" = 'x');
-- not reported: anon may not select the table
create table public.secret_notes (id bigint primary key, owner_id uuid);
alter table public.secret_notes enable row level security;
create policy "Owners read" on public.secret_notes for select
  using (auth.uid() is null or owner_id = auth.uid());
revoke select on public.secret_notes from anon;
