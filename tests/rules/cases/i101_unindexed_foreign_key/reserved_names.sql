create table public.users (id uuid primary key default gen_random_uuid());
create table public."Order" (id uuid primary key default gen_random_uuid());
create table public.order_items (
  id uuid primary key default gen_random_uuid(),
  "order" uuid not null references public."Order" (id),
  "user" uuid references public.users (id),
  "clinicId" uuid references public.users (id)
);
