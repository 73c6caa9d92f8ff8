-- Read receipts / unread counters and message attachments

create table if not exists public.chat_read_status (
  id uuid primary key default uuid_generate_v4(),
  room_id uuid not null references public.chat_rooms(id) on delete cascade,
  user_id uuid not null references public.users(id) on delete cascade,
  last_read_message_id uuid references public.chat_messages(id) on delete set null,
  last_read_at timestamptz not null default now(),
  unread_count integer not null default 0,
  unique (user_id, room_id)
);

create table if not exists public.chat_attachments (
  id uuid primary key default uuid_generate_v4(),
  message_id uuid not null references public.chat_messages(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  file_name text not null,
  mime_type text,
  size_bytes bigint,
  storage_path text not null,
  created_at timestamptz not null default now()
);

create index if not exists idx_chat_attachments_message_id on public.chat_attachments(message_id);

alter table public.chat_read_status enable row level security;
alter table public.chat_attachments enable row level security;

create policy "Users can manage own read status" on public.chat_read_status
  for all using (user_id = auth.uid());

create policy "Participants can view attachments" on public.chat_attachments
  for select using (
    message_id in (
      select m.id from public.chat_messages m
      join public.chat_participants cp on cp.room_id = m.room_id
      where cp.user_id = auth.uid()
    )
  );

create policy "Clinic staff can manage attachments" on public.chat_attachments
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );
