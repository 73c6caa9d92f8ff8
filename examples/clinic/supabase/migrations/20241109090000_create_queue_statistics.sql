-- Daily queue statistics per branch (filled by refresh_queue_statistics, run nightly)

create table if not exists public.queue_statistics (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid not null references public.branches(id) on delete cascade,
  stat_date date not null,
  total_entries integer not null default 0,
  total_served integer not null default 0,
  no_show_count integer not null default 0,
  avg_wait_minutes numeric(6, 2),
  max_wait_minutes integer,
  peak_hour smallint check (peak_hour between 0 and 23),
  hourly_breakdown jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  unique (branch_id, stat_date)
);

alter table public.queue_statistics enable row level security;

create policy "Clinic staff can view queue statistics" on public.queue_statistics
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create or replace function public.refresh_queue_statistics(p_date date default current_date - 1)
returns void
language sql
as $$
  insert into public.queue_statistics (
    clinic_id, branch_id, stat_date, total_entries, total_served, no_show_count,
    avg_wait_minutes, max_wait_minutes
  )
  select
    qe.clinic_id,
    qe.branch_id,
    p_date,
    count(*),
    count(*) filter (where qe.status = 'completed'),
    count(*) filter (where qe.status = 'skipped'),
    avg(extract(epoch from (qe.called_at - qe.created_at)) / 60),
    max(extract(epoch from (qe.called_at - qe.created_at)) / 60)::integer
  from public.queue_entries qe
  where qe.queue_date = p_date
  group by qe.clinic_id, qe.branch_id
  on conflict (branch_id, stat_date) do update
    set total_entries = excluded.total_entries,
        total_served = excluded.total_served,
        no_show_count = excluded.no_show_count,
        avg_wait_minutes = excluded.avg_wait_minutes,
        max_wait_minutes = excluded.max_wait_minutes;
$$;
