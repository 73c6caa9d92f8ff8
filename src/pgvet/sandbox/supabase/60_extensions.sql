-- pgvet sandbox: the extensions a Supabase project has before its first migration, and
-- the platform's extension hooks.
--
-- Projects call uuid_generate_v4(), gen_random_bytes(), digest(), sign(), vault.* and
-- graphql_public.graphql() without creating the extensions, because Supabase installs
-- them up front. Where the server lacks one of them (pgcrypto and uuid-ossp on minimal
-- builds; pgjwt, supabase_vault and pg_graphql always), pgvet provides its SQL stand-in.
-- Since they are installed here, a migration's plain `create extension pgjwt` (without
-- IF NOT EXISTS) fails in the sandbox exactly as it does on Supabase.

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pgjwt with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
create extension if not exists supabase_vault;       -- creates schema vault
create extension if not exists pg_graphql with schema graphql;

-- Vault's after-create script on the platform (supabase/postgres,
-- postgresql_extension_custom_scripts/supabase_vault/after-create.sql): the project owner
-- reads and manages secrets; service_role too (as with Vault <= 0.2.8).
grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid),
    vault.update_secret(uuid, text, text, text, uuid),
    vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
    to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid),
    vault.update_secret(uuid, text, text, text, uuid),
    vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
    to service_role;
-- the stand-in's decrypt is its encrypt (an SQL function, inlined and so checked as the
-- caller): the readers need it too
grant execute on function vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea)
    to postgres, service_role;

-- ---------------------------------------------------------------------------------
-- GraphQL endpoint called by PostgREST.
-- ---------------------------------------------------------------------------------
create or replace function graphql_public.graphql(
    "operationName" text default null,
    query           text default null,
    variables       jsonb default null,
    extensions      jsonb default null
)
    returns jsonb
    language sql
as $$
    select graphql.resolve(
        query := query,
        variables := coalesce(variables, '{}'),
        "operationName" := "operationName",
        extensions := extensions
    );
$$;
grant execute on function graphql_public.graphql(text, text, jsonb, jsonb)
    to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------
-- Supabase's event triggers that hand extensions created later to the API roles.
-- ---------------------------------------------------------------------------------

-- pg_net: the request functions run as their owner and are callable by the API roles.
create or replace function extensions.grant_pg_net_access()
    returns event_trigger
    language plpgsql
as $$
declare
    f regprocedure;
begin
    if exists (
        select from pg_event_trigger_ddl_commands() as ev
        join pg_catalog.pg_extension as ext on ev.objid = ext.oid
        where ext.extname = 'pg_net'
    ) then
        grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
        for f in
            select p.oid::regprocedure
            from pg_catalog.pg_proc p
            where p.pronamespace = 'net'::regnamespace
              and p.proname in ('http_get', 'http_post', 'http_delete')
        loop
            execute format('alter function %s security definer', f);
            execute format('alter function %s set search_path = net', f);
            execute format('revoke all on function %s from public', f);
            execute format('grant execute on function %s to supabase_functions_admin, postgres, anon, authenticated, service_role', f);
        end loop;
    end if;
end
$$;

-- pg_cron: the project owner may read and manage jobs.
create or replace function extensions.grant_pg_cron_access()
    returns event_trigger
    language plpgsql
as $$
begin
    if exists (
        select from pg_event_trigger_ddl_commands() as ev
        join pg_catalog.pg_extension as ext on ev.objid = ext.oid
        where ext.extname = 'pg_cron'
    ) then
        grant usage on schema cron to postgres with grant option;
        alter default privileges in schema cron grant all on tables to postgres with grant option;
        alter default privileges in schema cron grant all on functions to postgres with grant option;
        alter default privileges in schema cron grant all on sequences to postgres with grant option;
        alter default privileges for user supabase_admin in schema cron
            grant all on sequences to postgres with grant option;
        alter default privileges for user supabase_admin in schema cron
            grant all on tables to postgres with grant option;
        alter default privileges for user supabase_admin in schema cron
            grant all on functions to postgres with grant option;
        grant all privileges on all tables in schema cron to postgres with grant option;
        revoke all on table cron.job from postgres;
        grant select on table cron.job to postgres with grant option;
    end if;
end
$$;

-- postgres_fdw: the platform's after-create script (supabase/postgres,
-- postgresql_extension_custom_scripts/postgres_fdw/after-create.sql) makes the project
-- owner the wrapper's owner, so migrations can create servers and foreign tables (the
-- owner keeps it after losing superuser).
create or replace function extensions.grant_postgres_fdw_access()
    returns event_trigger
    language plpgsql
as $$
begin
    if exists (
        select from pg_event_trigger_ddl_commands() as ev
        join pg_catalog.pg_extension as ext on ev.objid = ext.oid
        where ext.extname = 'postgres_fdw'
    ) then
        -- a wrapper's owner must be a superuser: the platform makes postgres one for
        -- the length of this statement, as here (unless it is one already: --superuser)
        if (select rolsuper from pg_catalog.pg_roles where rolname = 'postgres') then
            alter foreign data wrapper postgres_fdw owner to postgres;
        else
            alter role postgres superuser;
            alter foreign data wrapper postgres_fdw owner to postgres;
            alter role postgres nosuperuser;
        end if;
    end if;
end
$$;

-- On the platform the extension is created as the superuser (supautils), so these run with
-- the superuser's rights there too; a fixed search_path keeps a migration's own objects
-- (search_path tricks) out of them.
alter function extensions.grant_pg_net_access()
    security definer set search_path = pg_catalog, pg_temp;
alter function extensions.grant_pg_cron_access()
    security definer set search_path = pg_catalog, pg_temp;
revoke all on function extensions.grant_pg_net_access() from public;
revoke all on function extensions.grant_pg_cron_access() from public;
alter function extensions.grant_postgres_fdw_access()
    security definer set search_path = pg_catalog, pg_temp;
revoke all on function extensions.grant_postgres_fdw_access() from public;

do $evt$
begin
    if not exists (select from pg_catalog.pg_event_trigger where evtname = 'issue_pg_net_access') then
        create event trigger issue_pg_net_access on ddl_command_end
            when tag in ('CREATE EXTENSION')
            execute function extensions.grant_pg_net_access();
    end if;
    if not exists (select from pg_catalog.pg_event_trigger where evtname = 'issue_pg_cron_access') then
        create event trigger issue_pg_cron_access on ddl_command_end
            when tag in ('CREATE EXTENSION')
            execute function extensions.grant_pg_cron_access();
    end if;
    if not exists (select from pg_catalog.pg_event_trigger where evtname = 'issue_postgres_fdw_access') then
        create event trigger issue_postgres_fdw_access on ddl_command_end
            when tag in ('CREATE EXTENSION')
            execute function extensions.grant_postgres_fdw_access();
    end if;
end
$evt$;
