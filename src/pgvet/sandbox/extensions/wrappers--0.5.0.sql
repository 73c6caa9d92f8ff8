-- pgvet sandbox stand-in for Supabase Wrappers 0.5, without its Rust module.
--
-- Creates, in the schema the extension is created in, the handler, validator and meta
-- functions of each wrapper, so that migrations can run
--   create foreign data wrapper stripe_wrapper handler stripe_fdw_handler validator stripe_fdw_validator;
--   create server ... foreign data wrapper stripe_wrapper options (...);
--   create foreign table ... server ... options (...);
-- as on Supabase, and the wrappers_fdw_stats table.
-- Faked:
--   * validators accept any options (the real ones check option names);
--   * an FDW handler must return the internal fdw_handler type, which SQL functions
--     cannot; each handler is therefore bound to PostgreSQL's built-in fdw_handler_in,
--     which only raises "cannot accept a value of type fdw_handler". Reading or writing
--     a foreign table fails with that error; nothing is ever fetched. (This is why the
--     stand-in needs superuser: LANGUAGE internal.)

create table @extschema@.wrappers_fdw_stats (
    fdw_name     text not null primary key,
    create_times bigint,
    rows_in      bigint,
    rows_out     bigint,
    bytes_in     bigint,
    bytes_out    bigint,
    metadata     jsonb,
    created_at   timestamptz not null default timezone('utc'::text, now()),
    updated_at   timestamptz not null default timezone('utc'::text, now())
);
comment on table @extschema@.wrappers_fdw_stats is 'Wrappers Foreign Data Wrapper statistics';

do $wrappers$
declare
    w record;
begin
    for w in
        select * from (values
            ('airtable',     'Airtable'),
            ('auth0',        'Auth0'),
            ('big_query',    'BigQuery'),
            ('clickhouse',   'ClickHouse'),
            ('cognito',      'Cognito'),
            ('duckdb',       'DuckDB'),
            ('firebase',     'Firebase'),
            ('hello_world',  'HelloWorld'),
            ('iceberg',      'Iceberg'),
            ('logflare',     'Logflare'),
            ('mssql',        'Mssql'),
            ('redis',        'Redis'),
            ('s3',           'S3'),
            ('stripe',       'Stripe'),
            ('wasm',         'Wasm')
        ) as v(prefix, product)
    loop
        execute format($f$
            create function @extschema@.%1$I() returns fdw_handler
                language internal strict as 'fdw_handler_in'
        $f$, w.prefix || '_fdw_handler');

        execute format($f$
            create function @extschema@.%1$I(options text[], catalog oid) returns void
                language plpgsql as 'begin end'
        $f$, w.prefix || '_fdw_validator');

        execute format($f$
            create function @extschema@.%1$I()
                returns table (name text, version text, author text, website text)
                language sql as $body$
                    select %2$L::text, '0.5.0'::text, 'Supabase'::text,
                           'https://github.com/supabase/wrappers'::text
                $body$
        $f$, w.prefix || '_fdw_meta', w.product || 'Fdw');
    end loop;
end
$wrappers$;
