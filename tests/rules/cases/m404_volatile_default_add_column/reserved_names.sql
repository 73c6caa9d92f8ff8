-- file: 20240101000000_create_order.sql
create table public."Order" (
  id bigint generated always as identity primary key,
  "user" uuid not null
);
-- file: 20240301000000_order_public_id.sql
alter table public."Order" add column "publicId" uuid not null default gen_random_uuid();
