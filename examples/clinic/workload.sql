-- Critical paths of the clinic app, as the API runs them (see PHASE4_DATABASE_REVIEW.md:
-- Customer 360, lead dashboard, appointment booking, service catalog, sales analytics,
-- customer analysis history, full-text search, queue board, chat inbox).
-- Placeholders are psycopg named parameters. Default values, valid for seed.sql:
-- params: {"clinic_id": "c0000000-0000-0000-0000-000000000001", "branch_id": "b0000000-0000-0000-0000-000000000011", "customer_id": "cc000000-0000-0000-0000-000000000011", "customer_user_id": "00000000-0000-0000-0000-0000000000c1", "sales_user_id": "00000000-0000-0000-0000-0000000000a5", "user_id": "00000000-0000-0000-0000-0000000000a5", "doctor_id": "dd000000-0000-0000-0000-000000000011", "service_id": "5e000000-0000-0000-0000-000000000011", "slot_date": "2025-03-03", "slot_time": "11:30", "from_date": "2024-12-01", "to_date": "2025-03-31", "search": "laser", "tags": "[\"acne\"]", "limit": 20}

-- name: customer_360
select
  c.id,
  c.customer_code,
  c.full_name,
  c.nickname,
  c.phone,
  c.email,
  c.skin_type,
  c.tags,
  c.total_spent,
  c.visit_count,
  c.last_visit_at,
  u.last_login_at,
  (select coalesce(sum(lp.points), 0)
     from public.loyalty_points lp
    where lp.customer_id = c.id) as loyalty_balance,
  (select row_to_json(la)
     from (select sa.id, sa.overall_score, sa.skin_age, sa.concerns, sa.created_at
             from public.skin_analyses sa
            where sa.customer_id = c.id and sa.deleted_at is null
            order by sa.created_at desc
            limit 1) la) as latest_analysis,
  (select coalesce(json_agg(rb), '[]')
     from (select b.id, b.booking_date, b.booking_time, b.status, s.name as service
             from public.bookings b
             left join public.services s on s.id = b.service_id
            where b.customer_id = c.id and b.deleted_at is null
            order by b.booking_date desc, b.booking_time desc
            limit 5) rb) as recent_bookings,
  (select coalesce(json_agg(tr), '[]')
     from (select t.id, t.treatment_date, t.treatment_type, t.satisfaction_score
             from public.treatment_records t
            where t.customer_id = c.id and t.deleted_at is null
            order by t.treatment_date desc
            limit 5) tr) as recent_treatments,
  (select coalesce(json_agg(nt), '[]')
     from (select n.id, n.note_type, n.content, n.is_pinned, n.created_at
             from public.customer_notes n
            where n.customer_id = c.id and n.deleted_at is null
            order by n.is_pinned desc, n.created_at desc
            limit 5) nt) as notes,
  (select count(*)
     from public.sales_proposals p
    where p.customer_id = c.id and p.status in ('sent', 'viewed')) as open_proposals
from public.customers c
left join public.users u on u.id = c.user_id
where c.id = %(customer_id)s::uuid
  and c.clinic_id = %(clinic_id)s::uuid
  and c.deleted_at is null;

-- name: lead_dashboard
select
  l.status,
  count(*) as leads,
  sum(l.estimated_value) as pipeline_value,
  min(l.next_follow_up_at) as next_follow_up_at
from public.sales_leads l
where l.clinic_id = %(clinic_id)s::uuid
  and l.sales_user_id = %(sales_user_id)s::uuid
  and l.deleted_at is null
group by l.status
order by l.status;

-- name: lead_list
select
  l.id,
  l.full_name,
  l.phone,
  l.source,
  l.status,
  l.score,
  l.estimated_value,
  l.next_follow_up_at,
  l.last_contacted_at,
  (select count(*) from public.sales_activities a where a.lead_id = l.id) as activity_count
from public.sales_leads l
where l.clinic_id = %(clinic_id)s::uuid
  and l.sales_user_id = %(sales_user_id)s::uuid
  and l.status not in ('won', 'lost')
  and l.deleted_at is null
order by l.next_follow_up_at nulls last, l.score desc
limit %(limit)s;

-- name: appointment_slot_search
select
  s.id as slot_id,
  s.slot_date,
  s.start_time,
  s.end_time,
  d.full_name as doctor_name,
  d.consultation_fee
from public.availability_slots s
join public.doctors d on d.id = s.doctor_id
where s.clinic_id = %(clinic_id)s::uuid
  and s.doctor_id = %(doctor_id)s::uuid
  and s.slot_date = %(slot_date)s::date
  and s.status = 'available'
  and not exists (
    select 1
    from public.bookings b
    where b.doctor_id = s.doctor_id
      and b.booking_date = s.slot_date
      and b.booking_time = s.start_time
      and b.status in ('pending', 'confirmed')
      and b.deleted_at is null
  )
order by s.start_time;

