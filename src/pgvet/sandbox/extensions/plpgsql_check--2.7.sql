-- pgvet sandbox stand-in for plpgsql_check 2.7 (the real one is a C extension; Debian
-- packages it as postgresql-15-plpgsql-check, which pgvet uses where installed).
-- Same entry points, so migrations and tests that call them replay; they report nothing
-- and say so in a notice.

create function @extschema@.plpgsql_check_function(
    funcoid regprocedure, relid regclass default 0, format text default 'text',
    fatal_errors boolean default true, other_warnings boolean default true,
    performance_warnings boolean default false, extra_warnings boolean default true,
    security_warnings boolean default false, compatibility_warnings boolean default false,
    oldtable name default null, newtable name default null, anyelememttype regtype default 'int',
    anyenumtype regtype default '-', anyrangetype regtype default 'int4range',
    anycompatibletype regtype default 'int', anycompatiblerangetype regtype default 'int4range',
    without_warnings boolean default false, all_warnings boolean default false,
    use_incomment_options boolean default true, incomment_options_usage_warning boolean default false,
    constant_tracing boolean default true
) returns setof text
    language plpgsql
as $fn$
begin
    raise notice 'plpgsql_check is a pgvet sandbox stand-in here: % was not checked', funcoid;
end
$fn$;

create function @extschema@.plpgsql_check_function_tb(
    funcoid regprocedure, relid regclass default 0,
    out functionid regproc, out lineno int, out statement text, out sqlstate text,
    out message text, out detail text, out hint text, out level text, out "position" int,
    out query text, out context text
) returns setof record
    language plpgsql
as $fn$
begin
    raise notice 'plpgsql_check is a pgvet sandbox stand-in here: % was not checked', funcoid;
end
$fn$;
