-- =============================================================================
-- Sales targets and commissions (monthly targets per sales person)
-- Policies use get_my_clinic_ids() and (select auth.uid()) - see Supabase RLS perf guide
-- =============================================================================

create table if not exists public.sales_targets (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  sales_user_id uuid not null references public.users(id) on delete cascade,
  period_start date not null,
  period_end date not null,
  target_amount numeric(12, 2) not null default 0,
  target_leads integer not null default 0,
  target_conversions integer not null default 0,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (sales_user_id, period_start),
  check (period_end >= period_start)
);

create index if not exists idx_sales_targets_clinic_period on public.sales_targets(clinic_id, period_start);

create table if not exists public.sales_commissions (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  sales_user_id uuid not null references public.users(id) on delete cascade,
  proposal_id uuid references public.sales_proposals(id) on delete set null,
  amount numeric(12, 2) not null,
  rate numeric(5, 2) not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'paid')),
  paid_at timestamptz,
  created_at timestamptz not null default now()
);

create index if not exists idx_sales_commissions_sales_user on public.sales_commissions(sales_user_id, created_at desc);

create trigger update_sales_targets_updated_at
  before update on public.sales_targets
  for each row execute function public.handle_updated_at();

alter table public.sales_targets enable row level security;
alter table public.sales_commissions enable row level security;

create policy "Clinic staff can view targets" on public.sales_targets
  for select to authenticated using (clinic_id in (select public.get_my_clinic_ids()));

create policy "Clinic admins can manage targets" on public.sales_targets
  for all to authenticated using (
    public.is_admin() and clinic_id in (select public.get_my_clinic_ids())
  );

create policy "Sales staff can view own commissions" on public.sales_commissions
  for select to authenticated using (sales_user_id = (select auth.uid()));

create policy "Clinic admins can manage commissions" on public.sales_commissions
  for all to authenticated using (
    public.is_admin() and clinic_id in (select public.get_my_clinic_ids())
  );
