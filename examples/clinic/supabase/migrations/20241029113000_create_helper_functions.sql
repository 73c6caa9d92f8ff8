-- =============================================================================
-- Helper functions for RLS and the API
-- =============================================================================

create or replace function public.is_super_admin()
returns boolean
language sql
stable
security definer
set search_path = public
as $$
  select exists (
    select 1 from public.users
    where id = auth.uid() and role = 'super_admin'
  );
$$;

create or replace function public.get_user_role()
returns public.user_role
language sql
stable
security definer
set search_path = public
as $$
  select role from public.users where id = auth.uid();
$$;

create or replace function public.get_user_clinic_id()
returns uuid
language sql
stable
security definer
set search_path = public
as $$
  select clinic_id from public.users where id = auth.uid();
$$;

-- Super admins (platform team) can see and fix everything
create policy "Super admins can do everything" on public.clinics
  for all using (public.is_super_admin());

create policy "Super admins can do everything" on public.branches
  for all using (public.is_super_admin());

create policy "Super admins can do everything" on public.clinic_staff
  for all using (public.is_super_admin());

create policy "Super admins can do everything" on public.customers
  for all using (public.is_super_admin());

create policy "Super admins can do everything" on public.services
  for all using (public.is_super_admin());

grant execute on function public.is_super_admin() to authenticated;
grant execute on function public.get_user_role() to authenticated;
grant execute on function public.get_user_clinic_id() to authenticated;
