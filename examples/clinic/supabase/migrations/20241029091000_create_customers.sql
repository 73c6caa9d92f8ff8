-- =============================================================================
-- customers: the clinic's patients / clients (CRM master record)
-- user_id links to auth.users when the customer has the mobile app
-- =============================================================================

create table if not exists public.customers (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  user_id uuid references auth.users(id) on delete set null,
  customer_code text,
  legacy_hn text,  -- hospital number from the old clinic software
  full_name text not null,
  nickname text,
  email text,
  phone text,
  line_id text,
  date_of_birth date,
  gender text check (gender in ('female', 'male', 'other', 'unspecified')),
  skin_type text check (skin_type in ('dry', 'oily', 'combination', 'normal', 'sensitive')),
  tags jsonb not null default '[]'::jsonb,
  preferences jsonb not null default '{}'::jsonb,
  allergies text[] not null default '{}',
  source text default 'walk_in'
    check (source in ('walk_in', 'facebook', 'line', 'instagram', 'website', 'referral', 'ai_scan')),
  assigned_sales_id uuid references public.users(id) on delete set null,
  total_spent numeric(12, 2) not null default 0,
  visit_count integer not null default 0,
  last_visit_at timestamptz,
  marketing_consent boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (clinic_id, customer_code)
);

create index if not exists idx_customers_user_id on public.customers(user_id);
create index if not exists idx_customers_phone on public.customers(phone);
create index if not exists idx_customers_full_name_trgm
  on public.customers using gin (full_name extensions.gin_trgm_ops);

create trigger update_customers_updated_at
  before update on public.customers
  for each row execute function public.handle_updated_at();

alter table public.customers enable row level security;

create policy "Clinic staff can view customers" on public.customers
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage customers" on public.customers
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own record" on public.customers
  for select using (user_id = auth.uid());
