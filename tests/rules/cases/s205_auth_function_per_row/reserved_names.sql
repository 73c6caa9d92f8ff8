create table public."Todo" (id bigint primary key, "user" uuid not null, task text);
alter table public."Todo" enable row level security;
create policy "Own todos" on public."Todo"
  for select to authenticated using (auth.uid() = "user");
