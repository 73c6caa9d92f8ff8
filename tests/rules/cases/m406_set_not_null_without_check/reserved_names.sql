-- file: 20240101000000_create_customer.sql
create table public."Customer" (
  id uuid primary key default gen_random_uuid(),
  "user" text
);
-- file: 20240301000000_customer_user_required.sql
alter table public."Customer" alter column "user" set not null;
