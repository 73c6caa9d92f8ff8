-- Available slots for a doctor on a date (used by the booking page and the LINE bot)

create or replace function public.get_available_slots(p_doctor_id uuid, p_date date)
returns table (slot_id uuid, start_time time, end_time time)
language sql
stable
as $$
  select s.id, s.start_time, s.end_time
  from public.availability_slots s
  where s.doctor_id = p_doctor_id
    and s.slot_date = p_date
    and s.status = 'available'
    and not exists (
      select 1 from public.bookings b
      where b.doctor_id = s.doctor_id
        and b.booking_date = s.slot_date
        and b.booking_time = s.start_time
        and b.status in ('pending', 'confirmed')
        and b.deleted_at is null
    )
  order by s.start_time;
$$;

grant execute on function public.get_available_slots(uuid, date) to anon, authenticated;
