-- Legacy HN numbers were copied into customer_code during the data migration

update public.customers
   set customer_code = legacy_hn
 where customer_code is null and legacy_hn is not null;

alter table public.customers drop column legacy_hn;
