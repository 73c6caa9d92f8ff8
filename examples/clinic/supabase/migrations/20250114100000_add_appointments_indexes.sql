-- Appointment list page filters by clinic and by status

create index idx_appointments_clinic_id on public.appointments(clinic_id);
create index idx_appointments_status on public.appointments(status);
