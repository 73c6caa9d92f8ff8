-- Staff invitations (clinic admin invites a doctor / sales staff by email)

create table if not exists public.invitations (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete cascade,
  email text not null,
  role text not null
    check (role in ('clinic_admin', 'branch_manager', 'doctor', 'nurse', 'sales_staff', 'receptionist')),
  token text not null unique default encode(extensions.gen_random_bytes(32), 'hex'),
  status text not null default 'pending'
    check (status in ('pending', 'accepted', 'expired', 'revoked')),
  invited_by uuid references public.users(id) on delete set null,
  message text,
  expires_at timestamptz not null default (now() + interval '7 days'),
  accepted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists idx_invitations_clinic_id on public.invitations(clinic_id);
create index if not exists idx_invitations_email on public.invitations(email);

create trigger update_invitations_updated_at
  before update on public.invitations
  for each row execute function public.handle_updated_at();

alter table public.invitations enable row level security;

create policy "Clinic admins can manage invitations" on public.invitations
  for all using (
    clinic_id in (
      select clinic_id from public.clinic_staff
      where user_id = auth.uid() and role in ('clinic_admin', 'branch_manager')
    )
  );

create policy "Invitees can view their invitation" on public.invitations
  for select using (email = auth.email());
