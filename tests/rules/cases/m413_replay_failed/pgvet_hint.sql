-- A failure pgvet has a hint for (what the Supabase platform does not permit): the hint is
-- in the finding, at the failing statement's line, not the file's first.
-- file: 20240101000000_create_group.sql
create table public."Group" (id bigint primary key, "user" text);
-- file: 20240201000000_load_group.sql
-- expect: this file fails
create policy "Members read" on public."Group" for select using (true);

copy public."Group" from program $$echo 1$$;
