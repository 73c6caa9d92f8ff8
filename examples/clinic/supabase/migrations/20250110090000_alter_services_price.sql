-- Prices need satang (e.g. 2,990.50 THB promotions) - integer -> numeric

alter table public.services
  alter column price type numeric(12, 2) using price::numeric(12, 2);
