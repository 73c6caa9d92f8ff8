-- =============================================================================
-- Inventory: categories, suppliers, items (fillers, botox, skincare products, consumables)
-- =============================================================================

create table if not exists public.inventory_categories (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  parent_id uuid references public.inventory_categories(id) on delete set null,
  name text not null,
  created_at timestamptz not null default now(),
  unique (clinic_id, name)
);

create table if not exists public.inventory_suppliers (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  name text not null,
  contact_name text,
  phone text,
  email text,
  tax_id text,
  address text,
  payment_terms text default 'net_30',
  is_active boolean not null default true,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_inventory_suppliers_clinic_id on public.inventory_suppliers(clinic_id);

create table if not exists public.inventory_items (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  category_id uuid references public.inventory_categories(id) on delete set null,
  supplier_id uuid references public.inventory_suppliers(id) on delete set null,
  sku text not null,
  name text not null,
  unit text not null default 'piece' check (unit in ('piece', 'box', 'ml', 'vial', 'syringe', 'unit', 'bottle')),
  unit_cost numeric(12, 2) not null default 0,
  selling_price numeric(12, 2),
  quantity_on_hand numeric(12, 2) not null default 0,
  reorder_level numeric(12, 2) not null default 0,
  reorder_quantity numeric(12, 2) not null default 0,
  lot_number text,
  expiry_date date,
  storage_requirements text,
  is_active boolean not null default true,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (clinic_id, sku)
);

create index if not exists idx_inventory_items_branch_id on public.inventory_items(branch_id);

create trigger update_inventory_suppliers_updated_at
  before update on public.inventory_suppliers
  for each row execute function public.handle_updated_at();

create trigger update_inventory_items_updated_at
  before update on public.inventory_items
  for each row execute function public.handle_updated_at();

alter table public.inventory_categories enable row level security;
alter table public.inventory_suppliers enable row level security;
alter table public.inventory_items enable row level security;

create policy "Clinic staff can manage inventory categories" on public.inventory_categories
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage suppliers" on public.inventory_suppliers
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

-- clinic_id is put in user_metadata at signup/invite, reading it from the JWT
-- avoids the clinic_staff lookup on this (very busy) table
create policy "Clinic staff can manage inventory" on public.inventory_items
  for all
  using ((auth.jwt() -> 'user_metadata' ->> 'clinic_id')::uuid = clinic_id)
  with check ((auth.jwt() -> 'user_metadata' ->> 'clinic_id')::uuid = clinic_id);
