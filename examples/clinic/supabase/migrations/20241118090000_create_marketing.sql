-- =============================================================================
-- Marketing: customer segments, campaigns, campaign recipients
-- =============================================================================

create table if not exists public.customer_segments (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  name text not null,
  description text,
  criteria jsonb not null default '{}'::jsonb,  -- matched against customers.preferences / tags
  is_dynamic boolean not null default true,
  customer_count integer not null default 0,
  last_computed_at timestamptz,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (clinic_id, name)
);

create table if not exists public.marketing_campaigns (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  segment_id uuid references public.customer_segments(id) on delete set null,
  name text not null,
  description text,
  campaign_type text not null default 'line'
    check (campaign_type in ('email', 'sms', 'line', 'push', 'social')),
  status text not null default 'draft'
    check (status in ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
  target_criteria jsonb not null default '{}'::jsonb,
  content jsonb not null default '{}'::jsonb,
  budget numeric(12, 2),
  spent numeric(12, 2) not null default 0,
  starts_at timestamptz,
  ends_at timestamptz,
  sent_count integer not null default 0,
  open_count integer not null default 0,
  click_count integer not null default 0,
  conversion_count integer not null default 0,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_marketing_campaigns_clinic_id on public.marketing_campaigns(clinic_id);
create index if not exists idx_marketing_campaigns_status on public.marketing_campaigns(status);
create index if not exists idx_marketing_campaigns_dates on public.marketing_campaigns(starts_at, ends_at);
create index if not exists idx_marketing_campaigns_segment_id on public.marketing_campaigns(segment_id);

create table if not exists public.campaign_recipients (
  id uuid primary key default uuid_generate_v4(),
  campaign_id uuid not null references public.marketing_campaigns(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  channel text not null default 'line',
  status text not null default 'pending'
    check (status in ('pending', 'sent', 'delivered', 'opened', 'clicked', 'converted', 'failed', 'unsubscribed')),
  sent_at timestamptz,
  opened_at timestamptz,
  clicked_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  unique (campaign_id, customer_id)
);

create trigger update_customer_segments_updated_at
  before update on public.customer_segments
  for each row execute function public.handle_updated_at();

create trigger update_marketing_campaigns_updated_at
  before update on public.marketing_campaigns
  for each row execute function public.handle_updated_at();

alter table public.customer_segments enable row level security;
alter table public.marketing_campaigns enable row level security;
alter table public.campaign_recipients enable row level security;

create policy "Clinic staff can manage segments" on public.customer_segments
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage campaigns" on public.marketing_campaigns
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can view campaign recipients" on public.campaign_recipients
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
