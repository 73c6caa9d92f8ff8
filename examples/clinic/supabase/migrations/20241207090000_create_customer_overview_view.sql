-- Customer overview for the CRM list page (one row per customer with counters)

create or replace view public.customer_overview as
select
  c.id,
  c.clinic_id,
  c.branch_id,
  c.customer_code,
  c.full_name,
  c.nickname,
  c.phone,
  c.email,
  c.date_of_birth,
  c.skin_type,
  c.tags,
  c.total_spent,
  c.visit_count,
  c.last_visit_at,
  u.email as account_email,
  u.last_login_at,
  (select count(*) from public.appointments a
    where a.customer_id = c.id and a.deleted_at is null) as appointment_count,
  (select max(sa.created_at) from public.skin_analyses sa
    where sa.customer_id = c.id and sa.deleted_at is null) as last_analysis_at
from public.customers c
left join public.users u on u.id = c.user_id
where c.deleted_at is null;

grant select on public.customer_overview to authenticated;
