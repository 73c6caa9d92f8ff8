-- file: 20240101000000_create_service.sql
create table public."Service" (
  id bigint generated always as identity primary key,
  "user" varchar(100) not null,
  "order" integer not null
);
-- file: 20240301000000_service_order_numeric.sql
alter table public."Service" alter column "order" type numeric(12, 2);
