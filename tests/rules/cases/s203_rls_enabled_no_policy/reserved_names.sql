create table public."Invoice" (id bigint primary key, "order" numeric);
alter table public."Invoice" enable row level security;
