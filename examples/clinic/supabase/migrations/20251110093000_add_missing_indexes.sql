-- =============================================================================
-- Phase 4 / Task 3: add missing database indexes
-- See docs/current/DATABASE_INDEX_ANALYSIS.md
-- All statements use IF NOT EXISTS, so the file is safe to re-run.
-- =============================================================================

-- ---------------------------------------------------------------------------
-- P0 (critical paths: Customer 360, lead dashboard, booking, service catalog)
-- ---------------------------------------------------------------------------
create index if not exists idx_customers_assigned_sales on public.customers(assigned_sales_id);
create index if not exists idx_bookings_customer on public.bookings(customer_id);
create index if not exists idx_bookings_service_id on public.bookings(service_id);
create index if not exists idx_services_category_id on public.services(category_id);
create index if not exists idx_sales_proposals_clinic_status on public.sales_proposals(clinic_id, status);
create index if not exists idx_sales_proposals_sales_user on public.sales_proposals(sales_user_id, created_at desc);
create index if not exists idx_sales_activities_sales_user on public.sales_activities(sales_user_id, created_at desc);
create index if not exists idx_appointments_branch_date on public.appointments(branch_id, appointment_date);
create index if not exists idx_availability_slots_branch_id on public.availability_slots(branch_id);
create index if not exists idx_skin_analyses_user_id on public.skin_analyses(user_id, created_at desc);
create index if not exists idx_skin_analyses_clinic_created on public.skin_analyses(clinic_id, created_at desc);
create index if not exists idx_chat_read_status_room_id on public.chat_read_status(room_id);
-- sales_leads (sales_user_id, status): moved to 20251112_sales_leads_indexes.sql (needs CONCURRENTLY, table is huge)

-- ---------------------------------------------------------------------------
-- P1
-- ---------------------------------------------------------------------------
create index if not exists idx_queue_entries_branch_status on public.queue_entries(branch_id, status);
create index if not exists idx_stock_movements_branch_id on public.stock_movements(branch_id);
create index if not exists idx_inventory_items_category_id on public.inventory_items(category_id);
create index if not exists idx_inventory_items_supplier_id on public.inventory_items(supplier_id);
create index if not exists idx_treatment_plans_clinic_status on public.treatment_plans(clinic_id, status);
create index if not exists idx_loyalty_points_clinic_id on public.loyalty_points(clinic_id);
create index if not exists idx_campaign_recipients_customer_id on public.campaign_recipients(customer_id);
create index if not exists idx_reminders_appointment_id on public.reminders(appointment_id);
create index if not exists idx_error_logs_clinic_id on public.error_logs(clinic_id);
create index if not exists idx_referrals_referrer on public.referrals(referrer_customer_id);

-- ---------------------------------------------------------------------------
-- JSONB GIN indexes
-- ---------------------------------------------------------------------------
create index if not exists idx_analytics_events_properties on public.analytics_events using gin (properties);
create index if not exists idx_skin_analyses_analysis_results on public.skin_analyses using gin (analysis_results);
create index if not exists idx_marketing_campaigns_target_criteria on public.marketing_campaigns using gin (target_criteria);
create index if not exists idx_customer_segments_criteria on public.customer_segments using gin (criteria);

-- ---------------------------------------------------------------------------
-- Partial indexes for hot paths
-- ---------------------------------------------------------------------------
create index if not exists idx_customers_recent_visits on public.customers(last_visit_at desc) where deleted_at is null;
create index if not exists idx_sales_proposals_open on public.sales_proposals(valid_until) where status in ('sent', 'viewed');
create index if not exists idx_follow_ups_pending on public.follow_ups(due_date) where status = 'pending';
create index if not exists idx_inventory_items_expiry on public.inventory_items(expiry_date) where is_active and expiry_date is not null;
create index if not exists idx_chat_rooms_active on public.chat_rooms(last_message_at desc) where not is_archived;
create index if not exists idx_invitations_pending on public.invitations(expires_at) where status = 'pending';
