-- file: 20240101000000_helpers.sql
create table public."Member" ("user" uuid, "orgId" bigint);
create function public."isMember"("orgId" bigint) returns boolean
  language sql stable security definer set search_path = ''
  as $$ select exists (select 1 from public."Member" m where m."orgId" = $1
                       and m."user" = auth.uid()) $$;
-- only granted to anon directly, not through PUBLIC
create function public."select"() returns bigint
  language sql stable security definer set search_path = ''
  as $$ select count(*) from public."Member" $$;
revoke execute on function public."select"() from public;
-- file: 20240102000000_not_reported.sql
create function public.stamp() returns trigger
  language plpgsql security definer set search_path = ''
  as $$ begin return new; end $$;
create function public.invoker_only() returns bigint
  language sql stable set search_path = ''
  as $$ select count(*) from public."Member" $$;
create procedure public.tidy() language sql security definer set search_path = ''
  as $$ delete from public."Member" where "user" is null $$;
create function public.members_only() returns bigint
  language sql stable security definer set search_path = ''
  as $$ select count(*) from public."Member" $$;
revoke execute on function public.members_only() from public, anon;
