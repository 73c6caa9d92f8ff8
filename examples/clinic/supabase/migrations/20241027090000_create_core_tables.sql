-- =============================================================================
-- Beauty with AI Precision - core schema
-- clinics, branches, users (profile row for every auth.users row)
-- Multi-tenant: every business table carries clinic_id (and branch_id where it fits)
-- =============================================================================

create type public.user_role as enum ('super_admin', 'clinic_admin', 'sales_staff', 'staff', 'customer');

-- Generic updated_at trigger function, used by every table below
create or replace function public.handle_updated_at()
returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end;
$$;

-- -----------------------------------------------------------------------------
-- clinics
-- -----------------------------------------------------------------------------
create table if not exists public.clinics (
  id uuid primary key default uuid_generate_v4(),
  name text not null,
  slug text not null unique,
  legal_name text,
  tax_id text,
  email text,
  phone text,
  website text,
  logo_url text,
  timezone text not null default 'Asia/Bangkok',
  currency char(3) not null default 'THB',
  subscription_plan text not null default 'starter'
    check (subscription_plan in ('starter', 'professional', 'enterprise')),
  subscription_status text not null default 'trialing'
    check (subscription_status in ('trialing', 'active', 'past_due', 'cancelled')),
  settings jsonb not null default '{}'::jsonb,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

-- -----------------------------------------------------------------------------
-- branches
-- -----------------------------------------------------------------------------
create table if not exists public.branches (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  name text not null,
  code text not null,
  address text,
  district text,
  province text,
  postal_code text,
  phone text,
  latitude numeric(9, 6),
  longitude numeric(9, 6),
  opening_hours jsonb not null default '{}'::jsonb,
  is_main boolean not null default false,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (clinic_id, code)
);

-- -----------------------------------------------------------------------------
-- users (public profile, 1:1 with auth.users)
-- -----------------------------------------------------------------------------
create table if not exists public.users (
  id uuid primary key references auth.users(id) on delete cascade,
  email text not null,
  full_name text,
  phone text,
  avatar_url text,
  role public.user_role not null default 'customer',
  clinic_id uuid references public.clinics(id) on delete set null,
  branch_id uuid references public.branches(id) on delete set null,
  locale text not null default 'th' check (locale in ('th', 'en', 'zh', 'ja')),
  preferences jsonb not null default '{}'::jsonb,
  is_active boolean not null default true,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_users_email on public.users(email);
create index if not exists idx_users_clinic_id on public.users(clinic_id);
create index if not exists idx_users_role on public.users(role);

-- updated_at triggers
create trigger update_clinics_updated_at
  before update on public.clinics
  for each row execute function public.handle_updated_at();

create trigger update_branches_updated_at
  before update on public.branches
  for each row execute function public.handle_updated_at();

create trigger update_users_updated_at
  before update on public.users
  for each row execute function public.handle_updated_at();

-- RLS
alter table public.clinics enable row level security;
alter table public.branches enable row level security;
alter table public.users enable row level security;

create policy "Users can view own profile" on public.users
  for select using (auth.uid() = id);

create policy "Users can update own profile" on public.users
  for update using (auth.uid() = id);
