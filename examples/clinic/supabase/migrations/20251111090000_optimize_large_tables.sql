-- =============================================================================
-- Phase 4 / Task 4: large table tuning
-- Autovacuum at 5% instead of the 20% default on the fastest-growing tables.
-- See docs/current/LARGE_TABLE_OPTIMIZATION.md (partitioning is phase 2)
-- =============================================================================

alter table public.skin_analyses set (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02
);

alter table public.sales_leads set (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02
);

alter table public.customer_notes set (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02
);

alter table public.analytics_events set (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02
);

alter table public.treatment_records set (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02
);
