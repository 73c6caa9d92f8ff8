create table public."Customer" (
  id uuid primary key default gen_random_uuid(),
  "order" jsonb not null default '[]'::jsonb
);
create view public.vip_customers with (security_invoker = true) as
  select id from public."Customer" where "order" @> '["vip"]'::jsonb;
