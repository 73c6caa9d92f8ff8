-- pgvet sandbox stand-in for pg_jsonschema 0.3.3 (a Rust extension). Same functions, so
-- CHECK constraints that call them replay; they accept every document, so rows the real
-- extension would refuse are accepted here (pgvet reviews the schema, not the data).

create function @extschema@.json_matches_schema(schema json, instance json) returns boolean
    language sql immutable strict parallel safe
as $fn$ select true $fn$;

create function @extschema@.jsonb_matches_schema(schema json, instance jsonb) returns boolean
    language sql immutable strict parallel safe
as $fn$ select true $fn$;

create function @extschema@.jsonschema_is_valid(schema json) returns boolean
    language sql immutable strict parallel safe
as $fn$ select true $fn$;

create function @extschema@.jsonschema_validation_errors(schema json, instance json)
    returns text[]
    language sql immutable strict parallel safe
as $fn$ select '{}'::text[] $fn$;
