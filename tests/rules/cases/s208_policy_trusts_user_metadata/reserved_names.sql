create table public."Report" (id bigint primary key, "clinicId" uuid not null);
alter table public."Report" enable row level security;
create policy "Clinic reads reports" on public."Report"
  for select to authenticated
  using ("clinicId" = ((select auth.jwt()) -> 'user_metadata' ->> 'clinic_id')::uuid);
