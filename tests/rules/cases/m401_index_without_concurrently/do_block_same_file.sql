-- A table created inside a DO block earlier in the same file is new and empty when the
-- index is built: no finding. The table created by the earlier file is reported, with
-- where it was created.
-- file: 20240101000000_create_order.sql
create table public."Order" (id bigint primary key, "user" uuid not null);
-- file: 20240201000000_guarded_tables.sql
do $$
begin
  if not exists (select 1 from pg_class where relname = 'select') then
    create table public."select" (id bigint primary key, "group" text not null);
  end if;
end
$$;
create index "idx_select_group" on public."select" ("group");
create index "idx_Order_user" on public."Order" ("user");
-- file: 20240301000000_repeat_order.sql
-- the table exists (first file): this `if not exists` is skipped and the index locks it
create table if not exists public."Order" (id bigint primary key, "user" uuid not null);
create index "idx_Order_id_user" on public."Order" (id, "user");
