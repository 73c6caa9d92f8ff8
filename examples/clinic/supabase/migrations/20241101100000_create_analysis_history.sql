-- analysis_history: what the customer / staff did with an analysis (viewed, compared, shared)

create table if not exists public.analysis_history (
  id uuid primary key default uuid_generate_v4(),
  user_id uuid not null references auth.users(id) on delete cascade,
  clinic_id uuid references public.clinics(id) on delete set null,
  skin_analysis_id uuid not null references public.skin_analyses(id) on delete cascade,
  compared_with_id uuid references public.skin_analyses(id) on delete set null,
  action text not null check (action in ('created', 'viewed', 'shared', 'compared', 'exported')),
  notes text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create index if not exists idx_analysis_history_user_created
  on public.analysis_history(user_id, created_at desc);
create index if not exists idx_analysis_history_skin_analysis_id
  on public.analysis_history(skin_analysis_id);

alter table public.analysis_history enable row level security;

create policy "Users can view own history" on public.analysis_history
  for select using (auth.uid() = user_id);

create policy "Users can insert own history" on public.analysis_history
  for insert with check (auth.uid() = user_id);

create policy "Clinic staff can view clinic history" on public.analysis_history
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
