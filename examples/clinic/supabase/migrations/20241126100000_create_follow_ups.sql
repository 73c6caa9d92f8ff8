-- Post-treatment follow-ups (call the customer 3 / 7 / 30 days after treatment)

create table if not exists public.follow_ups (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  treatment_record_id uuid references public.treatment_records(id) on delete cascade,
  assigned_to uuid references public.users(id) on delete set null,
  follow_up_type text not null default 'call'
    check (follow_up_type in ('call', 'line', 'visit', 'survey')),
  due_date date not null,
  status text not null default 'pending' check (status in ('pending', 'done', 'skipped')),
  outcome text,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists idx_follow_ups_assigned_due on public.follow_ups(assigned_to, due_date);

create trigger update_follow_ups_updated_at
  before update on public.follow_ups
  for each row execute function public.handle_updated_at();

alter table public.follow_ups enable row level security;

create policy "Clinic staff can manage follow ups" on public.follow_ups
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
