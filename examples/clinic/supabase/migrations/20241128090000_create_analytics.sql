-- =============================================================================
-- Analytics: product events, performance metrics, error logs, daily clinic stats
-- =============================================================================

create table if not exists public.analytics_events (
  id bigint generated always as identity primary key,
  clinic_id uuid references public.clinics(id) on delete set null,
  user_id uuid references auth.users(id) on delete set null,
  session_id text,
  event_name text not null,
  event_category text,
  properties jsonb not null default '{}'::jsonb,
  page_path text,
  referrer text,
  device_type text,
  ip_address inet,
  user_agent text,
  created_at timestamptz not null default now()
);

create index if not exists idx_analytics_events_clinic_created on public.analytics_events(clinic_id, created_at desc);
create index if not exists idx_analytics_events_event_name on public.analytics_events(event_name);

create table if not exists public.performance_metrics (
  id bigint generated always as identity primary key,
  clinic_id uuid references public.clinics(id) on delete set null,
  metric_name text not null,
  metric_value numeric not null,
  unit text,
  tags jsonb not null default '{}'::jsonb,
  recorded_at timestamptz not null default now()
);

create index if not exists idx_performance_metrics_name_recorded
  on public.performance_metrics(metric_name, recorded_at desc);

create table if not exists public.error_logs (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid references public.clinics(id) on delete set null,
  user_id uuid references auth.users(id) on delete set null,
  severity text not null default 'error' check (severity in ('debug', 'info', 'warning', 'error', 'fatal')),
  error_code text,
  message text not null,
  stack_trace text,
  context jsonb not null default '{}'::jsonb,
  url text,
  resolved boolean not null default false,
  created_at timestamptz not null default now()
);

create index if not exists idx_error_logs_created_at on public.error_logs(created_at desc);

create table if not exists public.clinic_daily_stats (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete cascade,
  stat_date date not null,
  bookings_count integer not null default 0,
  completed_treatments integer not null default 0,
  new_customers integer not null default 0,
  new_leads integer not null default 0,
  analyses_count integer not null default 0,
  revenue numeric(14, 2) not null default 0,
  created_at timestamptz not null default now(),
  unique (clinic_id, branch_id, stat_date)
);

alter table public.analytics_events enable row level security;
alter table public.performance_metrics enable row level security;
alter table public.error_logs enable row level security;
alter table public.clinic_daily_stats enable row level security;

create policy "Users can insert own events" on public.analytics_events
  for insert to authenticated with check (user_id = auth.uid());

create policy "Clinic admins can view events" on public.analytics_events
  for select using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role = 'clinic_admin'
    )
  );

create policy "Super admins can view metrics" on public.performance_metrics
  for select using (public.is_super_admin());

create policy "Super admins can view error logs" on public.error_logs
  for select using (public.is_super_admin());

create policy "Clinic staff can view daily stats" on public.clinic_daily_stats
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
