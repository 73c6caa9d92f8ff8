-- pgvet sandbox: Supabase Realtime's database side.
--
-- The `supabase_realtime` publication that migrations add tables to, and the pieces of
-- the `realtime` schema that migrations reference (policies on realtime.messages,
-- realtime.topic() in those policies, realtime.send() / realtime.broadcast_changes()
-- in triggers). No Realtime server runs here: messages are only rows.

do $pub$
begin
    if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$pub$;

do $types$
begin
    if to_regtype('realtime.action') is null then
        create type realtime.action as enum ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'ERROR');
    end if;
    if to_regtype('realtime.equality_op') is null then
        create type realtime.equality_op as enum ('eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in');
    end if;
end
$types$;

create table if not exists realtime.schema_migrations (
    version     bigint not null primary key,
    inserted_at timestamp(0)
);

-- Broadcast / presence messages. Realtime partitions this table by day; the sandbox
-- keeps a single default partition so that inserts work.
create table if not exists realtime.messages (
    topic       text not null,
    extension   text not null,
    payload     jsonb,
    event       text,
    private     boolean default false,
    updated_at  timestamp not null default now(),
    inserted_at timestamp not null default now(),
    id          uuid not null default gen_random_uuid(),
    primary key (id, inserted_at)
) partition by range (inserted_at);
create table if not exists realtime.messages_default partition of realtime.messages default;
alter table realtime.messages enable row level security;

-- The topic of the channel a policy on realtime.messages is evaluated for.
create or replace function realtime.topic()
    returns text
    language sql
    stable
as $$
    select nullif(current_setting('realtime.topic', true), '')::text
$$;

-- Sends a broadcast message (here: stores it).
create or replace function realtime.send(
    payload jsonb,
    event   text,
    topic   text,
    private boolean default true
)
    returns void
    language plpgsql
as $$
begin
    begin
        insert into realtime.messages (payload, event, topic, private, extension)
        values (payload, event, topic, private, 'broadcast');
    exception when others then
        raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
    end;
end
$$;

-- Broadcasts a row change from a trigger (here: stores it).
create or replace function realtime.broadcast_changes(
    topic_name   text,
    event_name   text,
    operation    text,
    table_name   text,
    table_schema text,
    new          record,
    old          record,
    level        text default 'ROW'
)
    returns void
    language plpgsql
as $$
declare
    row_data jsonb := '{}'::jsonb;
begin
    if level = 'STATEMENT' then
        raise exception 'function can only be triggered for each row, not for each statement';
    end if;
    if operation in ('INSERT', 'UPDATE', 'DELETE') then
        row_data := jsonb_build_object(
            'old_record', case when operation in ('UPDATE', 'DELETE') then to_jsonb(old) end,
            'record',     case when operation in ('INSERT', 'UPDATE') then to_jsonb(new) end,
            'operation',  operation,
            'table',      table_name,
            'schema',     table_schema);
        perform realtime.send(row_data, event_name, topic_name);
    else
        raise exception 'Unexpected operation type: %', operation;
    end if;
end
$$;

alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages_default owner to supabase_realtime_admin;
alter table realtime.schema_migrations owner to supabase_realtime_admin;
grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;
grant all on realtime.schema_migrations to postgres, dashboard_user;
grant execute on function realtime.topic() to postgres, anon, authenticated, service_role;
