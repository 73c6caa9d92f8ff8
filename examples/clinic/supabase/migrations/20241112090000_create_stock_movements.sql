-- =============================================================================
-- Stock movements (ledger) and low-stock / expiry alerts
-- =============================================================================

create table if not exists public.stock_movements (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  item_id uuid not null references public.inventory_items(id) on delete cascade,
  movement_type text not null
    check (movement_type in ('purchase', 'usage', 'adjustment', 'transfer', 'return', 'expired')),
  quantity numeric(12, 2) not null,  -- positive = in, negative = out
  unit_cost numeric(12, 2),
  reference_type text,
  reference_id uuid,
  performed_by uuid references public.users(id) on delete set null,
  notes text,
  created_at timestamptz not null default now()
);

create index if not exists idx_stock_movements_clinic_created
  on public.stock_movements(clinic_id, created_at desc);

create table if not exists public.inventory_alerts (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  item_id uuid not null references public.inventory_items(id) on delete cascade,
  alert_type text not null check (alert_type in ('low_stock', 'expiring', 'expired')),
  message text not null,
  is_resolved boolean not null default false,
  resolved_by uuid references public.users(id) on delete set null,
  resolved_at timestamptz,
  created_at timestamptz not null default now()
);

create index if not exists idx_inventory_alerts_clinic_id on public.inventory_alerts(clinic_id);

-- keep inventory_items.quantity_on_hand in sync with the ledger
create or replace function public.apply_stock_movement()
returns trigger
language plpgsql
as $$
begin
  update public.inventory_items
     set quantity_on_hand = quantity_on_hand + new.quantity
   where id = new.item_id;

  insert into public.inventory_alerts (clinic_id, item_id, alert_type, message)
  select i.clinic_id, i.id, 'low_stock', i.name || ' is below reorder level'
    from public.inventory_items i
   where i.id = new.item_id
     and i.quantity_on_hand <= i.reorder_level
     and not exists (
       select 1 from public.inventory_alerts a
        where a.item_id = i.id and a.alert_type = 'low_stock' and not a.is_resolved
     );
  return new;
end;
$$;

create trigger on_stock_movement_created
  after insert on public.stock_movements
  for each row execute function public.apply_stock_movement();

alter table public.stock_movements enable row level security;
alter table public.inventory_alerts enable row level security;

create policy "Clinic staff can view stock movements" on public.stock_movements
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can record stock movements" on public.stock_movements
  for insert with check (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Clinic staff can manage inventory alerts" on public.inventory_alerts
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
