-- =============================================================================
-- Walk-in queue: settings per branch, queue entries, notifications to customers
-- =============================================================================

create type public.queue_status as enum (
  'waiting', 'called', 'in_service', 'completed', 'skipped', 'cancelled'
);

create table if not exists public.queue_settings (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null unique references public.branches(id) on delete cascade,
  prefix text not null default 'A',
  avg_service_minutes integer not null default 20,
  max_queue_size integer not null default 100,
  auto_call_next boolean not null default false,
  notify_before_positions integer not null default 3,
  display_settings jsonb not null default '{}'::jsonb,
  business_hours jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.queue_entries (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null references public.branches(id) on delete cascade,
  customer_id uuid references public.customers(id) on delete set null,
  appointment_id uuid references public.appointments(id) on delete set null,
  service_id uuid references public.services(id) on delete set null,
  queue_number text not null,
  queue_date date not null default current_date,
  status public.queue_status not null default 'waiting',
  priority integer not null default 0 check (priority between 0 and 10),
  counter_number text,
  served_by uuid references public.users(id) on delete set null,
  estimated_wait_minutes integer,
  called_at timestamptz,
  served_at timestamptz,
  completed_at timestamptz,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (branch_id, queue_date, queue_number)
);

create index if not exists idx_queue_entries_clinic_id on public.queue_entries(clinic_id);
create index if not exists idx_queue_entries_customer_id on public.queue_entries(customer_id);
create index if not exists idx_queue_entries_appointment_id on public.queue_entries(appointment_id);
create index if not exists idx_queue_entries_status on public.queue_entries(status);
create index if not exists idx_queue_entries_served_by on public.queue_entries(served_by);
create index if not exists idx_queue_entries_created_at on public.queue_entries(created_at);

create table if not exists public.queue_notifications (
  id uuid primary key default uuid_generate_v4(),
  queue_entry_id uuid not null references public.queue_entries(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid references public.customers(id) on delete set null,
  channel text not null default 'line' check (channel in ('sms', 'line', 'push', 'display')),
  message text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  sent_at timestamptz,
  created_at timestamptz not null default now()
);

create index if not exists idx_queue_notifications_entry on public.queue_notifications(queue_entry_id);

create trigger update_queue_settings_updated_at
  before update on public.queue_settings
  for each row execute function public.handle_updated_at();

create trigger update_queue_entries_updated_at
  before update on public.queue_entries
  for each row execute function public.handle_updated_at();

alter table public.queue_settings enable row level security;
alter table public.queue_entries enable row level security;
alter table public.queue_notifications enable row level security;

create policy "Clinic staff can manage queue settings" on public.queue_settings
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage queue" on public.queue_entries
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Customers can view own queue entries" on public.queue_entries
  for select using (
    customer_id in (select id from public.customers where user_id = auth.uid())
  );

create policy "Clinic staff can manage queue notifications" on public.queue_notifications
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

-- live queue board in the waiting room
alter publication supabase_realtime add table public.queue_entries;
