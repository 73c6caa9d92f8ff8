-- file: 20240101000000_queues.sql
create extension pgmq;
select pgmq.create('order');
select pgmq.create('jobs');
select pgmq.create('audit');
grant select, insert, update, delete on pgmq."q_order" to anon, authenticated;
grant select on pgmq.q_jobs to authenticated;
-- not reported: RLS on, no API privileges
alter table pgmq.q_jobs enable row level security;
-- file: 20240102000000_expose.sql
create schema pgmq_public;
grant usage on schema pgmq_public to anon, authenticated;
