-- a partial index `where fk is not null` serves the reference check (PostgreSQL's
-- `select 1 from only child x where fk = $1 for key share of x` implies it); one whose
-- predicate the check does not imply is named and cannot serve
create table public.accounts (id uuid primary key);
create table public.invoices (
  id bigint generated always as identity primary key,
  account_id uuid references public.accounts (id) on delete cascade,
  "order" uuid references public.accounts (id),
  archived_at timestamptz
);
create index invoices_account_id_set on public.invoices (account_id)
  where account_id is not null;
create index "invoices_order_Live" on public.invoices ("order")
  where archived_at is null;
