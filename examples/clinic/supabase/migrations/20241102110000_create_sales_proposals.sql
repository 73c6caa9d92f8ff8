-- =============================================================================
-- CRM: proposals (quotations) and the sales activity timeline
-- =============================================================================

create table if not exists public.sales_proposals (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  lead_id uuid references public.sales_leads(id) on delete set null,
  customer_id uuid references public.customers(id) on delete set null,
  sales_user_id uuid references public.users(id) on delete set null,
  proposal_number text not null,
  title text not null,
  status text not null default 'draft'
    check (status in ('draft', 'sent', 'viewed', 'accepted', 'rejected', 'expired')),
  subtotal numeric(12, 2) not null default 0,
  discount_amount numeric(12, 2) not null default 0,
  total_amount numeric(12, 2) not null default 0,
  valid_until date,
  sent_at timestamptz,
  viewed_at timestamptz,
  accepted_at timestamptz,
  terms text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (clinic_id, proposal_number)
);

create table if not exists public.proposal_items (
  id uuid primary key default uuid_generate_v4(),
  proposal_id uuid not null references public.sales_proposals(id) on delete cascade,
  service_id uuid references public.services(id) on delete set null,
  description text not null,
  quantity integer not null default 1 check (quantity > 0),
  unit_price numeric(12, 2) not null default 0,
  discount_percent numeric(5, 2) not null default 0 check (discount_percent between 0 and 100),
  line_total numeric(12, 2) generated always as
    (round(quantity * unit_price * (1 - discount_percent / 100), 2)) stored,
  created_at timestamptz not null default now()
);

create index if not exists idx_proposal_items_proposal_id on public.proposal_items(proposal_id);

create table if not exists public.sales_activities (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  lead_id uuid references public.sales_leads(id) on delete cascade,
  sales_user_id uuid references public.users(id) on delete set null,
  activity_type text not null
    check (activity_type in ('call', 'line_message', 'email', 'meeting', 'note', 'status_change')),
  subject text,
  description text,
  outcome text,
  scheduled_at timestamptz,
  completed_at timestamptz,
  duration_minutes integer,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create index if not exists idx_sales_activities_lead_id on public.sales_activities(lead_id);

create trigger update_sales_proposals_updated_at
  before update on public.sales_proposals
  for each row execute function public.handle_updated_at();

alter table public.sales_proposals enable row level security;
alter table public.proposal_items enable row level security;
alter table public.sales_activities enable row level security;

create policy "Clinic staff can view proposals" on public.sales_proposals
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Sales staff can manage own proposals" on public.sales_proposals
  for all using (sales_user_id = auth.uid());

create policy "Clinic staff can view proposal items" on public.proposal_items
  for select using (
    exists (
      select 1 from public.sales_proposals p
      where p.id = proposal_items.proposal_id
        and p.clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
    )
  );

create policy "Sales staff can manage proposal items" on public.proposal_items
  for all using (
    exists (
      select 1 from public.sales_proposals p
      where p.id = proposal_items.proposal_id and p.sales_user_id = auth.uid()
    )
  );

create policy "Clinic staff can view activities" on public.sales_activities
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Sales staff can log activities" on public.sales_activities
  for insert with check (sales_user_id = auth.uid());
