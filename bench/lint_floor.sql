-- The floor of bench/lint.py: pgvet's catalog lints written the way Supabase's splinter
-- writes its lints (one SQL view per lint over pg_catalog, all of them read as one query),
-- run as one statement on the same database. Written for pgvet's bench, not copied from
-- splinter: the shapes (pg_indexes text compared without the index name, regular
-- expressions over pg_get_expr of the policies, pg_roles joined per policy role) are the
-- ones splinter uses. Scope: the schemas pgvet reviews (not pg_*, information_schema and the
-- Supabase-internal ones, passed as %(excluded)s).
with tab as (
    select c.oid, n.nspname as schema_, c.relname as name_, c.relkind, c.relrowsecurity
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    left join pg_catalog.pg_depend dep on dep.objid = c.oid and dep.deptype = 'e'
    where c.relkind in ('r', 'p', 'v', 'm')
      and not starts_with(n.nspname, 'pg_') and n.nspname <> 'information_schema'
      and n.nspname <> all(%(excluded)s::text[])
      and dep.objid is null
),
pol as (
    select t.oid as relid, t.schema_, t.name_, t.relrowsecurity, p.polname, p.polpermissive,
           p.polcmd,
           p.polroles,
           pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_catalog.pg_policy p
    join tab t on t.oid = p.polrelid
),
idx as (
    select t.schema_, t.name_, i.indexrelid, i.indrelid, i.indisvalid, i.indisprimary,
           i.indisunique, i.indpred is not null as partial,
           string_to_array(i.indkey::text, ' ')::smallint[] as keys,
           ic.relname as index_name,
           pg_catalog.pg_get_indexdef(i.indexrelid) as indexdef
    from pg_catalog.pg_index i
    join tab t on t.oid = i.indrelid
    join pg_catalog.pg_class ic on ic.oid = i.indexrelid
),
fk as (
    select t.schema_, t.name_, ct.conrelid, ct.conname, ct.conkey
    from pg_catalog.pg_constraint ct
    join tab t on t.oid = ct.conrelid
    where ct.contype = 'f'
)
-- I101 unindexed foreign key: no valid index leads with the key's columns
select 'unindexed_foreign_key' as lint, fk.schema_, fk.name_, fk.conname::text as object_
from fk
where not exists (
    select 1 from idx
    where idx.indrelid = fk.conrelid and idx.indisvalid and not idx.partial
      and idx.keys[1:cardinality(fk.conkey)] @> fk.conkey
      and idx.keys[1:cardinality(fk.conkey)] <@ fk.conkey
)
union all
-- I102 duplicate index: same definition but for the name
select 'duplicate_index', schema_, name_, string_agg(index_name, ', ' order by index_name)
from idx
group by schema_, name_, replace(indexdef, index_name::text, '')
having count(*) > 1
union all
-- I103 redundant index: its keys lead a wider index of the same table
select 'redundant_index', a.schema_, a.name_, a.index_name::text
from idx a
join idx b on b.indrelid = a.indrelid and b.indexrelid <> a.indexrelid
where not a.indisunique and not a.partial and not b.partial
  and cardinality(a.keys) < cardinality(b.keys)
  and b.keys[1:cardinality(a.keys)] = a.keys
  and 0 <> all(a.keys)
union all
-- I108 invalid index
select 'invalid_index', schema_, name_, index_name::text from idx where not indisvalid
union all
-- C301 no primary key
select 'no_primary_key', t.schema_, t.name_, t.name_::text
from tab t
where t.relkind in ('r', 'p')
  and not exists (select 1 from pg_catalog.pg_index i where i.indrelid = t.oid and i.indisprimary)
