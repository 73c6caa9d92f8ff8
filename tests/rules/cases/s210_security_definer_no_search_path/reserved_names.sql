create table public."Member" ("user" uuid, "orgId" bigint);
create function public."myOrgs"() returns setof bigint
  language sql stable security definer
  as $$ select "orgId" from "Member" where "user" = auth.uid() $$;
