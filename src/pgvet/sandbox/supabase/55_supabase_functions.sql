-- pgvet sandbox: Supabase Database Webhooks (`supabase_functions`).
--
-- Dashboard-made webhooks show up in migration dumps as
--   create trigger ... execute function supabase_functions.http_request('<url>', 'POST', '<headers>', '<params>', '<timeout>');
-- The trigger function below queues the request through pg_net (net.http_get /
-- net.http_post) like Supabase's, and logs it in supabase_functions.hooks. pg_net is a
-- recording stand-in in the sandbox, so nothing leaves the machine; if pg_net is not
-- installed the trigger fails when it fires, as on Supabase.

create table if not exists supabase_functions.migrations (
    version     text not null primary key,
    inserted_at timestamptz not null default now()
);

create table if not exists supabase_functions.hooks (
    id            bigserial primary key,
    hook_table_id integer not null,
    hook_name     text not null,
    created_at    timestamptz not null default now(),
    request_id    bigint
);
comment on table supabase_functions.hooks is
    'Supabase Functions Hooks: Audit trail for triggered hooks.';
create index if not exists supabase_functions_hooks_request_id_idx
    on supabase_functions.hooks (request_id);
create index if not exists supabase_functions_hooks_h_table_id_h_name_idx
    on supabase_functions.hooks (hook_table_id, hook_name);

create or replace function supabase_functions.http_request()
    returns trigger
    language plpgsql
    security definer
    set search_path = supabase_functions, pg_temp
as $$
declare
    request_id bigint;
    payload    jsonb;
    url        text := tg_argv[0]::text;
    method     text := tg_argv[1]::text;
    headers    jsonb := '{"Content-Type": "application/json"}'::jsonb;
    params     jsonb := '{}'::jsonb;
    timeout_ms integer := 1000;
begin
    if url is null or url = 'null' then
        raise exception 'url argument is missing';
    end if;
    if method is null or method = 'null' then
        raise exception 'method argument is missing';
    end if;
    if tg_argv[2] is not null and tg_argv[2] <> 'null' then
        headers := tg_argv[2]::jsonb;
    end if;
    if tg_argv[3] is not null and tg_argv[3] <> 'null' then
        params := tg_argv[3]::jsonb;
    end if;
    if tg_argv[4] is not null and tg_argv[4] <> 'null' then
        timeout_ms := tg_argv[4]::integer;
    end if;

    case
        when method = 'GET' then
            request_id := net.http_get(url, params, headers, timeout_ms);
        when method = 'POST' then
            payload := jsonb_build_object(
                'old_record', old,
                'record', new,
                'type', tg_op,
                'table', tg_table_name,
                'schema', tg_table_schema);
            request_id := net.http_post(url, payload, params, headers, timeout_ms);
        else
            raise exception 'method argument % is invalid', method;
    end case;

    insert into supabase_functions.hooks (hook_table_id, hook_name, request_id)
    values (tg_relid, tg_name, request_id);

    return new;
end
$$;

alter table supabase_functions.migrations owner to supabase_functions_admin;
alter table supabase_functions.hooks owner to supabase_functions_admin;
alter function supabase_functions.http_request() owner to supabase_functions_admin;
grant all on all tables in schema supabase_functions to postgres, anon, authenticated, service_role;
grant all on all sequences in schema supabase_functions to postgres, anon, authenticated, service_role;
grant execute on function supabase_functions.http_request() to postgres, anon, authenticated, service_role;
