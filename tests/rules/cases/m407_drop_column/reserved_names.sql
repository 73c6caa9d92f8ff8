-- file: 20240101000000_create_customer.sql
create table public."Customer" (
  id uuid primary key default gen_random_uuid(),
  "customerCode" text,
  "user" text
);
-- file: 20240301000000_drop_user.sql
alter table public."Customer" drop column "user";
