-- file: 20240101000000_create_order.sql
create table public."Order" (
  id bigint generated always as identity primary key,
  "user" uuid not null
);
-- file: 20240301000000_order_status.sql
alter table public."Order" add column "order" text not null default 'pending';
create index concurrently "Order_order_idx" on public."Order" ("order");
