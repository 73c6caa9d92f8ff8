-- =============================================================================
-- Loyalty program: tiers, points ledger, referrals
-- =============================================================================

create table if not exists public.loyalty_tiers (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  name text not null,
  min_points integer not null default 0,
  point_multiplier numeric(4, 2) not null default 1.00,
  benefits jsonb not null default '[]'::jsonb,
  color text,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (clinic_id, name)
);

create table if not exists public.loyalty_points (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  transaction_type text not null
    check (transaction_type in ('earn', 'redeem', 'expire', 'adjust', 'bonus')),
  points integer not null,
  balance_after integer not null,
  reference_type text,
  reference_id uuid,
  description text,
  expires_at timestamptz,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now()
);

create index if not exists idx_loyalty_points_customer_created
  on public.loyalty_points(customer_id, created_at desc);

create table if not exists public.referrals (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  referrer_customer_id uuid not null references public.customers(id) on delete cascade,
  referred_customer_id uuid references public.customers(id) on delete set null,
  referral_code text not null,
  status text not null default 'pending'
    check (status in ('pending', 'completed', 'rewarded', 'expired')),
  reward_points integer not null default 0,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  unique (clinic_id, referral_code)
);

create trigger update_loyalty_tiers_updated_at
  before update on public.loyalty_tiers
  for each row execute function public.handle_updated_at();

alter table public.loyalty_tiers enable row level security;
alter table public.loyalty_points enable row level security;
alter table public.referrals enable row level security;

create policy "Anyone can view loyalty tiers" on public.loyalty_tiers
  for select using (true);

create policy "Clinic admins can manage loyalty tiers" on public.loyalty_tiers
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role = 'clinic_admin'
    )
  );

create policy "Clinic staff can manage loyalty points" on public.loyalty_points
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own points" on public.loyalty_points
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Clinic staff can manage referrals" on public.referrals
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
