create table public."Invoice" (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  "order" numeric not null
);
