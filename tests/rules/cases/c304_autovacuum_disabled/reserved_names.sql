create table public."Event" (id bigint primary key) with (autovacuum_enabled = off);
create table public."order" (id bigint primary key);
alter table public."order" set (autovacuum_enabled = 'false', fillfactor = 90);
create materialized view public.totals with (autovacuum_enabled = false) as select 1 as n;
-- not reported
create table public.tuned (id bigint) with (autovacuum_enabled = true);
create table public.log (id bigint) with (autovacuum_vacuum_scale_factor = 0.01);
create table public.parts (id bigint) partition by range (id);
