-- pgvet sandbox: Supabase roles.
--
-- Makes a freshly initdb'ed cluster carry the roles a Supabase project has, so that
-- migrations which GRANT to them, create policies TO them, SET ROLE to them or
-- ALTER DEFAULT PRIVILEGES FOR them replay as they do on Supabase.
--
-- Roles are cluster-wide, so every CREATE ROLE is guarded by an existence check and the
-- file can run again in another database of the same cluster.
--
-- As on Supabase, `supabase_admin` is the bootstrap superuser (pgvet's own connection) and
-- `postgres` is a non-superuser with CREATEROLE, CREATEDB, REPLICATION and BYPASSRLS that
-- runs the migrations (see pgvet/sandbox/platform.py and docs/privileges.md).
--
-- Differences from a real project, on purpose: no role has a password, and only
-- `postgres` and `authenticator` can log in (the socket is pgvet's alone).

do $roles$
declare
    r record;
begin
    for r in
        select *
        from (values
            -- the project owner: migrations and the seed run as this role
            ('postgres',                    'login nosuperuser createrole createdb replication bypassrls'),
            -- PostgREST / API roles
            ('anon',                        'nologin noinherit'),
            ('authenticated',               'nologin noinherit'),
            ('service_role',                'nologin noinherit bypassrls'),
            ('authenticator',               'login noinherit'),
            -- platform roles
            ('supabase_admin',              'nologin superuser createrole createdb replication bypassrls'),
            ('supabase_auth_admin',         'nologin noinherit createrole'),
            ('supabase_storage_admin',      'nologin noinherit createrole'),
            ('supabase_realtime_admin',     'nologin noinherit'),
            ('supabase_functions_admin',    'nologin noinherit createrole'),
            ('supabase_replication_admin',  'nologin replication'),
            ('supabase_read_only_user',     'nologin bypassrls'),
            ('dashboard_user',              'nologin createrole createdb replication'),
            ('pgbouncer',                   'nologin')
        ) as v(name, options)
    loop
        if not exists (select from pg_catalog.pg_roles where rolname = r.name) then
            execute format('create role %I %s', r.name, r.options);
        end if;
    end loop;
end
$roles$;

-- The API roles are switched into by PostgREST (authenticator) and by the project owner.
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

-- The storage server switches to the caller's API role for RLS.
grant anon, authenticated, service_role to supabase_storage_admin;

-- Read-only access for the read-only user, as on Supabase.
grant pg_read_all_data to supabase_read_only_user;

-- Supabase sets these per role; harmless in the sandbox (they apply at login only).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
