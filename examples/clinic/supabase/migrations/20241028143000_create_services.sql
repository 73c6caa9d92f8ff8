-- =============================================================================
-- Service catalog (treatments, packages) per clinic
-- =============================================================================

create table if not exists public.service_categories (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  name text not null,
  name_en text,
  description text,
  icon text,
  display_order integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (clinic_id, name)
);

create table if not exists public.services (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  category_id uuid references public.service_categories(id) on delete set null,
  name text not null,
  name_en text,
  description text,
  duration_minutes integer not null default 60 check (duration_minutes > 0),
  price integer not null default 0 check (price >= 0),  -- THB
  requires_consultation boolean not null default false,
  image_url text,
  display_order integer not null default 0,
  is_active boolean not null default true,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_services_clinic_id on public.services(clinic_id);

create trigger update_service_categories_updated_at
  before update on public.service_categories
  for each row execute function public.handle_updated_at();

create trigger update_services_updated_at
  before update on public.services
  for each row execute function public.handle_updated_at();

alter table public.service_categories enable row level security;
alter table public.services enable row level security;

-- The service catalog is public (booking widget, LINE OA menu)
create policy "Enable read access for all users" on public.services
  for select to anon, authenticated using (true);

create policy "Enable read access for all users" on public.service_categories
  for select to anon, authenticated using (true);

create policy "Clinic admins can manage services" on public.services
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'branch_manager')
    )
  );

create policy "Clinic admins can manage service categories" on public.service_categories
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'branch_manager')
    )
  );
