-- file: 20240101000000_orders.sql
create table public."Order" (
  id bigint generated always as identity primary key,
  "accountId" uuid not null,
  "user" text not null,
  "createdAt" timestamptz not null default now()
);
create index "Order_accountId_idx" on public."Order" ("accountId");
-- file: workload.sql
-- name: open_orders
select id, "createdAt" from public."Order"
 where "accountId" = %(account_id)s and "user" = 'open'
 order by "createdAt" desc limit 50;
