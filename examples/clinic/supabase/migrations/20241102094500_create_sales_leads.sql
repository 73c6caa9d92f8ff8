-- =============================================================================
-- CRM: sales leads (from AI scan kiosks, LINE, Facebook ads, walk-ins)
-- =============================================================================

create type public.lead_status as enum (
  'new', 'contacted', 'qualified', 'proposal_sent', 'negotiation', 'won', 'lost'
);

create table if not exists public.sales_leads (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  sales_user_id uuid references public.users(id) on delete set null,
  full_name text not null,
  email text,
  phone text,
  line_id text,
  source text not null default 'walk_in'
    check (source in ('walk_in', 'facebook', 'line', 'instagram', 'website', 'referral', 'ai_scan')),
  status public.lead_status not null default 'new',
  score integer not null default 0 check (score between 0 and 100),
  estimated_value numeric(12, 2),
  skin_analysis_id uuid references public.skin_analyses(id) on delete set null,
  interested_services uuid[] not null default '{}',
  metadata jsonb not null default '{}'::jsonb,
  next_follow_up_at timestamptz,
  last_contacted_at timestamptz,
  converted_customer_id uuid,
  converted_at timestamptz,
  lost_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_sales_leads_clinic_id on public.sales_leads(clinic_id);
create index if not exists idx_sales_leads_created_at on public.sales_leads(created_at desc);

create trigger update_sales_leads_updated_at
  before update on public.sales_leads
  for each row execute function public.handle_updated_at();

alter table public.sales_leads enable row level security;

create policy "Sales staff can view own leads" on public.sales_leads
  for select using (sales_user_id = auth.uid());

create policy "Sales staff can create leads" on public.sales_leads
  for insert with check (sales_user_id = auth.uid());

create policy "Sales staff can update own leads" on public.sales_leads
  for update using (sales_user_id = auth.uid());

create policy "Clinic managers can view all clinic leads" on public.sales_leads
  for select using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'branch_manager')
    )
  );