union all
-- S201 RLS disabled in public
select 'rls_disabled_in_public', t.schema_, t.name_, t.name_::text
from tab t
where t.relkind in ('r', 'p') and t.schema_ = 'public' and not t.relrowsecurity
union all
-- S202 policy exists, RLS disabled
select 'policy_exists_rls_disabled', schema_, name_, string_agg(polname, ', ')
from pol where not relrowsecurity group by schema_, name_
union all
-- S203 RLS enabled, no policy
select 'rls_enabled_no_policy', t.schema_, t.name_, t.name_::text
from tab t
where t.relkind in ('r', 'p') and t.relrowsecurity
  and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = t.oid)
union all
-- S205 auth function per row: auth.<fn>() not wrapped in a sub-select
select 'auth_rls_initplan', schema_, name_, polname::text
from pol
where relrowsecurity and (
    (qual ~ 'auth\.(uid|jwt|role|email)\(\)'
     and lower(qual) !~ 'select\s+auth\.(uid|jwt|role|email)\(\)')
    or (with_check ~ 'auth\.(uid|jwt|role|email)\(\)'
        and lower(with_check) !~ 'select\s+auth\.(uid|jwt|role|email)\(\)'))
union all
-- S206 multiple permissive policies for one role and action
select 'multiple_permissive_policies', p.schema_, p.name_,
       r.rolname || ' ' || act.cmd || ': ' || string_agg(p.polname, ', ' order by p.polname)
from pol p
join pg_catalog.pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::oid]
cross join lateral unnest(case p.polcmd
        when 'r' then array['SELECT'] when 'a' then array['INSERT']
        when 'w' then array['UPDATE'] when 'd' then array['DELETE']
        else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) as act(cmd)
where p.polpermissive and r.rolname not like 'pg\_%%' and not r.rolbypassrls
group by p.schema_, p.name_, r.rolname, act.cmd
having count(*) > 1
union all
-- S207 permissive policy using (true)
select 'rls_policy_always_true', schema_, name_, polname::text
from pol
where polpermissive and polcmd <> 'r' and (qual = 'true' or with_check = 'true')
union all
-- S208 policy trusts user_metadata
select 'rls_references_user_metadata', schema_, name_, polname::text
from pol
where qual ~ 'user_metadata' or with_check ~ 'user_metadata'
union all
-- S209 uuid compared as text
select 'uuid_compared_as_text', schema_, name_, polname::text
from pol
where qual ~ '\)::text\s*=' or with_check ~ '\)::text\s*='
union all
-- S210 SECURITY DEFINER function without a fixed search_path
select 'security_definer_search_path', n.nspname, p.proname,
       p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
left join pg_catalog.pg_depend dep on dep.objid = p.oid and dep.deptype = 'e'
where p.prosecdef and dep.objid is null
  and not starts_with(n.nspname, 'pg_') and n.nspname <> 'information_schema'
  and n.nspname <> all(%(excluded)s::text[])
  and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) s
                  where s like 'search_path=%%')
union all
-- S211 view without security_invoker (a security definer view) in an exposed schema
select 'security_definer_view', t.schema_, t.name_, t.name_::text
from tab t
join pg_catalog.pg_class c on c.oid = t.oid
where t.relkind = 'v' and t.schema_ = 'public'
  and not coalesce(c.reloptions @> array['security_invoker=true']
                   or c.reloptions @> array['security_invoker=on'], false)
union all
-- I106 jsonb column a policy filters with @> or ? and no GIN index covers
select 'jsonb_without_gin', j.schema_, j.name_, j.attname::text
from (
    select distinct t.oid, t.schema_, t.name_, a.attnum, a.attname
    from tab t
    join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attnum > 0
         and not a.attisdropped and a.atttypid = 'pg_catalog.jsonb'::pg_catalog.regtype
    join pol on pol.relid = t.oid
    where t.relkind in ('r', 'p') and pol.qual ~ (a.attname || '\s*(@>|\?)')
) as j
left join (
    select distinct idx.indrelid, k.attnum
    from idx cross join lateral unnest(idx.keys) as k(attnum)
    where idx.indexdef ~ 'USING gin'
) as g on g.indrelid = j.oid and g.attnum = j.attnum
where g.indrelid is null
