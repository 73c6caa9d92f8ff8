-- pgvet sandbox stand-in for pg_hashids 1.3 (a C extension). Same functions; the ids are
-- reversible (id_decode(id_encode(n)) = {n}) but not the strings the real hashids
-- algorithm makes, so no test should compare them with fixed values.

create function @extschema@.id_encode(number bigint) returns text
    language sql immutable strict
as $fn$ select 'h' || to_hex(number) $fn$;

create function @extschema@.id_encode(number bigint, salt text) returns text
    language sql immutable strict
as $fn$ select 'h' || to_hex(number) $fn$;

create function @extschema@.id_encode(number bigint, salt text, min_length integer) returns text
    language sql immutable strict
as $fn$ select lpad('h' || to_hex(number), min_length, '0') $fn$;

create function @extschema@.id_encode(number bigint, salt text, min_length integer, alphabet text)
    returns text
    language sql immutable strict
as $fn$ select lpad('h' || to_hex(number), min_length, '0') $fn$;

create function @extschema@.id_encode(numbers bigint[]) returns text
    language sql immutable strict
as $fn$ select string_agg('h' || to_hex(n), '-') from unnest(numbers) n $fn$;

create function @extschema@.id_decode(id text) returns bigint[]
    language sql immutable strict
as $fn$
    select array_agg(('x' || lpad(ltrim(substr(part, strpos(part, 'h') + 1), '0'), 16, '0'))::bit(64)::bigint)
    from unnest(string_to_array(id, '-')) part
$fn$;

create function @extschema@.id_decode(id text, salt text) returns bigint[]
    language sql immutable strict
as $fn$ select @extschema@.id_decode(id) $fn$;

create function @extschema@.id_decode(id text, salt text, min_length integer) returns bigint[]
    language sql immutable strict
as $fn$ select @extschema@.id_decode(id) $fn$;

create function @extschema@.id_decode_once(id text) returns bigint
    language sql immutable strict
as $fn$ select (@extschema@.id_decode(id))[1] $fn$;
