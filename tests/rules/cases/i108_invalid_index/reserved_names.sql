-- file: 20240101000000_order.sql
create table public."Order" (id uuid primary key, "user" uuid not null);
insert into public."Order" (id, "user") values
  ('00000000-0000-4000-8000-000000000001', '6f1c9d4e-0000-4000-8000-000000000001'),
  ('00000000-0000-4000-8000-000000000002', '6f1c9d4e-0000-4000-8000-000000000001');
-- file: 20240102000000_one_order_per_user.sql
-- expect: this file fails (the user has two orders), leaving the index invalid
create unique index concurrently "Order_user_key" on public."Order" ("user");
-- file: 20240103000000_dedupe_orders.sql
delete from public."Order" where id = '00000000-0000-4000-8000-000000000002';
