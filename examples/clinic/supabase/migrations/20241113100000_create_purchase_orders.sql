-- Purchase orders to suppliers

create table if not exists public.purchase_orders (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  supplier_id uuid not null references public.inventory_suppliers(id) on delete restrict,
  po_number text not null,
  status text not null default 'draft'
    check (status in ('draft', 'submitted', 'approved', 'received', 'cancelled')),
  order_date date not null default current_date,
  expected_date date,
  received_date date,
  subtotal numeric(12, 2) not null default 0,
  tax_amount numeric(12, 2) not null default 0,
  total_amount numeric(12, 2) not null default 0,
  notes text,
  created_by uuid references public.users(id) on delete set null,
  approved_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (clinic_id, po_number)
);

create index if not exists idx_purchase_orders_supplier_id on public.purchase_orders(supplier_id);

create table if not exists public.purchase_order_items (
  id uuid primary key default uuid_generate_v4(),
  purchase_order_id uuid not null references public.purchase_orders(id) on delete cascade,
  item_id uuid not null references public.inventory_items(id) on delete restrict,
  quantity numeric(12, 2) not null check (quantity > 0),
  unit_cost numeric(12, 2) not null default 0,
  received_quantity numeric(12, 2) not null default 0,
  created_at timestamptz not null default now()
);

create trigger update_purchase_orders_updated_at
  before update on public.purchase_orders
  for each row execute function public.handle_updated_at();

alter table public.purchase_orders enable row level security;
alter table public.purchase_order_items enable row level security;

create policy "Clinic staff can manage purchase orders" on public.purchase_orders
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage purchase order items" on public.purchase_order_items
  for all using (
    purchase_order_id in (
      select po.id from public.purchase_orders po
      where po.clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
    )
  );
