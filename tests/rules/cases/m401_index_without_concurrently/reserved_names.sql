-- file: 20240101000000_create_order.sql
create table public."Order" (
  id bigint generated always as identity primary key,
  "user" uuid not null
);
-- file: 20240301000000_index_order.sql
create index "Order_user_idx" on public."Order" ("user");
