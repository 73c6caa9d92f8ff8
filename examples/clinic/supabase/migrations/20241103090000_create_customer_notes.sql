-- =============================================================================
-- customer_notes: free-text notes on a customer (consultation notes, complaints, sales notes)
-- Searchable from the CRM search box.
-- =============================================================================

create table if not exists public.customer_notes (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  customer_id uuid not null references public.customers(id) on delete cascade,
  author_id uuid references public.users(id) on delete set null,
  note_type text not null default 'general'
    check (note_type in ('general', 'medical', 'sales', 'complaint', 'follow_up')),
  content text not null,
  is_private boolean not null default false,
  is_pinned boolean not null default false,
  attachments jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

-- Full-text search over note content
create index if not exists idx_customer_notes_content_fts
  on public.customer_notes using gin (to_tsvector('english', content));

create trigger update_customer_notes_updated_at
  before update on public.customer_notes
  for each row execute function public.handle_updated_at();

alter table public.customer_notes enable row level security;

create policy "Clinic staff can view notes" on public.customer_notes
  for select using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
    and (is_private = false or author_id = auth.uid())
  );

create policy "Clinic staff can create notes" on public.customer_notes
  for insert with check (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Authors can update own notes" on public.customer_notes
  for update using (author_id = auth.uid());
