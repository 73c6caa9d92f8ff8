-- pgvet sandbox stand-in for Supabase's index_advisor 0.2.0, written for pgvet.
--
-- Same signature and method as the real extension: plan the query generically, add a
-- hypothetical single-column btree index (hypopg) on every column of a user table that has
-- no single-column index yet, plan again, and report the hypothetical indexes the new plan
-- uses with the costs before and after. Works for real where the server has the real
-- hypopg; with pgvet's hypopg stand-in the planner cannot see hypothetical indexes, so no
-- index is proposed and `errors` says why.

create function @extschema@.index_advisor(query text)
    returns table (
        startup_cost_before jsonb,
        startup_cost_after jsonb,
        total_cost_before jsonb,
        total_cost_after jsonb,
        index_statements text[],
        errors text[]
    )
    language plpgsql
    volatile
as $fn$
declare
    hypo text := (select extnamespace::regnamespace::text from pg_catalog.pg_extension
                  where extname = 'hypopg');
    stand_in boolean;
    stmt constant text := 'pgvet_index_advisor_statement';
    n_params int;
    explain_sql text;
    plan_before jsonb;
    plan_after jsonb;
    made oid[] := '{}';
    used text[];
    candidate record;
    hypothetical oid;
begin
    stand_in := exists (select from pg_catalog.pg_class
                        where relname = 'pgvet_hypothetical_indexes'
                          and relnamespace = hypo::regnamespace);
    -- comments often hold semicolons; one statement only
    query := regexp_replace(query, '/\*.*?\*/', ' ', 'g');
    query := regexp_replace(query, '--[^\r\n]*', ' ', 'g');
    query := regexp_replace(btrim(query), ';\s*$', '');
    if strpos(query, ';') > 0 then
        return query select null::jsonb, null::jsonb, null::jsonb, null::jsonb,
                            '{}'::text[], array['Query must not contain a semicolon'];
        return;
    end if;

    if exists (select from pg_catalog.pg_prepared_statements where name = stmt) then
        execute format('deallocate %I', stmt);
    end if;
    execute format('prepare %I as %s', stmt, query);
    select coalesce(cardinality(parameter_types), 0) into n_params
    from pg_catalog.pg_prepared_statements where name = stmt;
    explain_sql := format(
        'explain (format json) execute %I%s', stmt,
        case when n_params = 0 then ''
             else '(' || array_to_string(array_fill('null'::text, array[n_params]), ',') || ')'
        end);
    perform pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true);
    execute explain_sql into plan_before;

    for candidate in
        select n.nspname, c.relname, a.attname
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0
                                      and not a.attisdropped
        where c.relkind in ('r', 'm')
          and c.relpersistence = 'p'
          and n.nspname not in ('pg_catalog', 'pg_toast', 'information_schema')
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_catalog.pg_class'::regclass
                            and d.objid = c.oid and d.deptype = 'e')
          and not exists (select from pg_catalog.pg_index i
                          where i.indrelid = c.oid and i.indnatts = 1
                            and i.indkey[0] = a.attnum
                            and i.indexprs is null and i.indpred is null)
          and exists (select from pg_catalog.pg_opclass oc
                      join pg_catalog.pg_am am on am.oid = oc.opcmethod
                      where am.amname = 'btree' and oc.opcdefault
                        and oc.opcintype = a.atttypid)
    loop
        execute format('select indexrelid from %I.hypopg_create_index($q$%s$q$)', hypo,
                       format('create index on %I.%I (%I)', candidate.nspname,
                              candidate.relname, candidate.attname))
            into hypothetical;
        made := made || hypothetical;
    end loop;

    -- a prepared statement keeps its plan: prepare it again to see the new indexes
    execute format('deallocate %I', stmt);
    execute format('prepare %I as %s', stmt, query);
    execute explain_sql into plan_after;
    execute format('deallocate %I', stmt);

    execute format(
        'select coalesce(array_agg(%1$I.hypopg_get_indexdef(h.indexrelid) order by h.indexrelid),'
        ' ''{}'') from %1$I.hypopg() h where h.indexrelid = any($1) and strpos($2, h.indexname) > 0',
        hypo) into used using made, plan_after::text;
    execute format('select %I.hypopg_drop_index(x) from unnest($1) x', hypo) using made;

    return query select plan_before -> 0 -> 'Plan' -> 'Startup Cost',
                        plan_after -> 0 -> 'Plan' -> 'Startup Cost',
                        plan_before -> 0 -> 'Plan' -> 'Total Cost',
                        plan_after -> 0 -> 'Plan' -> 'Total Cost',
                        used,
                        case when stand_in then array['hypopg is a pgvet stand-in on this '
                            'server: hypothetical indexes cannot change the plan']
                             else '{}'::text[] end;
end
$fn$;
