-- Promo codes and their redemptions

create table if not exists public.promo_codes (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  campaign_id uuid references public.marketing_campaigns(id) on delete set null,
  code text not null,
  description text,
  discount_type text not null default 'percentage'
    check (discount_type in ('percentage', 'fixed_amount', 'free_service')),
  discount_value numeric(12, 2) not null check (discount_value >= 0),
  min_purchase_amount numeric(12, 2) not null default 0,
  max_discount_amount numeric(12, 2),
  usage_limit integer,
  usage_count integer not null default 0,
  per_customer_limit integer not null default 1,
  applicable_services uuid[] not null default '{}',
  conditions jsonb not null default '{}'::jsonb,
  valid_from timestamptz not null default now(),
  valid_until timestamptz,
  is_active boolean not null default true,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (clinic_id, code)
);

create index if not exists idx_promo_codes_code on public.promo_codes(code);
create index if not exists idx_promo_codes_campaign_id on public.promo_codes(campaign_id);
create index if not exists idx_promo_codes_validity on public.promo_codes(valid_from, valid_until);
create index if not exists idx_promo_codes_active_until on public.promo_codes(valid_until) where is_active;

create table if not exists public.promo_code_usages (
  id uuid primary key default uuid_generate_v4(),
  promo_code_id uuid not null references public.promo_codes(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  booking_id uuid,
  discount_amount numeric(12, 2) not null default 0,
  used_at timestamptz not null default now()
);

create index if not exists idx_promo_code_usages_promo_code_id on public.promo_code_usages(promo_code_id);

create trigger update_promo_codes_updated_at
  before update on public.promo_codes
  for each row execute function public.handle_updated_at();

alter table public.promo_codes enable row level security;
alter table public.promo_code_usages enable row level security;

create policy "Clinic staff can manage promo codes" on public.promo_codes
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view active promo codes" on public.promo_codes
  for select to authenticated using (is_active = true and (valid_until is null or valid_until > now()));

create policy "Clinic staff can view promo usages" on public.promo_code_usages
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own promo usages" on public.promo_code_usages
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );
