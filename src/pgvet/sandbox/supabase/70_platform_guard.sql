-- pgvet sandbox: what the platform refuses the project's role in the schemas it owns.
--
-- On Supabase, `auth`, `storage` and `realtime` belong to the platform's services. The
-- project's `postgres` role may create, alter and drop policies and triggers on their
-- tables (supautils' policy_grants and drop_trigger_grants) and grant what it holds, and
-- nothing else: no new tables, functions or indexes there, no ALTER TABLE on them. The
-- sandbox gives `postgres` membership in the owning roles (so policies and triggers work
-- as on the platform) and this guard refuses the rest, with the platform's reason.

create or replace function extensions.pgvet_platform_guard()
    returns event_trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    r record;
begin
    if (select rolsuper from pg_catalog.pg_roles where rolname = session_user) then
        return;  -- the platform itself (or pgvet --superuser)
    end if;
    if tg_event = 'sql_drop' then
        for r in select * from pg_catalog.pg_event_trigger_dropped_objects() loop
            if r.schema_name in ('auth', 'storage', 'realtime')
               and r.object_type not in ('policy', 'trigger')
               and not r.normal is false then
                raise exception 'not permitted on Supabase: % % in schema %, which the platform owns',
                        tg_tag, r.object_identity, r.schema_name
                    using errcode = '42501',
                          hint = 'the project role may only create or drop policies and triggers on '
                                 'the auth, storage and realtime tables';
            end if;
        end loop;
        return;
    end if;
    for r in select * from pg_catalog.pg_event_trigger_ddl_commands() loop
        if r.schema_name in ('auth', 'storage', 'realtime')
           and r.command_tag not in ('CREATE POLICY', 'ALTER POLICY', 'CREATE TRIGGER',
                                     'GRANT', 'REVOKE') then
            raise exception 'not permitted on Supabase: % % in schema %, which the platform owns',
                    r.command_tag, r.object_identity, r.schema_name
                using errcode = '42501',
                      hint = 'the project role may only create or drop policies and triggers on '
                             'the auth, storage and realtime tables';
        end if;
    end loop;
end
$$;
revoke all on function extensions.pgvet_platform_guard() from public;

create event trigger pgvet_platform_guard_ddl on ddl_command_end
    execute function extensions.pgvet_platform_guard();
create event trigger pgvet_platform_guard_drop on sql_drop
    execute function extensions.pgvet_platform_guard();
