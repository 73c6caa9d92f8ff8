-- pgvet sandbox stand-in for pgsql-http 1.6 (`http`), in SQL and PL/pgSQL only.
--
-- Same types and function signatures as the real extension, in the schema it is
-- created in. Faked: no request leaves the machine. Every call returns
--   (200, 'application/json', {Content-Type: application/json}, '{}')
-- (HEAD returns an empty body). The curl option functions accept and forget options.
-- urlencode(), text_to_bytea() and bytea_to_text() are real.

create domain @extschema@.http_method as text;

create domain @extschema@.content_type as text
    check (value ~ '^\S+\/\S+');

create type @extschema@.http_header as (
    field varchar,
    value varchar
);

create type @extschema@.http_response as (
    status       integer,
    content_type varchar,
    headers      @extschema@.http_header[],
    content      varchar
);

create type @extschema@.http_request as (
    method       @extschema@.http_method,
    uri          varchar,
    headers      @extschema@.http_header[],
    content_type varchar,
    content      varchar
);

create function @extschema@.http_set_curlopt(curlopt varchar, value varchar)
    returns boolean
    language sql
as $fn$ select true $fn$;

create function @extschema@.http_reset_curlopt()
    returns boolean
    language sql
as $fn$ select true $fn$;

create function @extschema@.http_list_curlopt()
    returns table (curlopt text, value text)
    language sql
as $fn$ select null::text, null::text where false $fn$;

create function @extschema@.http_header(field varchar, value varchar)
    returns @extschema@.http_header
    language sql
as $fn$ select $1, $2 $fn$;

-- The one place a request would be sent.
create function @extschema@.http(request @extschema@.http_request)
    returns @extschema@.http_response
    language plpgsql
as $fn$
begin
    if request.uri is null then
        raise exception 'http_request.uri is NULL';
    end if;
    return (
        200,
        'application/json',
        array[('Content-Type', 'application/json')::@extschema@.http_header],
        case when upper(coalesce(request.method, 'GET')) = 'HEAD' then '' else '{}' end
    )::@extschema@.http_response;
end
$fn$;

create function @extschema@.http_get(uri varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('GET', $1, null, null, null)::@extschema@.http_request) $fn$;

create function @extschema@.http_post(uri varchar, content varchar, content_type varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('POST', $1, null, $3, $2)::@extschema@.http_request) $fn$;

create function @extschema@.http_put(uri varchar, content varchar, content_type varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('PUT', $1, null, $3, $2)::@extschema@.http_request) $fn$;

create function @extschema@.http_patch(uri varchar, content varchar, content_type varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('PATCH', $1, null, $3, $2)::@extschema@.http_request) $fn$;

create function @extschema@.http_delete(uri varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('DELETE', $1, null, null, null)::@extschema@.http_request) $fn$;

create function @extschema@.http_delete(uri varchar, content varchar, content_type varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('DELETE', $1, null, $3, $2)::@extschema@.http_request) $fn$;

create function @extschema@.http_head(uri varchar)
    returns @extschema@.http_response
    language sql
as $fn$ select @extschema@.http(('HEAD', $1, null, null, null)::@extschema@.http_request) $fn$;

-- Percent-encoding as curl does it: all bytes but ALPHA / DIGIT / - . _ ~.
create function @extschema@.urlencode(string bytea)
    returns text
    language sql
    immutable strict
as $fn$
    select coalesce(string_agg(
               case when b between 48 and 57 or b between 65 and 90 or b between 97 and 122
                         or b in (45, 46, 95, 126)
                    then chr(b)
                    else '%' || upper(lpad(to_hex(b), 2, '0'))
               end, '' order by i), '')
    from (select $1 as s) src,
         lateral (select i, get_byte(src.s, i) as b
                    from generate_series(0, octet_length(src.s) - 1) as i) bytes
$fn$;

create function @extschema@.urlencode(string varchar)
    returns text
    language sql
    immutable strict
as $fn$ select @extschema@.urlencode(convert_to($1, 'UTF8')) $fn$;

create function @extschema@.urlencode(data jsonb)
    returns text
    language sql
    immutable strict
as $fn$
    select coalesce(string_agg(@extschema@.urlencode(convert_to(key, 'UTF8')) || '='
                               || @extschema@.urlencode(convert_to(value, 'UTF8')), '&'), '')
    from jsonb_each_text($1)
$fn$;

create function @extschema@.http_get(uri varchar, data jsonb)
    returns @extschema@.http_response
    language sql
as $fn$
    select @extschema@.http(('GET', $1 || '?' || @extschema@.urlencode($2), null, null, null)
                            ::@extschema@.http_request)
$fn$;

create function @extschema@.http_post(uri varchar, data jsonb)
    returns @extschema@.http_response
    language sql
as $fn$
    select @extschema@.http(('POST', $1, null, 'application/x-www-form-urlencoded',
                             @extschema@.urlencode($2))::@extschema@.http_request)
$fn$;

create function @extschema@.text_to_bytea(data text)
    returns bytea
    language sql
    immutable strict
as $fn$ select textsend($1) $fn$;

create function @extschema@.bytea_to_text(data bytea)
    returns text
    language sql
    immutable strict
as $fn$ select convert_from($1, current_setting('server_encoding')) $fn$;
