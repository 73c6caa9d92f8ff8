-- =============================================================================
-- Medical: history (one per customer), consent forms, prescriptions
-- =============================================================================

create table if not exists public.medical_histories (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null unique references public.customers(id) on delete cascade,
  conditions jsonb not null default '[]'::jsonb,
  allergies jsonb not null default '[]'::jsonb,
  medications jsonb not null default '[]'::jsonb,
  previous_treatments jsonb not null default '[]'::jsonb,
  is_pregnant boolean,
  smoker boolean,
  notes text,
  recorded_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.consent_forms (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  treatment_record_id uuid references public.treatment_records(id) on delete set null,
  form_type text not null check (form_type in ('treatment', 'photo', 'pdpa', 'anesthesia')),
  form_version text not null default 'v1',
  content_snapshot text not null,
  signature_path text,
  signed_at timestamptz,
  witness_id uuid references public.users(id) on delete set null,
  ip_address inet,
  created_at timestamptz not null default now()
);

create index if not exists idx_consent_forms_customer_id on public.consent_forms(customer_id);

create table if not exists public.prescriptions (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  doctor_id uuid not null references public.doctors(id) on delete restrict,
  treatment_record_id uuid references public.treatment_records(id) on delete set null,
  medication_name text not null,
  dosage text,
  frequency text,
  duration_days integer,
  instructions text,
  prescribed_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);

create index if not exists idx_prescriptions_customer_id on public.prescriptions(customer_id);

create trigger update_medical_histories_updated_at
  before update on public.medical_histories
  for each row execute function public.handle_updated_at();

alter table public.medical_histories enable row level security;
alter table public.consent_forms enable row level security;
alter table public.prescriptions enable row level security;

-- medical data: doctors, nurses and admins only (not sales, not reception)
create policy "Medical staff can manage medical histories" on public.medical_histories
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'doctor', 'nurse')
    )
  );

create policy "Customers can view own medical history" on public.medical_histories
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Clinic staff can manage consent forms" on public.consent_forms
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own consent forms" on public.consent_forms
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Medical staff can manage prescriptions" on public.prescriptions
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'doctor', 'nurse')
    )
  );

create policy "Customers can view own prescriptions" on public.prescriptions
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );
