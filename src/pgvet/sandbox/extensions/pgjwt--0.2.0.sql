-- pgvet sandbox stand-in for pgjwt 0.2.0, in SQL and PL/pgSQL only.
--
-- Same functions and signatures as the real extension, and real values: tokens are
-- HS256/HS384/HS512 JWTs signed with pgcrypto's hmac() (the real one, or pgvet's
-- stand-in where the server lacks pgcrypto), so they verify anywhere. Nothing is faked.
-- Unlike the real script, hmac() is found through pgcrypto's actual schema (pinned with
-- SET search_path) instead of assuming pgcrypto sits in the same schema.

create function @extschema@.url_encode(data bytea)
    returns text
    language sql
    immutable
as $fn$
    select translate(encode(data, 'base64'), E'+/=\n', '-_')
$fn$;

create function @extschema@.url_decode(data text)
    returns bytea
    language sql
    immutable
as $fn$
    select decode(t || repeat('=', (4 - length(t) % 4) % 4), 'base64')
    from (select translate(data, '-_', '+/') as t) s
$fn$;

create function @extschema@.algorithm_sign(signables text, secret text, algorithm text)
    returns text
    language sql
    immutable
as $fn$
    select @extschema@.url_encode(hmac(signables, secret, alg))
    from (select case algorithm
                     when 'HS256' then 'sha256'
                     when 'HS384' then 'sha384'
                     when 'HS512' then 'sha512'
                     else ''                       -- hmac() rejects it
                 end as alg) a
$fn$;

create function @extschema@.sign(payload json, secret text, algorithm text default 'HS256')
    returns text
    language sql
    immutable
as $fn$
    select signables || '.' || @extschema@.algorithm_sign(signables, secret, algorithm)
    from (select @extschema@.url_encode(convert_to('{"alg":"' || algorithm || '","typ":"JWT"}', 'utf8'))
                 || '.' || @extschema@.url_encode(convert_to(payload::text, 'utf8')) as signables) s
$fn$;

create function @extschema@.try_cast_double(inp text)
    returns double precision
    language plpgsql
    immutable
as $fn$
begin
    begin
        return inp::double precision;
    exception when others then
        return null;
    end;
end
$fn$;

create function @extschema@.verify(token text, secret text, algorithm text default 'HS256')
    returns table (header json, payload json, valid boolean)
    language sql
    immutable
as $fn$
    select jwt.header,
           jwt.payload,
           jwt.signature_ok and tstzrange(
               to_timestamp(@extschema@.try_cast_double(jwt.payload ->> 'nbf')),
               to_timestamp(@extschema@.try_cast_double(jwt.payload ->> 'exp'))
           ) @> current_timestamp
    from (select convert_from(@extschema@.url_decode(r[1]), 'utf8')::json as header,
                 convert_from(@extschema@.url_decode(r[2]), 'utf8')::json as payload,
                 r[3] = @extschema@.algorithm_sign(r[1] || '.' || r[2], secret, algorithm) as signature_ok
          from regexp_split_to_array(token, '\.') as r) jwt
$fn$;

-- hmac() lives wherever pgcrypto was installed.
do $pin$
declare
    crypto_schema text := (select extnamespace::regnamespace::text
                             from pg_catalog.pg_extension where extname = 'pgcrypto');
begin
    execute format('alter function @extschema@.algorithm_sign(text, text, text) set search_path = %s, pg_catalog',
                   crypto_schema);
end
$pin$;
