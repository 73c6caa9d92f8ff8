-- pgvet sandbox: Supabase schemas, search_path, API grants and the CLI's migration history.
--
-- Schemas that belong to an extension (net, cron, vault, pgsodium) are not created here:
-- the extension creates them, as on Supabase.

create schema if not exists extensions;
create schema if not exists auth authorization supabase_admin;
create schema if not exists storage authorization supabase_admin;
create schema if not exists realtime;
create schema if not exists graphql;
create schema if not exists graphql_public;
create schema if not exists supabase_migrations;
create schema if not exists supabase_functions authorization supabase_admin;
create schema if not exists pgbouncer authorization pgbouncer;

-- ---------------------------------------------------------------------------------
-- search_path: extensions are installed in `extensions`, and projects call them
-- unqualified (uuid_generate_v4(), gen_random_bytes(), ...).
-- ---------------------------------------------------------------------------------
do $$
begin
    execute format('alter database %I set search_path = "$user", public, extensions',
                   current_database());
end
$$;
alter role postgres set search_path = "$user", public, extensions;
alter role anon set search_path = "$user", public, extensions;
alter role authenticated set search_path = "$user", public, extensions;
alter role service_role set search_path = "$user", public, extensions;
alter role authenticator set search_path = "$user", public, extensions;

-- The settings above take effect in new sessions; make the session that applies these
-- files (and may go on to replay migrations) see the same path.
select pg_catalog.set_config('search_path', '"$user", public, extensions', false);

-- ---------------------------------------------------------------------------------
-- Schema usage
-- ---------------------------------------------------------------------------------
grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
grant usage on schema graphql to postgres, anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant usage on schema realtime to postgres, anon, authenticated, service_role;

grant all on schema public to postgres;
grant all on schema extensions to postgres with grant option;
grant all on schema auth to supabase_auth_admin, dashboard_user, postgres;
grant all on schema storage to supabase_storage_admin, dashboard_user, postgres;
grant all on schema realtime to supabase_realtime_admin, postgres;
grant all on schema extensions to dashboard_user;
grant usage on schema supabase_functions to postgres, anon, authenticated, service_role;
grant all on schema supabase_functions to supabase_functions_admin;

-- ---------------------------------------------------------------------------------
-- Default privileges: whatever the project owner (postgres) or the platform
-- (supabase_admin) creates in public is reachable by the API roles; RLS decides rows.
-- ---------------------------------------------------------------------------------
alter default privileges for role postgres in schema public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on functions to postgres, anon, authenticated, service_role;

alter default privileges for role supabase_admin in schema public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on functions to postgres, anon, authenticated, service_role;

alter default privileges for role postgres in schema graphql_public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema graphql_public
    grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema graphql_public
    grant all on functions to postgres, anon, authenticated, service_role;

alter default privileges for role supabase_admin in schema extensions
    grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
    grant all on sequences to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
    grant all on functions to postgres with grant option;

alter default privileges for role postgres in schema storage
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
    grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
    grant all on functions to postgres, anon, authenticated, service_role;

alter default privileges for role postgres in schema realtime
    grant all on tables to postgres, dashboard_user;
alter default privileges for role postgres in schema realtime
    grant all on sequences to postgres, dashboard_user;
alter default privileges for role postgres in schema realtime
    grant all on functions to postgres, dashboard_user;

-- ---------------------------------------------------------------------------------
-- Migration history, as the Supabase CLI creates it (`supabase db push` / `migration
-- up`); pgvet records replayed files here.
-- ---------------------------------------------------------------------------------
create table if not exists supabase_migrations.schema_migrations (
    version text not null primary key
);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;

create table if not exists supabase_migrations.seed_files (
    path text not null primary key,
    hash text not null
);

-- ---------------------------------------------------------------------------------
-- PgBouncer's auth_query lookup (Supavisor / PgBouncer authenticate through it).
-- ---------------------------------------------------------------------------------
create or replace function pgbouncer.get_auth(p_usename text)
    returns table (username text, password text)
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    raise debug 'PgBouncer auth request: %', p_usename;
    return query
        select rolname::text,
               case when rolvaliduntil < now() then null else rolpassword::text end
        from pg_catalog.pg_authid
        where rolname = p_usename and rolcanlogin;
end
$$;
revoke all on function pgbouncer.get_auth(text) from public;
grant execute on function pgbouncer.get_auth(text) to pgbouncer;
