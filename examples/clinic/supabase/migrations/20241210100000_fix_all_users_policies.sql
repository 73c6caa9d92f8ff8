-- =============================================================================
-- Fix the remaining recursive policies and turn RLS back on
-- clinic_staff policies selected from clinic_staff -> infinite recursion.
-- Use a SECURITY DEFINER helper that returns the caller's clinic ids.
-- =============================================================================

create or replace function public.get_my_clinic_ids()
returns setof uuid
language sql
stable
security definer
set search_path = public
as $$
  select clinic_id from public.clinic_staff
  where user_id = auth.uid() and is_active = true;
$$;

grant execute on function public.get_my_clinic_ids() to authenticated;

-- clinic_staff
drop policy if exists "Staff can view clinic colleagues" on public.clinic_staff;
drop policy if exists "Clinic admins can manage staff" on public.clinic_staff;

create policy "Staff can view clinic colleagues" on public.clinic_staff
  for select using (
    user_id = auth.uid()
    or clinic_id in (select public.get_my_clinic_ids())
  );

create policy "Clinic admins can manage staff" on public.clinic_staff
  for all using (
    public.is_admin() and clinic_id in (select public.get_my_clinic_ids())
  );

-- users
drop policy if exists "Admins can update users" on public.users;

create policy "Admins can update users" on public.users
  for update using (public.is_admin());

-- re-enable RLS (disabled in 20241201030000_emergency_disable_all_rls)
alter table public.users enable row level security;
alter table public.clinic_staff enable row level security;
alter table public.sales_leads enable row level security;
