-- =============================================================================
-- Booking payments (deposits via PromptPay / card) and the waitlist
-- =============================================================================

create table if not exists public.booking_payments (
  id uuid primary key default gen_random_uuid(),
  booking_id uuid not null references public.bookings(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  amount numeric(12, 2) not null check (amount >= 0),
  method text not null check (method in ('cash', 'credit_card', 'promptpay', 'bank_transfer', 'installment')),
  status text not null default 'pending' check (status in ('pending', 'paid', 'refunded', 'failed')),
  transaction_ref text,
  gateway_response jsonb not null default '{}'::jsonb,
  paid_at timestamptz,
  refunded_at timestamptz,
  refund_amount numeric(12, 2),
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists idx_booking_payments_booking_id on public.booking_payments(booking_id);

create table if not exists public.waitlist_entries (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  customer_id uuid not null references public.customers(id) on delete cascade,
  service_id uuid references public.services(id) on delete set null,
  doctor_id uuid references public.doctors(id) on delete set null,
  preferred_date date not null,
  preferred_time_start time,
  preferred_time_end time,
  status text not null default 'waiting'
    check (status in ('waiting', 'offered', 'booked', 'expired', 'cancelled')),
  notified_at timestamptz,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists idx_waitlist_entries_clinic_date on public.waitlist_entries(clinic_id, preferred_date);

create trigger update_booking_payments_updated_at
  before update on public.booking_payments
  for each row execute function public.handle_updated_at();

create trigger update_waitlist_entries_updated_at
  before update on public.waitlist_entries
  for each row execute function public.handle_updated_at();

alter table public.booking_payments enable row level security;
alter table public.waitlist_entries enable row level security;

create policy "Clinic staff can manage payments" on public.booking_payments
  for all to authenticated using (clinic_id in (select public.get_my_clinic_ids()));

create policy "Customers can view own payments" on public.booking_payments
  for select to authenticated using (
    booking_id in (select b.id from public.bookings b where b.user_id = (select auth.uid()))
  );

create policy "Clinic staff can manage waitlist" on public.waitlist_entries
  for all to authenticated using (clinic_id in (select public.get_my_clinic_ids()));
