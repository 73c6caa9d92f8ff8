-- =============================================================================
-- Segment helpers used by the marketing module
-- tags: ["vip", "acne", "melasma", ...]
-- =============================================================================

create or replace function public.find_customers_by_tags(p_clinic_id uuid, p_tags jsonb)
returns setof public.customers
language sql
stable
as $$
  select *
  from public.customers
  where clinic_id = p_clinic_id
    and deleted_at is null
    and tags @> p_tags
  order by last_visit_at desc nulls last;
$$;

create or replace function public.refresh_segment_count(p_segment_id uuid)
returns integer
language sql
as $$
  update public.customer_segments s
     set customer_count = (
           select count(*) from public.customers c
            where c.clinic_id = s.clinic_id
              and c.deleted_at is null
              and c.tags @> coalesce(s.criteria -> 'tags', '[]'::jsonb)
         ),
         last_computed_at = now()
   where s.id = p_segment_id
  returning customer_count;
$$;

grant execute on function public.find_customers_by_tags(uuid, jsonb) to authenticated;
grant execute on function public.refresh_segment_count(uuid) to authenticated;
