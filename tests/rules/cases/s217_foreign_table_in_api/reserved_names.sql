create extension postgres_fdw;
create server "Billing" foreign data wrapper postgres_fdw options (dbname 'billing');
create foreign table public."Invoice" (id bigint, "order" text) server "Billing";
create foreign table public."user" (id bigint) server "Billing";
revoke all on public."user" from anon;
revoke select on public."user" from authenticated;
-- not reported
create foreign table public.hidden (id bigint) server "Billing";
revoke all on public.hidden from anon, authenticated;
create schema remote;
create foreign table remote.invoices (id bigint) server "Billing";