-- name: appointment_booking_insert
insert into public.bookings (
  clinic_id, branch_id, customer_id, user_id, doctor_id, service_id,
  booking_date, booking_time, duration_minutes, total_amount, status, payment_status, metadata
)
select
  d.clinic_id, d.branch_id, %(customer_id)s::uuid, %(customer_user_id)s::uuid, d.id, s.id,
  %(slot_date)s::date, %(slot_time)s::time, s.duration_minutes, s.price, 'pending', 'pending',
  jsonb_build_object('source', 'app')
from public.doctors d
join public.services s on s.id = %(service_id)s::uuid and s.clinic_id = d.clinic_id
where d.id = %(doctor_id)s::uuid
  and d.clinic_id = %(clinic_id)s::uuid
returning id, booking_date, booking_time, status;

-- name: service_catalog
select
  sc.name as category,
  sc.name_en as category_en,
  s.id,
  s.name,
  s.name_en,
  s.duration_minutes,
  s.price,
  s.requires_consultation
from public.services s
left join public.service_categories sc on sc.id = s.category_id
where s.clinic_id = %(clinic_id)s::uuid
  and s.is_active
  and s.deleted_at is null
order by sc.display_order nulls last, s.display_order, s.name;

-- name: sales_analytics
select
  date_trunc('month', p.accepted_at) as month,
  p.sales_user_id,
  u.full_name as sales_name,
  count(*) as deals,
  sum(p.total_amount) as revenue,
  round(avg(p.total_amount), 2) as avg_deal_size,
  sum(p.discount_amount) as discounts
from public.sales_proposals p
join public.users u on u.id = p.sales_user_id
where p.clinic_id = %(clinic_id)s::uuid
  and p.status = 'accepted'
  and p.accepted_at >= %(from_date)s::date
  and p.accepted_at < %(to_date)s::date + 1
  and p.deleted_at is null
group by 1, 2, 3
order by 1, revenue desc;

-- name: lead_conversion_by_source
select
  l.source,
  count(*) as leads,
  count(*) filter (where l.status = 'won') as won,
  round(100.0 * count(*) filter (where l.status = 'won') / count(*), 1) as conversion_rate
from public.sales_leads l
where l.clinic_id = %(clinic_id)s::uuid
  and l.created_at >= %(from_date)s::date
  and l.created_at < %(to_date)s::date + 1
  and l.deleted_at is null
group by l.source
order by leads desc;

-- name: customer_analysis_history
select
  sa.id,
  sa.created_at,
  sa.analysis_type,
  sa.status,
  sa.overall_score,
  sa.skin_age,
  sa.concerns,
  sa.recommendations,
  sa.thumbnail_url
from public.skin_analyses sa
where sa.user_id = %(customer_user_id)s::uuid
  and sa.deleted_at is null
order by sa.created_at desc
limit %(limit)s;

-- name: customer_notes_search
select
  n.id,
  n.customer_id,
  c.full_name,
  n.note_type,
  n.created_at,
  ts_headline('english', n.content, q) as snippet,
  ts_rank(to_tsvector('english', n.content), q) as rank
from public.customer_notes n
join public.customers c on c.id = n.customer_id
cross join websearch_to_tsquery('english', %(search)s) as q
where n.clinic_id = %(clinic_id)s::uuid
  and n.deleted_at is null
  and to_tsvector('english', n.content) @@ q
order by rank desc, n.created_at desc
limit %(limit)s;

-- name: segment_customers
select c.id, c.full_name, c.phone, c.tags
from public.find_customers_by_tags(%(clinic_id)s::uuid, %(tags)s::jsonb) as c;

-- name: queue_board
select
  q.id,
  q.queue_number,
  q.status,
  q.priority,
  q.counter_number,
  q.estimated_wait_minutes,
  coalesce(c.nickname, c.full_name) as customer_name,
  s.name as service_name,
  q.called_at,
  q.created_at
from public.queue_entries q
left join public.customers c on c.id = q.customer_id
left join public.services s on s.id = q.service_id
where q.branch_id = %(branch_id)s::uuid
  and q.queue_date = current_date
  and q.status in ('waiting', 'called', 'in_service')
order by
  case q.status when 'in_service' then 0 when 'called' then 1 else 2 end,
  q.priority desc,
  q.created_at;

-- name: chat_inbox
select
  r.id as room_id,
  r.name,
  r.room_type,
  r.last_message_at,
  lm.content as last_message,
  lm.sender_name,
  coalesce(unread.cnt, 0) as unread_count
from public.chat_participants p
join public.chat_rooms r on r.id = p.room_id
left join public.chat_read_status rs on rs.room_id = r.id and rs.user_id = p.user_id
left join lateral (
  select m.content, u.full_name as sender_name
  from public.chat_messages m
  left join public.users u on u.id = m.sender_id
  where m.room_id = r.id and m.deleted_at is null
  order by m.created_at desc
  limit 1
) lm on true
left join lateral (
  select count(*) as cnt
  from public.chat_messages m
  where m.room_id = r.id
    and m.deleted_at is null
    and m.created_at > coalesce(rs.last_read_at, '-infinity'::timestamptz)
    and m.sender_id is distinct from p.user_id
) unread on true
where p.user_id = %(user_id)s::uuid
  and p.left_at is null
  and not r.is_archived
order by r.last_message_at desc nulls last;
