-- =============================================================================
-- Admin access to user profiles
-- Clinic admins need the staff list and customer accounts of their clinic;
-- super admins need everything.
-- =============================================================================

create policy "Admins can view all users" on public.users
  for select using (
    exists (
      select 1 from public.users u
      where u.id = auth.uid()
        and u.role in ('super_admin', 'clinic_admin')
    )
  );

create policy "Clinic admins can view clinic users" on public.users
  for select using (
    clinic_id = (
      select u.clinic_id from public.users u
      where u.id = auth.uid() and u.role = 'clinic_admin'
    )
  );

create policy "Admins can update users" on public.users
  for update using (
    exists (
      select 1 from public.users u
      where u.id = auth.uid()
        and u.role in ('super_admin', 'clinic_admin')
    )
  );
