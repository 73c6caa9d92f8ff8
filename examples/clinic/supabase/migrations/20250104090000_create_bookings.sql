-- =============================================================================
-- Booking system (online booking from the customer app / LINE)
-- Tables: doctors, bookings
-- Status workflow: pending -> confirmed -> completed / cancelled / no-show
-- Payment: pending / paid / refunded
-- =============================================================================

-- Doctors (with public profile for the booking page)
create table if not exists public.doctors (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  user_id uuid references public.users(id) on delete set null,
  full_name text not null,
  specialty text,
  bio text,
  avatar_url text,
  years_experience integer not null default 0,
  education jsonb not null default '[]'::jsonb,
  rating numeric(3, 2) not null default 5.00 check (rating between 0 and 5),
  review_count integer not null default 0,
  consultation_fee numeric(10, 2) not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Bookings
create table if not exists public.bookings (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  customer_id uuid references public.customers(id) on delete set null,
  user_id uuid references auth.users(id) on delete set null,
  doctor_id uuid references public.doctors(id) on delete set null,
  service_id uuid references public.services(id) on delete set null,
  booking_date date not null,
  booking_time time not null,
  duration_minutes integer not null default 60 check (duration_minutes > 0),
  status text not null default 'pending'
    check (status in ('pending', 'confirmed', 'completed', 'cancelled', 'no-show')),
  payment_status text not null default 'pending'
    check (payment_status in ('pending', 'paid', 'refunded')),
  payment_method text check (payment_method in ('cash', 'credit_card', 'promptpay', 'bank_transfer')),
  total_amount numeric(12, 2) not null default 0,
  notes text,
  metadata jsonb not null default '{}'::jsonb,
  cancelled_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

-- Indexes
create index if not exists idx_bookings_clinic_id on public.bookings(clinic_id);
create index if not exists idx_bookings_branch_id on public.bookings(branch_id);
create index if not exists idx_bookings_customer_id on public.bookings(customer_id);
create index if not exists idx_bookings_user_id on public.bookings(user_id);
create index if not exists idx_bookings_doctor_date_time on public.bookings(doctor_id, booking_date, booking_time);
create index if not exists idx_bookings_status on public.bookings(status);
create index if not exists idx_bookings_booking_date on public.bookings(booking_date);

create trigger update_bookings_updated_at
  before update on public.bookings
  for each row execute function public.handle_updated_at();

-- RLS
alter table public.bookings enable row level security;
alter table public.doctors enable row level security;

create policy "Patients can view own bookings" on public.bookings
  for select using (auth.uid() = user_id);

create policy "Patients can create bookings" on public.bookings
  for insert with check (auth.uid() = user_id);

create policy "Patients can cancel own bookings" on public.bookings
  for update using (auth.uid() = user_id);

create policy "Clinic staff can manage bookings" on public.bookings
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

-- Sample data for testing (only where a demo clinic exists)
insert into public.doctors (clinic_id, full_name, specialty, consultation_fee)
select c.id, 'Dr. Demo Doctor', 'Dermatology', 500
from public.clinics c
where c.slug = 'demo-clinic'
  and not exists (select 1 from public.doctors d where d.clinic_id = c.id);
