-- pgvet sandbox stand-in for pg_net 0.19, in SQL and PL/pgSQL only.
--
-- Same schema (`net`), tables, types and function signatures as the real extension.
-- Faked: there is no background worker and no network access. Each net.http_get /
-- net.http_post / net.http_delete call is recorded in net.http_request_queue (where the
-- real worker would pick it up) and answered at once with a fake `200 {}` row in
-- net._http_response, so code that collects responses sees a success.

create schema net;

create domain net.http_method as text
    check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

-- Requests, as queued for the (absent) worker.
create unlogged table net.http_request_queue (
    id                   bigserial,
    method               net.http_method not null,
    url                  text not null,
    headers              jsonb,
    body                 bytea,
    timeout_milliseconds integer not null
);

-- Responses, by request id.
create unlogged table net._http_response (
    id           bigint,
    status_code  integer,
    content_type text,
    headers      jsonb,
    content      text,
    timed_out    boolean,
    error_msg    text,
    created      timestamptz not null default now()
);
create index on net._http_response (created);

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
    status_code integer,
    headers     jsonb,
    body        text
);

create type net.http_response_result as (
    status   net.request_status,
    message  text,
    response net.http_response
);

-- ---------------------------------------------------------------------------------
-- Worker control: no worker in the sandbox, so these succeed without doing anything.
-- ---------------------------------------------------------------------------------
create function net.check_worker_is_up()
    returns void
    language plpgsql
as $fn$
begin
end
$fn$;

create function net.worker_restart()
    returns boolean
    language sql
as $fn$ select true $fn$;

create function net.wait_until_running()
    returns void
    language plpgsql
as $fn$
begin
end
$fn$;

create function net.wake()
    returns void
    language plpgsql
as $fn$
begin
end
$fn$;

-- ---------------------------------------------------------------------------------
-- URL helpers (percent-encoding as curl does it: all but ALPHA / DIGIT / - . _ ~).
-- ---------------------------------------------------------------------------------
create function net._urlencode_string(string varchar)
    returns text
    language sql
    immutable
as $fn$
    select coalesce(string_agg(
               case when b between 48 and 57 or b between 65 and 90 or b between 97 and 122
                         or b in (45, 46, 95, 126)
                    then chr(b)
                    else '%' || upper(lpad(to_hex(b), 2, '0'))
               end, '' order by i), '')
    from (select convert_to(string, 'UTF8') as s) src,
         lateral (select i, get_byte(src.s, i) as b
                    from generate_series(0, octet_length(src.s) - 1) as i) bytes
$fn$;

create function net._encode_url_with_params_array(url text, params_array text[])
    returns text
    language sql
    immutable
as $fn$
    select case
               when coalesce(array_length(params_array, 1), 0) = 0 then url
               else url || case when strpos(url, '?') > 0 then '&' else '?' end
                        || array_to_string(params_array, '&')
           end
$fn$;

-- Records a request and its fake response; returns the request id.
create function net._pgvet_record(
    method  text,
    url     text,
    params  jsonb,
    headers jsonb,
    body    bytea,
    timeout_milliseconds integer
)
    returns bigint
    language plpgsql
as $fn$
declare
    request_id bigint;
    params_array text[];
begin
    select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
      into params_array
      from jsonb_each_text(coalesce(params, '{}'::jsonb));

    insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    values (method, net._encode_url_with_params_array(url, params_array), headers, body,
            timeout_milliseconds)
    returning id into request_id;

    insert into net._http_response (id, status_code, content_type, headers, content, timed_out)
    values (request_id, 200, 'application/json', '{"Content-Type": "application/json"}', '{}', false);

    return request_id;
end
$fn$;

-- ---------------------------------------------------------------------------------
-- Public API
-- ---------------------------------------------------------------------------------
create function net.http_get(
    url                  text,
    params               jsonb default '{}'::jsonb,
    headers              jsonb default '{}'::jsonb,
    timeout_milliseconds integer default 5000
)
    returns bigint
    language plpgsql
as $fn$
begin
    return net._pgvet_record('GET', url, params, headers, null, timeout_milliseconds);
end
$fn$;

create function net.http_post(
    url                  text,
    body                 jsonb default '{}'::jsonb,
    params               jsonb default '{}'::jsonb,
    headers              jsonb default '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds integer default 5000
)
    returns bigint
    language plpgsql
as $fn$
declare
    content_type text;
begin
    select header_value into content_type
      from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as r(header_name, header_value)
     where lower(header_name) = 'content-type'
     limit 1;

    if content_type is null then
        headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
    elsif content_type <> 'application/json' then
        raise exception 'Content-Type header must be "application/json"';
    end if;

    return net._pgvet_record('POST', url, params, headers, convert_to(body::text, 'UTF8'),
                             timeout_milliseconds);
end
$fn$;

create function net.http_delete(
    url                  text,
    params               jsonb default '{}'::jsonb,
    headers              jsonb default '{}'::jsonb,
    timeout_milliseconds integer default 5000,
    body                 jsonb default null
)
    returns bigint
    language plpgsql
as $fn$
begin
    return net._pgvet_record('DELETE', url, params, headers, convert_to(body::text, 'UTF8'),
                             timeout_milliseconds);
end
$fn$;

create function net._await_response(request_id bigint)
    returns boolean
    language plpgsql
as $fn$
begin
    -- Responses are written together with the request, so there is nothing to wait for.
    return exists (select from net._http_response r where r.id = request_id);
end
$fn$;

create function net._http_collect_response(request_id bigint, async boolean default true)
    returns net.http_response_result
    language plpgsql
as $fn$
declare
    rec net._http_response;
begin
    select * into rec from net._http_response r where r.id = request_id;
    if rec is null or rec.error_msg is not null then
        return ('ERROR', coalesce(rec.error_msg, 'request matching request_id not found'), null)
            ::net.http_response_result;
    end if;
    return ('SUCCESS', 'ok', (rec.status_code, rec.headers, rec.content)::net.http_response)
        ::net.http_response_result;
end
$fn$;

create function net.http_collect_response(request_id bigint, async boolean default true)
    returns net.http_response_result
    language plpgsql
as $fn$
begin
    raise notice 'The net.http_collect_response function is deprecated.';
    return net._http_collect_response(request_id, async);
end
$fn$;

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
