-- =============================================================================
-- Appointments: doctors, treatment rooms, appointments and the services done in them
-- =============================================================================

create type public.appointment_status as enum (
  'scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show'
);

create table if not exists public.doctors (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  user_id uuid references public.users(id) on delete set null,
  full_name text not null,
  title text default 'Dr.',
  specialty text,
  license_number text,
  bio text,
  avatar_url text,
  consultation_fee numeric(10, 2) not null default 0,
  languages text[] not null default '{th}',
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_doctors_clinic_id on public.doctors(clinic_id);
create index if not exists idx_doctors_branch_id on public.doctors(branch_id);

create table if not exists public.treatment_rooms (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null references public.branches(id) on delete cascade,
  name text not null,
  room_type text not null default 'treatment'
    check (room_type in ('consultation', 'treatment', 'laser', 'surgery', 'recovery')),
  capacity integer not null default 1,
  equipment jsonb not null default '[]'::jsonb,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (branch_id, name)
);

create table if not exists public.appointments (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null references public.branches(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  doctor_id uuid references public.doctors(id) on delete set null,
  room_id uuid references public.treatment_rooms(id) on delete set null,
  staff_id uuid references public.users(id) on delete set null,
  appointment_date date not null,
  start_time time not null,
  end_time time not null,
  status public.appointment_status not null default 'scheduled',
  appointment_type text not null default 'treatment'
    check (appointment_type in ('consultation', 'treatment', 'follow_up', 'skin_analysis')),
  notes text,
  cancellation_reason text,
  reminder_sent boolean not null default false,
  checked_in_at timestamptz,
  completed_at timestamptz,
  created_by uuid references public.users(id) on delete set null,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  check (end_time > start_time)
);

create index if not exists idx_appointments_clinic_date on public.appointments(clinic_id, appointment_date);
create index if not exists idx_appointments_customer_id on public.appointments(customer_id);
create index if not exists idx_appointments_doctor_date on public.appointments(doctor_id, appointment_date);

create table if not exists public.appointment_services (
  id uuid primary key default uuid_generate_v4(),
  appointment_id uuid not null references public.appointments(id) on delete cascade,
  service_id uuid not null references public.services(id) on delete restrict,
  price numeric(12, 2) not null default 0,
  quantity integer not null default 1,
  notes text,
  created_at timestamptz not null default now()
);

create index if not exists idx_appointment_services_appointment_id
  on public.appointment_services(appointment_id);

create trigger update_doctors_updated_at
  before update on public.doctors
  for each row execute function public.handle_updated_at();

create trigger update_treatment_rooms_updated_at
  before update on public.treatment_rooms
  for each row execute function public.handle_updated_at();

create trigger update_appointments_updated_at
  before update on public.appointments
  for each row execute function public.handle_updated_at();

alter table public.doctors enable row level security;
alter table public.treatment_rooms enable row level security;
alter table public.appointments enable row level security;
alter table public.appointment_services enable row level security;

create policy "Anyone can view active doctors" on public.doctors
  for select using (is_active = true and deleted_at is null);

create policy "Clinic admins can manage doctors" on public.doctors
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'branch_manager')
    )
  );

create policy "Clinic staff can manage rooms" on public.treatment_rooms
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage appointments" on public.appointments
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own appointments" on public.appointments
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Clinic staff can manage appointment services" on public.appointment_services
  for all using (
    appointment_id in (
      select a.id from public.appointments a
      where a.clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
    )
  );
