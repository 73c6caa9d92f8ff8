-- =============================================================================
-- Content: generated PDF/PPTX reports and in-clinic presentation sessions
-- (sales staff present the AI analysis to the customer on an iPad)
-- =============================================================================

create table if not exists public.generated_reports (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  user_id uuid references public.users(id) on delete set null,
  customer_id uuid references public.customers(id) on delete cascade,
  skin_analysis_id uuid references public.skin_analyses(id) on delete set null,
  report_type text not null
    check (report_type in ('skin_analysis', 'treatment_summary', 'sales', 'monthly')),
  title text not null,
  format text not null default 'pdf' check (format in ('pdf', 'pptx', 'html')),
  storage_path text,
  parameters jsonb not null default '{}'::jsonb,
  status text not null default 'queued' check (status in ('queued', 'generating', 'ready', 'failed')),
  generated_at timestamptz,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists idx_generated_reports_clinic_id on public.generated_reports(clinic_id);

create table if not exists public.presentation_sessions (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  sales_user_id uuid references public.users(id) on delete set null,
  customer_id uuid references public.customers(id) on delete set null,
  lead_id uuid references public.sales_leads(id) on delete set null,
  skin_analysis_id uuid references public.skin_analyses(id) on delete set null,
  proposal_id uuid references public.sales_proposals(id) on delete set null,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  duration_seconds integer,
  slides_viewed jsonb not null default '[]'::jsonb,
  outcome text check (outcome in ('interested', 'booked', 'follow_up', 'not_interested')),
  notes text,
  created_at timestamptz not null default now()
);

create index if not exists idx_presentation_sessions_clinic_started
  on public.presentation_sessions(clinic_id, started_at desc);

create trigger update_generated_reports_updated_at
  before update on public.generated_reports
  for each row execute function public.handle_updated_at();

alter table public.generated_reports enable row level security;
alter table public.presentation_sessions enable row level security;

create policy "Clinic staff can manage reports" on public.generated_reports
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Users can view own reports" on public.generated_reports
  for select using (user_id = auth.uid());

create policy "Clinic staff can manage presentation sessions" on public.presentation_sessions
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
