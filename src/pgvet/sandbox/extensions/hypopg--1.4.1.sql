-- pgvet sandbox stand-in for hypopg 1.4.1, in SQL only.
--
-- The real hypopg (a C extension; Debian's postgresql-15-hypopg) makes the planner see
-- indexes that do not exist. Without it, migrations that create the extension or call its
-- functions must still replay: same function signatures, hypothetical indexes recorded in
-- a table, but the planner never uses them (index_advisor then proposes nothing and says
-- why). Where the real hypopg is installed, pgvet uses it instead of this file.

create table @extschema@.pgvet_hypothetical_indexes (
    indexrelid  oid primary key,
    indexname   text not null,
    nspname     name not null,
    relname     name not null,
    amname      name not null default 'btree',
    definition  text not null,
    hidden      boolean not null default false
);
create sequence @extschema@.pgvet_hypothetical_oid start 13000 minvalue 13000 maxvalue 16383 cycle;

create function @extschema@.hypopg_create_index(sql_order text, out indexrelid oid, out indexname text)
    returns setof record
    language plpgsql
    strict
as $fn$
declare
    m text[] := regexp_match(
        sql_order,
        'create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?(?:\S+\s+)?on\s+(?:only\s+)?([\w."]+)',
        'i');
    target regclass;
begin
    if m is null then
        raise exception 'hypopg: SQL order #1 is not a CREATE INDEX statement';
    end if;
    target := m[1]::regclass;
    indexrelid := nextval('@extschema@.pgvet_hypothetical_oid')::oid;
    indexname := format('<%s>btree_%s', indexrelid, (select relname from pg_catalog.pg_class where oid = target));
    insert into @extschema@.pgvet_hypothetical_indexes (indexrelid, indexname, nspname, relname, definition)
    select indexrelid, indexname, n.nspname, c.relname, sql_order
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.oid = target;
    return next;
end
$fn$;

create function @extschema@.hypopg(out indexname text, out indexrelid oid, out indrelid oid,
    out innatts integer, out indisunique boolean, out indkey int2vector, out indcollation oidvector,
    out indclass oidvector, out indoption oidvector, out indexprs pg_node_tree,
    out indpred pg_node_tree, out amid oid)
    returns setof record
    language sql
as $fn$
    select h.indexname, h.indexrelid, format('%I.%I', h.nspname, h.relname)::regclass::oid,
           0, false, null::int2vector, null::oidvector, null::oidvector, null::oidvector,
           null::pg_node_tree, null::pg_node_tree,
           (select oid from pg_catalog.pg_am where amname = h.amname)
    from @extschema@.pgvet_hypothetical_indexes h
$fn$;

create view @extschema@.hypopg_list_indexes as
    select h.indexrelid, h.indexname as index_name, h.nspname as schema_name,
           h.relname as table_name, h.amname as am_name
    from @extschema@.pgvet_hypothetical_indexes h;

create function @extschema@.hypopg_get_indexdef(indexid oid) returns text
    language sql strict
as $fn$
    select definition from @extschema@.pgvet_hypothetical_indexes where indexrelid = indexid
$fn$;

create function @extschema@.hypopg_relation_size(indexid oid) returns bigint
    language sql strict
as $fn$ select 8192::bigint where exists (
    select from @extschema@.pgvet_hypothetical_indexes where indexrelid = indexid) $fn$;

create function @extschema@.hypopg_drop_index(indexid oid) returns boolean
    language plpgsql strict
as $fn$
begin
    delete from @extschema@.pgvet_hypothetical_indexes where indexrelid = indexid;
    return found;
end
$fn$;

create function @extschema@.hypopg_reset() returns void
    language sql
as $fn$ delete from @extschema@.pgvet_hypothetical_indexes $fn$;

create function @extschema@.hypopg_reset_index() returns void
    language sql
as $fn$ delete from @extschema@.pgvet_hypothetical_indexes $fn$;

create function @extschema@.hypopg_hide_index(indexid oid) returns boolean
    language sql strict
as $fn$ select exists (select from pg_catalog.pg_index where indexrelid = indexid) $fn$;

create function @extschema@.hypopg_unhide_index(indexid oid) returns boolean
    language sql strict
as $fn$ select exists (select from pg_catalog.pg_index where indexrelid = indexid) $fn$;

create function @extschema@.hypopg_unhide_all_indexes() returns void
    language sql
as $fn$ select $fn$;

create function @extschema@.hypopg_hidden_indexes() returns table (indexid oid)
    language sql
as $fn$ select null::oid where false $fn$;
