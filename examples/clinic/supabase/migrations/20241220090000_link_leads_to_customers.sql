-- Leads that convert become customers: enforce the link

alter table public.sales_leads
  add constraint sales_leads_converted_customer_id_fkey
  foreign key (converted_customer_id) references public.customers(id) on delete set null;
