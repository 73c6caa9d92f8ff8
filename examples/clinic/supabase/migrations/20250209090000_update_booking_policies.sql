-- Super admins manage all bookings; doctors see the bookings assigned to them

create policy "Super admins can manage all bookings" on public.bookings
  for all to authenticated using (public.is_super_admin());

create policy "Doctors can view assigned bookings" on public.bookings
  for select to authenticated using (
    doctor_id in (select d.id from public.doctors d where d.user_id = (select auth.uid()))
  );

-- booking history page sorts by creation time
create index idx_bookings_created_at on public.bookings(created_at desc);
