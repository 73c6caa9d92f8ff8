-- =============================================================================
-- Treatment photos (before/after), outcomes, products used per treatment
-- =============================================================================

create table if not exists public.treatment_photos (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  treatment_record_id uuid not null references public.treatment_records(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  photo_type text not null check (photo_type in ('before', 'after', 'during', 'progress')),
  storage_path text not null,
  angle text check (angle in ('front', 'left', 'right', 'closeup')),
  taken_at timestamptz not null default now(),
  ai_annotations jsonb not null default '{}'::jsonb,
  is_consented boolean not null default false,
  uploaded_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_treatment_photos_customer_id on public.treatment_photos(customer_id);

create table if not exists public.treatment_outcomes (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  treatment_record_id uuid not null references public.treatment_records(id) on delete cascade,
  assessed_by uuid references public.users(id) on delete set null,
  assessment_date date not null default current_date,
  improvement_score smallint check (improvement_score between 0 and 100),
  before_analysis_id uuid references public.skin_analyses(id) on delete set null,
  after_analysis_id uuid references public.skin_analyses(id) on delete set null,
  metrics jsonb not null default '{}'::jsonb,
  customer_feedback text,
  created_at timestamptz not null default now()
);

create index if not exists idx_treatment_outcomes_record_id on public.treatment_outcomes(treatment_record_id);

create table if not exists public.treatment_products (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  treatment_record_id uuid not null references public.treatment_records(id) on delete cascade,
  inventory_item_id uuid references public.inventory_items(id) on delete set null,
  product_name text not null,
  quantity_used numeric(10, 2) not null default 1,
  unit text,
  lot_number text,
  created_at timestamptz not null default now()
);

create index if not exists idx_treatment_products_record_id on public.treatment_products(treatment_record_id);

alter table public.treatment_photos enable row level security;
alter table public.treatment_outcomes enable row level security;
alter table public.treatment_products enable row level security;

create policy "Clinic staff can manage treatment photos" on public.treatment_photos
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own consented photos" on public.treatment_photos
  for select using (
    is_consented
    and customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Clinic staff can manage treatment outcomes" on public.treatment_outcomes
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage treatment products" on public.treatment_products
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
