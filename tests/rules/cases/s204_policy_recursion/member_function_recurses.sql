-- a membership check in a SECURITY INVOKER function that reads the table it protects:
-- every member's read recurses until 54001 (confirmed on the sandbox)
create table public."Member" (org_id bigint not null, user_id uuid not null);
alter table public."Member" enable row level security;
grant select on public."Member" to authenticated;
create function public.is_member(org bigint) returns boolean
  language plpgsql stable
  as $$
  begin
    return exists (
      select 1 from public."Member" m where m.org_id = org and m.user_id = auth.uid()
    );
  end;
  $$;
create policy "Members read their organization" on public."Member"
  for select to authenticated using (public.is_member(org_id));
