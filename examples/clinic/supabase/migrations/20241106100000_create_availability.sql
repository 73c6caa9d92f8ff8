-- =============================================================================
-- Doctor schedules and bookable availability slots
-- =============================================================================

create table if not exists public.doctor_schedules (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null references public.branches(id) on delete cascade,
  doctor_id uuid not null references public.doctors(id) on delete cascade,
  day_of_week smallint not null check (day_of_week between 0 and 6),  -- 0 = Sunday
  start_time time not null,
  end_time time not null,
  slot_duration_minutes integer not null default 30 check (slot_duration_minutes in (15, 30, 45, 60, 90)),
  effective_from date not null default current_date,
  effective_until date,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_time > start_time)
);

create index if not exists idx_doctor_schedules_doctor_day on public.doctor_schedules(doctor_id, day_of_week);

create table if not exists public.availability_slots (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null references public.branches(id) on delete cascade,
  doctor_id uuid not null references public.doctors(id) on delete cascade,
  slot_date date not null,
  start_time time not null,
  end_time time not null,
  status text not null default 'available'
    check (status in ('available', 'held', 'booked', 'blocked')),
  held_until timestamptz,
  booking_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (doctor_id, slot_date, start_time)
);

create index if not exists idx_availability_slots_clinic_date on public.availability_slots(clinic_id, slot_date);

create trigger update_doctor_schedules_updated_at
  before update on public.doctor_schedules
  for each row execute function public.handle_updated_at();

create trigger update_availability_slots_updated_at
  before update on public.availability_slots
  for each row execute function public.handle_updated_at();

alter table public.doctor_schedules enable row level security;
alter table public.availability_slots enable row level security;

create policy "Anyone can view schedules" on public.doctor_schedules
  for select using (is_active = true);

create policy "Clinic staff can manage schedules" on public.doctor_schedules
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Authenticated users can view slots" on public.availability_slots
  for select to authenticated using (status in ('available', 'held'));

create policy "Clinic staff can manage slots" on public.availability_slots
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
