-- pgvet sandbox stand-in for pgmq 1.4.4, in SQL and PL/pgSQL only.
--
-- Queues work as in pgmq for what migrations and tests use: a queue is a table
-- pgmq.q_<name> with an archive pgmq.a_<name>; send, read (visibility timeout), pop,
-- archive, delete, purge, drop and list behave like the real functions. Partitioned and
-- unlogged queues are plain queues here.

create table pgmq.meta (
    queue_name     varchar unique not null,
    is_partitioned boolean not null default false,
    is_unlogged    boolean not null default false,
    created_at     timestamptz not null default now()
);

create type pgmq.message_record as (
    msg_id bigint, read_ct integer, enqueued_at timestamptz, vt timestamptz, message jsonb
);
create type pgmq.queue_record as (
    queue_name varchar, is_partitioned boolean, is_unlogged boolean, created_at timestamptz
);

create function pgmq.format_table_name(queue_name text, prefix text) returns text
    language plpgsql immutable
as $fn$
begin
    if queue_name !~ '^[a-zA-Z0-9_]+$' then
        raise exception 'queue name contains invalid characters: $, ;, --, or \''';
    end if;
    return lower(prefix || '_' || queue_name);
end
$fn$;

create function pgmq.create(queue_name text) returns void
    language plpgsql
as $fn$
declare
    q text := pgmq.format_table_name(queue_name, 'q');
    a text := pgmq.format_table_name(queue_name, 'a');
begin
    execute format('create table if not exists pgmq.%I (msg_id bigint primary key generated '
                   'always as identity, read_ct int not null default 0, enqueued_at timestamptz '
                   'not null default now(), vt timestamptz not null, message jsonb)', q);
    execute format('create table if not exists pgmq.%I (msg_id bigint primary key, read_ct int '
                   'not null default 0, enqueued_at timestamptz not null default now(), '
                   'archived_at timestamptz not null default now(), vt timestamptz not null, '
                   'message jsonb)', a);
    insert into pgmq.meta (queue_name) values (queue_name) on conflict do nothing;
end
$fn$;

create function pgmq.create_unlogged(queue_name text) returns void
    language sql as $fn$ select pgmq.create(queue_name) $fn$;

create function pgmq.create_partitioned(
    queue_name text, partition_interval text default '10000', retention_interval text default '100000'
) returns void
    language sql as $fn$ select pgmq.create(queue_name) $fn$;

create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
    returns setof bigint
    language plpgsql
as $fn$
begin
    return query execute format(
        'insert into pgmq.%I (vt, message) values (now() + make_interval(secs => $1), $2) '
        'returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msg;
end
$fn$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
    returns setof bigint
    language plpgsql
as $fn$
begin
    return query execute format(
        'insert into pgmq.%I (vt, message) select now() + make_interval(secs => $1), m '
        'from unnest($2) m returning msg_id', pgmq.format_table_name(queue_name, 'q'))
        using delay, msgs;
end
$fn$;

create function pgmq.read(queue_name text, vt integer, qty integer)
    returns setof pgmq.message_record
    language plpgsql
as $fn$
begin
    return query execute format(
        'with picked as (select msg_id from pgmq.%1$I where vt <= now() order by msg_id '
        'limit $2 for update skip locked) update pgmq.%1$I q set vt = now() + '
        'make_interval(secs => $1), read_ct = read_ct + 1 from picked where q.msg_id = '
        'picked.msg_id returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message',
        pgmq.format_table_name(queue_name, 'q')) using vt, qty;
end
$fn$;

create function pgmq.pop(queue_name text) returns setof pgmq.message_record
    language plpgsql
as $fn$
begin
    return query execute format(
        'with picked as (select msg_id from pgmq.%1$I where vt <= now() order by msg_id '
        'limit 1 for update skip locked) delete from pgmq.%1$I q using picked where '
        'q.msg_id = picked.msg_id returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message',
        pgmq.format_table_name(queue_name, 'q'));
end
$fn$;

create function pgmq.archive(queue_name text, msg_id bigint) returns boolean
    language plpgsql
as $fn$
declare
    moved int;
begin
    execute format(
        'with gone as (delete from pgmq.%I where msg_id = $1 returning *) insert into pgmq.%I '
        '(msg_id, read_ct, enqueued_at, vt, message) select msg_id, read_ct, enqueued_at, vt, '
        'message from gone', pgmq.format_table_name(queue_name, 'q'),
        pgmq.format_table_name(queue_name, 'a')) using msg_id;
    get diagnostics moved = row_count;
    return moved > 0;
end
$fn$;

create function pgmq.delete(queue_name text, msg_id bigint) returns boolean
    language plpgsql
as $fn$
declare
    removed int;
begin
    execute format('delete from pgmq.%I where msg_id = $1',
                   pgmq.format_table_name(queue_name, 'q')) using msg_id;
    get diagnostics removed = row_count;
    return removed > 0;
end
$fn$;

create function pgmq.purge_queue(queue_name text) returns bigint
    language plpgsql
as $fn$
declare
    removed bigint;
begin
    execute format('delete from pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
    get diagnostics removed = row_count;
    return removed;
end
$fn$;

create function pgmq.drop_queue(queue_name text) returns boolean
    language plpgsql
as $fn$
begin
    execute format('drop table if exists pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
    execute format('drop table if exists pgmq.%I', pgmq.format_table_name(queue_name, 'a'));
    delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
    return found;
end
$fn$;

create function pgmq.list_queues() returns setof pgmq.queue_record
    language sql
as $fn$ select queue_name, is_partitioned, is_unlogged, created_at from pgmq.meta $fn$;

grant usage on schema pgmq to public;
