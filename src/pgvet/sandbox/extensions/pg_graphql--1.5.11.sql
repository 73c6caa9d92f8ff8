-- pgvet sandbox stand-in for pg_graphql 1.5, in SQL and PL/pgSQL only.
--
-- Same schema (`graphql`) and public function signatures as the real extension, so that
-- graphql_public.graphql(), comment directives and code calling graphql.resolve() replay.
-- Faked: no GraphQL schema is reflected and no query is executed; graphql.resolve()
-- answers every request with a GraphQL error saying so.

create function graphql.resolve(
    query           text,
    variables       jsonb default '{}',
    "operationName" text default null,
    extensions      jsonb default null
)
    returns jsonb
    language sql
    volatile
as $fn$
    select jsonb_build_object(
        'data', null,
        'errors', jsonb_build_array(jsonb_build_object(
            'message', 'pg_graphql is a pgvet sandbox stand-in: queries are not executed')))
$fn$;

-- Parses an @graphql({...}) directive out of a comment.
create function graphql.comment_directive(comment_ text)
    returns jsonb
    language sql
    immutable
as $fn$
    select (regexp_match(comment_, '@graphql\((.+)\)'))[1]::jsonb
$fn$;

create function graphql.exception(message text)
    returns text
    language plpgsql
as $fn$
begin
    raise exception using errcode = '22000', message = message;
end
$fn$;

create sequence graphql.seq_schema_version as integer cycle;

create function graphql.get_schema_version()
    returns integer
    language sql
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
    select last_value from graphql.seq_schema_version
$fn$;

create function graphql.increment_schema_version()
    returns event_trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as $fn$
begin
    perform pg_catalog.nextval('graphql.seq_schema_version');
end
$fn$;

grant usage on schema graphql to public;
grant execute on function graphql.resolve(text, jsonb, text, jsonb) to public;
grant select on graphql.seq_schema_version to public;
