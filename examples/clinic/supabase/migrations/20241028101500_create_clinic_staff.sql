-- =============================================================================
-- clinic_staff: which user works for which clinic / branch, and as what
-- =============================================================================

create table if not exists public.clinic_staff (
  id uuid primary key default uuid_generate_v4(),
  user_id uuid not null references public.users(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  role text not null
    check (role in ('clinic_admin', 'branch_manager', 'doctor', 'nurse', 'sales_staff', 'receptionist')),
  title text,
  employee_code text,
  permissions jsonb not null default '[]'::jsonb,
  commission_rate numeric(5, 2) not null default 0 check (commission_rate between 0 and 100),
  is_active boolean not null default true,
  joined_at date not null default current_date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (user_id, clinic_id),
  unique (clinic_id, employee_code)
);

create index if not exists idx_clinic_staff_clinic_role on public.clinic_staff(clinic_id, role);
create index if not exists idx_clinic_staff_branch_id on public.clinic_staff(branch_id);

create trigger update_clinic_staff_updated_at
  before update on public.clinic_staff
  for each row execute function public.handle_updated_at();

alter table public.clinic_staff enable row level security;

-- Staff can see everyone who works in the same clinic
create policy "Staff can view clinic colleagues" on public.clinic_staff
  for select using (
    clinic_id in (
      select clinic_id from public.clinic_staff where user_id = auth.uid()
    )
  );

create policy "Clinic admins can manage staff" on public.clinic_staff
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role = 'clinic_admin'
    )
  );

-- clinics / branches policies (needed clinic_staff first)
create policy "Staff can view their clinics" on public.clinics
  for select using (
    id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic admins can update their clinic" on public.clinics
  for update using (
    id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role = 'clinic_admin'
    )
  );

create policy "Staff can view branches" on public.branches
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic admins can manage branches" on public.branches
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role = 'clinic_admin'
    )
  );
