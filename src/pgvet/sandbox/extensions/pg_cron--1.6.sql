-- pgvet sandbox stand-in for pg_cron 1.6, in SQL and PL/pgSQL only.
--
-- The functions that write cron.job run as the extension's owner (as the real C functions
-- bypass privileges) and record the calling session's user, as pg_cron records its caller.
-- Same schema (`cron`), tables and function signatures as the real extension, and the
-- same checks: the extension can only be created in the database named by
-- cron.database_name (default `postgres`), schedules must parse, job names are unique
-- per user. Faked: there is no background worker, so scheduled jobs never run and
-- cron.job_run_details stays empty; cron.job is the record of what was scheduled.

do $check$
declare
    valid_databases text[] := string_to_array(
        coalesce(nullif(current_setting('cron.database_name', true), ''), 'postgres'), ',');
begin
    if not current_database() = any (valid_databases) then
        raise exception 'can only create extension in database %', array_to_string(valid_databases, ',')
            using detail = 'Jobs must be scheduled from the database configured in '
                           'cron.database_name, since the pg_cron background worker '
                           'reads job descriptions from this database.',
                  hint = format('Add cron.database_name = ''%s'' in postgresql.conf '
                                'to use the current database.', current_database());
    end if;
end
$check$;

create schema cron;

create sequence cron.jobid_seq;
create table cron.job (
    jobid    bigint primary key default nextval('cron.jobid_seq'),
    schedule text not null,
    command  text not null,
    nodename text not null default 'localhost',
    nodeport integer not null default inet_server_port(),
    database text not null default current_database(),
    username text not null default current_user,
    active   boolean not null default true,
    jobname  text,
    constraint jobname_username_uniq unique (jobname, username)
);
alter sequence cron.jobid_seq owned by cron.job.jobid;
grant select on cron.job to public;
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username = current_user);

create sequence cron.runid_seq;
create table cron.job_run_details (
    jobid          bigint,
    runid          bigint primary key default nextval('cron.runid_seq'),
    job_pid        integer,
    database       text,
    username       text,
    command        text,
    status         text,
    return_message text,
    start_time     timestamptz,
    end_time       timestamptz
);
alter sequence cron.runid_seq owned by cron.job_run_details.runid;
grant select on cron.job_run_details to public;
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username = current_user);

select pg_catalog.pg_extension_config_dump('cron.job', '');
select pg_catalog.pg_extension_config_dump('cron.jobid_seq', '');
select pg_catalog.pg_extension_config_dump('cron.job_run_details', '');
select pg_catalog.pg_extension_config_dump('cron.runid_seq', '');

-- Raises like pg_cron when a schedule is neither a 5-field cron expression, an
-- interval in seconds ('30 seconds') nor a @-shortcut.
create function cron._pgvet_check_schedule(schedule text)
    returns void
    language plpgsql
    immutable
as $fn$
declare
    s text := btrim(schedule);
begin
    if s ~* '^@(yearly|annually|monthly|weekly|daily|hourly|reboot)$'
       or s ~* '^([1-9]|[1-5][0-9]) seconds?$'
       or s ~ '^[0-9A-Za-z*/,?#-]+(\s+[0-9A-Za-z*/,?#-]+){4}$' then
        return;
    end if;
    raise exception 'invalid schedule: %', schedule
        using hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
end
$fn$;

create function cron.schedule_in_database(
    job_name text,
    schedule text,
    command  text,
    database text,
    username text default null,
    active   boolean default 'true'
)
    returns bigint
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
declare
    job_id bigint;
    owner  text := coalesce(username, session_user);
begin
    if job_name is null or schedule is null or command is null or database is null then
        raise exception 'job_name, schedule, command and database must not be null';
    end if;
    perform cron._pgvet_check_schedule(schedule);

    update cron.job j
       set schedule = schedule_in_database.schedule,
           command = schedule_in_database.command,
           database = schedule_in_database.database,
           active = coalesce(schedule_in_database.active, true)
     where j.jobname = job_name and j.username = owner
    returning j.jobid into job_id;

    if job_id is null then
        insert into cron.job (schedule, command, nodename, nodeport, database, username, active, jobname)
        values (schedule, command, 'localhost', current_setting('port')::integer, database, owner,
                coalesce(active, true), job_name)
        returning jobid into job_id;
    end if;
    return job_id;
end
$fn$;

create function cron.schedule(job_name text, schedule text, command text)
    returns bigint
    language sql
as $fn$
    select cron.schedule_in_database(job_name, schedule, command, current_database())
$fn$;
comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule(schedule text, command text)
    returns bigint
    language plpgsql
    strict
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
declare
    job_id bigint;
begin
    perform cron._pgvet_check_schedule(schedule);
    insert into cron.job (schedule, command, nodename, nodeport, database, username)
    values (schedule, command, 'localhost', current_setting('port')::integer, current_database(),
            session_user)
    returning jobid into job_id;
    return job_id;
end
$fn$;
comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.unschedule(job_id bigint)
    returns boolean
    language plpgsql
    strict
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
begin
    delete from cron.job j where j.jobid = job_id and j.username = session_user;
    if not found then
        raise exception 'could not find valid entry for job %', job_id;
    end if;
    return true;
end
$fn$;
comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text)
    returns boolean
    language plpgsql
    strict
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
begin
    delete from cron.job j where j.jobname = job_name and j.username = session_user;
    if not found then
        raise exception 'could not find valid entry for job ''%''', job_name;
    end if;
    return true;
end
$fn$;
comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(
    job_id   bigint,
    schedule text default null,
    command  text default null,
    database text default null,
    username text default null,
    active   boolean default null
)
    returns void
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
begin
    if schedule is not null then
        perform cron._pgvet_check_schedule(schedule);
    end if;
    update cron.job j
       set schedule = coalesce(alter_job.schedule, j.schedule),
           command = coalesce(alter_job.command, j.command),
           database = coalesce(alter_job.database, j.database),
           username = coalesce(alter_job.username, j.username),
           active = coalesce(alter_job.active, j.active)
     where j.jobid = job_id;
    if not found then
        raise exception 'could not find valid entry for job %', job_id;
    end if;
end
$fn$;
comment on function cron.alter_job(bigint, text, text, text, text, boolean) is
    'Alter the job identified by job_id. Any option left as NULL will not be modified.';

create function cron.job_cache_invalidate()
    returns trigger
    language plpgsql
as $fn$
begin
    return null;
end
$fn$;
comment on function cron.job_cache_invalidate() is 'invalidate job cache';

create trigger cron_job_cache_invalidate
    after insert or update or delete or truncate on cron.job
    for statement execute function cron.job_cache_invalidate();
