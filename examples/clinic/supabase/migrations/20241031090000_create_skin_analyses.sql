-- =============================================================================
-- skin_analyses: AI skin analysis results (the product's core feature)
-- One row per photo analysed. Expected to be the largest table.
-- =============================================================================

create table if not exists public.skin_analyses (
  id uuid primary key default uuid_generate_v4(),
  user_id uuid not null references auth.users(id) on delete cascade,
  customer_id uuid references public.customers(id) on delete set null,
  clinic_id uuid references public.clinics(id) on delete set null,
  branch_id uuid references public.branches(id) on delete set null,
  image_url text not null,
  thumbnail_url text,
  analysis_type text not null default 'full'
    check (analysis_type in ('quick', 'full', 'vision_ai')),
  status text not null default 'processing'
    check (status in ('processing', 'completed', 'failed')),
  overall_score integer check (overall_score between 0 and 100),
  skin_age integer check (skin_age between 0 and 120),
  skin_type text,
  concerns jsonb not null default '[]'::jsonb,          -- e.g. ["acne", "melasma", "wrinkles"]
  analysis_results jsonb not null default '{}'::jsonb,  -- per-metric scores from the model
  recommendations jsonb not null default '[]'::jsonb,
  ai_model text,
  ai_confidence numeric(5, 4),
  is_shared boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_skin_analyses_user_id on public.skin_analyses(user_id);
create index if not exists idx_skin_analyses_created_at on public.skin_analyses(created_at desc);

create trigger update_skin_analyses_updated_at
  before update on public.skin_analyses
  for each row execute function public.handle_updated_at();

alter table public.skin_analyses enable row level security;

create policy "Users can view own analyses" on public.skin_analyses
  for select using (auth.uid() = user_id);

create policy "Users can insert own analyses" on public.skin_analyses
  for insert with check (auth.uid() = user_id);

create policy "Users can delete own analyses" on public.skin_analyses
  for delete using (auth.uid() = user_id);

create policy "Clinic staff can view clinic analyses" on public.skin_analyses
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
