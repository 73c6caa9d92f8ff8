create table public."File" (id bigint primary key, "user" uuid not null);
alter table public."File" enable row level security;
create policy "Own files" on public."File"
  for select to authenticated using ("user"::text = (select auth.uid())::text);
