-- A file that fails (a column that does not exist, on a table with a reserved-word name),
-- with --keep-going the later file still applies: one finding, at the failing line.
-- file: 20240101000000_create_order.sql
create table public."Order" (id bigint primary key, "user" uuid not null);
-- file: 20240201000000_index_order.sql
-- expect: this file fails

create index "idx_Order_group" on public."Order" ("group");
-- file: 20240301000000_create_select.sql
create table public."select" (id bigint primary key);
