-- pgvet's model sees documents -> is_admin() -> documents (54001), but is_admin() returns
-- before reading the table for anyone but service_role (which bypasses RLS), and the
-- cheaper owner test decides first: PostgreSQL reads the table fine as authenticated
create table public.documents (
  id bigint generated always as identity primary key,
  owner uuid not null default auth.uid(),
  "Body" text
);
alter table public.documents enable row level security;
grant select, insert, update, delete on public.documents to authenticated;
create function public.is_admin() returns boolean
  language plpgsql stable
  as $$
  begin
    if coalesce(auth.jwt() ->> 'role', '') <> 'service_role' then
      return false;
    end if;
    return exists (select 1 from public.documents);
  end;
  $$;
create policy "Owners and admins read documents" on public.documents
  for select to authenticated using (owner = auth.uid() or public.is_admin());
