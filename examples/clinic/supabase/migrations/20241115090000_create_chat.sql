-- =============================================================================
-- Chat: customer <-> clinic conversations and internal staff rooms
-- =============================================================================

create table if not exists public.chat_rooms (
  id uuid primary key default uuid_generate_v4(),
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  branch_id uuid references public.branches(id) on delete set null,
  customer_id uuid references public.customers(id) on delete cascade,
  room_type text not null default 'customer_support'
    check (room_type in ('customer_support', 'internal', 'consultation')),
  name text,
  is_archived boolean not null default false,
  last_message_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_by uuid references public.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists idx_chat_rooms_clinic_id on public.chat_rooms(clinic_id);
create index if not exists idx_chat_rooms_customer_id on public.chat_rooms(customer_id);

create table if not exists public.chat_participants (
  id uuid primary key default uuid_generate_v4(),
  room_id uuid not null references public.chat_rooms(id) on delete cascade,
  user_id uuid not null references public.users(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'member', 'customer')),
  is_muted boolean not null default false,
  joined_at timestamptz not null default now(),
  left_at timestamptz,
  unique (room_id, user_id)
);

create index if not exists idx_chat_participants_user_id on public.chat_participants(user_id);

create table if not exists public.chat_messages (
  id uuid primary key default uuid_generate_v4(),
  room_id uuid not null references public.chat_rooms(id) on delete cascade,
  clinic_id uuid not null references public.clinics(id) on delete cascade,
  sender_id uuid references public.users(id) on delete set null,
  message_type text not null default 'text'
    check (message_type in ('text', 'image', 'file', 'system', 'treatment_card')),
  content text,
  metadata jsonb not null default '{}'::jsonb,
  reply_to_id uuid references public.chat_messages(id) on delete set null,
  edited_at timestamptz,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);

create index if not exists idx_chat_messages_room_created on public.chat_messages(room_id, created_at desc);

create trigger update_chat_rooms_updated_at
  before update on public.chat_rooms
  for each row execute function public.handle_updated_at();

-- bump chat_rooms.last_message_at
create or replace function public.touch_chat_room()
returns trigger
language plpgsql
as $$
begin
  update public.chat_rooms set last_message_at = new.created_at where id = new.room_id;
  return new;
end;
$$;

create trigger on_chat_message_created
  after insert on public.chat_messages
  for each row execute function public.touch_chat_room();

alter table public.chat_rooms enable row level security;
alter table public.chat_participants enable row level security;
alter table public.chat_messages enable row level security;

create policy "Participants can view rooms" on public.chat_rooms
  for select using (
    exists (
      select 1 from public.chat_participants cp
      where cp.room_id = chat_rooms.id and cp.user_id = auth.uid()
    )
  );

create policy "Clinic staff can manage rooms" on public.chat_rooms
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Users can view own participation" on public.chat_participants
  for select using (user_id = auth.uid());

create policy "Clinic staff can manage participants" on public.chat_participants
  for all using (
    clinic_id in (select clinic_id from public.clinic_staff where user_id = auth.uid())
  );

create policy "Participants can view messages" on public.chat_messages
  for select using (
    exists (
      select 1 from public.chat_participants cp
      where cp.room_id = chat_messages.room_id
        and cp.user_id = auth.uid()
    )
  );

create policy "Participants can send messages" on public.chat_messages
  for insert with check (
    sender_id = auth.uid()
    and exists (
      select 1 from public.chat_participants cp
      where cp.room_id = chat_messages.room_id
        and cp.user_id = auth.uid()
    )
  );

create policy "Senders can edit own messages" on public.chat_messages
  for update using (sender_id = auth.uid());

alter publication supabase_realtime add table public.chat_messages;
