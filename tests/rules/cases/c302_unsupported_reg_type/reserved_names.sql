create table public."Search" (id bigint primary key, "order" regconfig, handlers regprocedure[],
  ok_table regclass, ok_type regtype, ok_role regrole);
create table public.events (id bigint, fn regproc) partition by range (id);
create table public.events_1 partition of public.events for values from (0) to (100);
create materialized view public.dictionaries as
  select 'simple'::regdictionary as dict;
