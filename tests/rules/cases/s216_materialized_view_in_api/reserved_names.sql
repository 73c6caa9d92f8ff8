create table public."Order" (id bigint primary key, "ownerId" uuid, total numeric);
alter table public."Order" enable row level security;
create materialized view public."OrderTotals" as
  select "ownerId", sum(total) as total from public."Order" group by "ownerId";
-- a storage table is protected by its policies
create materialized view public."select" as
  select bucket_id, count(*) as files from storage.objects group by bucket_id;
-- not reported: its source is open to the same roles already
create table public.tags (id bigint primary key, label text);
create materialized view public.tag_labels as select distinct label from public.tags;
-- not reported: the API roles may not select it
create materialized view public.private_totals as select sum(total) from public."Order";
revoke all on public.private_totals from anon, authenticated;
