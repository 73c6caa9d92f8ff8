-- file: 20240101000000_create_tables.sql
create table public."User" (id uuid primary key default gen_random_uuid());
create table public."Order" (
  id bigint generated always as identity primary key,
  "user" uuid not null
);
-- file: 20240301000000_order_user_fk.sql
alter table public."Order"
  add constraint "Order_user_fkey"
  foreign key ("user") references public."User" (id);
