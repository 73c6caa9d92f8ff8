-- the policy's function writes the table it protects: an UPDATE with a WHERE clause reads
-- the rows through the SELECT policy again, which calls the function again (54001)
create table public.items (
  id bigint generated always as identity primary key,
  owner uuid not null,
  "lastSeen" timestamptz
);
alter table public.items enable row level security;
grant select, update on public.items to authenticated;
create function public.mark_seen(item bigint) returns boolean
  language plpgsql volatile
  as $$
  begin
    update public.items set "lastSeen" = now() where id = item;
    return true;
  end;
  $$;
create policy "Owners read and mark items" on public.items
  for select to authenticated using (owner = auth.uid() and public.mark_seen(id));
create policy "Owners update items" on public.items
  for update to authenticated using (owner = auth.uid());
