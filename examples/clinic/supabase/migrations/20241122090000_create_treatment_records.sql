-- =============================================================================
-- Treatment: plans (multi-session courses) and the record of every treatment done
-- =============================================================================

create table if not exists public.treatment_plans (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  doctor_id uuid references public.doctors(id) on delete set null,
  skin_analysis_id uuid references public.skin_analyses(id) on delete set null,
  title text not null,
  goals text,
  status text not null default 'draft'
    check (status in ('draft', 'active', 'completed', 'cancelled')),
  total_sessions integer not null default 1,
  completed_sessions integer not null default 0,
  estimated_cost numeric(12, 2),
  start_date date,
  end_date date,
  plan_details jsonb not null default '{}'::jsonb,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_treatment_plans_customer_id on public.treatment_plans(customer_id);

create table if not exists public.treatment_records (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  customer_id uuid not null references public.customers(id) on delete cascade,
  doctor_id uuid references public.doctors(id) on delete set null,
  appointment_id uuid references public.appointments(id) on delete set null,
  treatment_plan_id uuid references public.treatment_plans(id) on delete set null,
  service_id uuid references public.services(id) on delete set null,
  treatment_date timestamptz not null default now(),
  treatment_type text not null,
  area_treated text[] not null default '{}',
  products_used jsonb not null default '[]'::jsonb,
  settings jsonb not null default '{}'::jsonb,   -- machine settings (laser energy, pulses...)
  notes text,
  complications text,
  pain_level smallint check (pain_level between 0 and 10),
  satisfaction_score smallint check (satisfaction_score between 1 and 5),
  follow_up_date date,
  status text not null default 'completed'
    check (status in ('scheduled', 'in_progress', 'completed', 'cancelled')),
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_treatment_records_clinic_date on public.treatment_records(clinic_id, treatment_date desc);
create index if not exists idx_treatment_records_customer_id on public.treatment_records(customer_id);
create index if not exists idx_treatment_records_doctor_id on public.treatment_records(doctor_id);
create index if not exists idx_treatment_records_branch_id on public.treatment_records(branch_id);
create index if not exists idx_treatment_records_appointment_id on public.treatment_records(appointment_id);
create index if not exists idx_treatment_records_plan_id on public.treatment_records(treatment_plan_id);
create index if not exists idx_treatment_records_service_id on public.treatment_records(service_id);

create trigger update_treatment_plans_updated_at
  before update on public.treatment_plans
  for each row execute function public.handle_updated_at();

create trigger update_treatment_records_updated_at
  before update on public.treatment_records
  for each row execute function public.handle_updated_at();

alter table public.treatment_plans enable row level security;
alter table public.treatment_records enable row level security;

create policy "Clinic staff can manage treatment plans" on public.treatment_plans
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own treatment plans" on public.treatment_plans
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Clinic staff can manage treatment records" on public.treatment_records
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own treatment records" on public.treatment_records
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );
