-- a validation regex, format templates, placeholders and the local stack's default are
-- not secrets; the one literal password at the end is
create table public."Connection" (
  id bigint generated always as identity primary key,
  dsn text not null check (dsn ~ '^postgresql://[^:]+:[^@]+@[^/:]+(:\d+)?/\w+$'),
  legacy text check (legacy ~* 'postgres://([^:]+):(.+)@')
);
comment on column public."Connection".dsn is
  'e.g. postgres://app_user:<password>@db.example.com:5432/app, or
   postgres://${DB_USER}:${DB_PASSWORD}@db:5432/app (shown as postgres://app:***@db/app);
   locally postgresql://postgres:postgres@127.0.0.1:54322/postgres';
create function public.build_dsn(usr text, pwd text, host text) returns text
  language sql immutable set search_path = ''
  as $$ select format('postgresql://%s:%s@%s:5432/postgres', usr, pwd, host) $$;
create role reporting_reader login password 'your-password-here';
insert into public."Connection" (dsn)
  values ('postgresql://reporter:Xk9mQ2vLp7wZ@db.abcdefghijklmnopqrst.supabase.co:5432/postgres');
