-- Customers with acne in a recent analysis: used by the "acne follow-up" LINE campaign

create or replace view public.acne_followup_candidates
with (security_invoker = true)
as
select
  sa.id as skin_analysis_id,
  sa.clinic_id,
  sa.customer_id,
  c.full_name,
  c.phone,
  c.line_id,
  sa.overall_score,
  sa.concerns,
  sa.created_at as analysed_at
from public.skin_analyses sa
join public.customers c on c.id = sa.customer_id
where sa.concerns @> '["acne"]'::jsonb
  and sa.status = 'completed'
  and sa.deleted_at is null
  and c.deleted_at is null;

grant select on public.acne_followup_candidates to authenticated;
