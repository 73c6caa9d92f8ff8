-- file: 20240101000000_views.sql
create view public."UserDirectory" as
  select id, email from auth.users;
create view public."user" as
  select id from public."UserDirectory";
create materialized view public."Emails" as select email from auth.users;
-- file: 20240102000000_not_reported.sql
create view public.invoker_users with (security_invoker = true) as
  select id from auth.users;
create view public.hidden_users as select id from auth.users;
revoke all on public.hidden_users from anon, authenticated;
create schema private;
create view private.users as select id, email from auth.users;
