-- Appointment reminders (LINE / SMS / e-mail / push), sent by the reminders edge function

create table if not exists public.reminders (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  appointment_id uuid references public.appointments(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  channel text not null default 'line' check (channel in ('sms', 'line', 'email', 'push')),
  remind_at timestamptz not null,
  status text not null default 'scheduled'
    check (status in ('scheduled', 'sent', 'failed', 'cancelled')),
  payload jsonb not null default '{}'::jsonb,
  sent_at timestamptz,
  error_message text,
  created_at timestamptz not null default now()
);

-- the edge function polls for due reminders every minute
create index if not exists idx_reminders_due on public.reminders(remind_at) where status = 'scheduled';

alter table public.reminders enable row level security;

create policy "Clinic staff can manage reminders" on public.reminders
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
