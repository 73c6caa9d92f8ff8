-- =============================================================================
-- Fix: "infinite recursion detected in policy for relation users"
-- The admin policy on users queried users itself. Move the check into a
-- SECURITY DEFINER function, which bypasses RLS.
-- =============================================================================

create or replace function public.is_admin()
returns boolean
language sql
stable
security definer
as $$
  select exists (
    select 1 from users
    where id = auth.uid()
      and role in ('super_admin', 'clinic_admin')
  );
$$;

grant execute on function public.is_admin() to authenticated;

drop policy if exists "Admins can view all users" on public.users;

create policy "Admins can view all users" on public.users
  for select using (public.is_admin());
