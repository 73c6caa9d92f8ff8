create table public."Profile" (id uuid primary key, "isAdmin" boolean not null default false);
alter table public."Profile" enable row level security;
create policy "Admins read all profiles" on public."Profile"
  for select to authenticated using (
    exists (select 1 from public."Profile" p where p.id = auth.uid() and p."isAdmin")
  );
