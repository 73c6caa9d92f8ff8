-- =============================================================================
-- skin_analyses performance indexes
-- History page and clinic dashboard are slow (skin_analyses > 1M rows in prod)
-- =============================================================================

create index if not exists idx_skin_analyses_user_id on public.skin_analyses(user_id);
create index if not exists idx_skin_analyses_customer_id on public.skin_analyses(customer_id);
create index if not exists idx_skin_analyses_branch_id on public.skin_analyses(branch_id);
create index if not exists idx_skin_analyses_status on public.skin_analyses(status);
create index if not exists idx_skin_analyses_analysis_type on public.skin_analyses(analysis_type);
create index if not exists idx_skin_analyses_skin_type on public.skin_analyses(skin_type);
create index if not exists idx_skin_analyses_overall_score on public.skin_analyses(overall_score);
create index if not exists idx_skin_analyses_ai_model on public.skin_analyses(ai_model);
