-- Audit trail of user actions (PDPA requirement: who looked at which customer record)

create table if not exists public.user_activity_log (
  user_id uuid references auth.users(id) on delete set null,
  clinic_id uuid references public.clinics(id) on delete set null,
  action text not null,
  entity_type text,
  entity_id uuid,
  details jsonb not null default '{}'::jsonb,
  ip_address inet,
  user_agent text,
  created_at timestamptz not null default now()
);

create index if not exists idx_user_activity_log_user_created
  on public.user_activity_log(user_id, created_at desc);
create index if not exists idx_user_activity_log_clinic_created
  on public.user_activity_log(clinic_id, created_at desc);

alter table public.user_activity_log enable row level security;

create policy "Users can view own activity" on public.user_activity_log
  for select using (user_id = auth.uid());

create policy "Users can log own activity" on public.user_activity_log
  for insert with check (user_id = auth.uid());

create policy "Clinic admins can view clinic activity" on public.user_activity_log
  for select using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role = 'clinic_admin'
    )
  );
