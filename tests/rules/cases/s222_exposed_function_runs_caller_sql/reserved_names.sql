-- file: 20240101000000_console.sql
create function public."execSql"("queryParams" jsonb default '{}', "queryText" text default '')
  returns jsonb language plpgsql security definer
  as $$
declare
  result jsonb;
  processed text;
begin
  -- the caller's text, with :limit replaced
  processed := replace("queryText", ':limit', ("queryParams" ->> 'limit'));
  execute format('select jsonb_agg(row_to_json(t)) from (%s) t', processed) into result;
  return result;
end $$;
create function public."table"(tbl text) returns bigint
  language plpgsql security definer set search_path = ''
  as $$
declare n bigint;
begin
  execute 'select count(*) from public.' || tbl into n;
  return n;
end $$;
revoke execute on function public."table"(text) from public, anon;
-- file: 20240102000000_not_reported.sql
create function public.count_rows(tbl text) returns bigint
  language plpgsql security definer set search_path = ''
  as $$
declare n bigint;
begin
  execute format('select count(*) from public.%I', tbl) into n;
  return n;
end $$;
create function public.by_label(wanted text) returns bigint
  language plpgsql security definer set search_path = ''
  as $$
declare n bigint;
begin
  execute 'select count(*) from pg_class where relname = ' || quote_literal(wanted) into n;
  execute 'select count(*) from pg_class where relname = $1' into n using wanted;
  return n;
end $$;
create function public.service_sql(q text) returns void
  language plpgsql security definer set search_path = ''
  as $$ begin execute q; end $$;
revoke execute on function public.service_sql(text) from public, anon, authenticated;
create function public.invoker_sql(q text) returns void
  language plpgsql set search_path = ''
  as $$ begin execute q; end $$;
