-- A failure pgvet has a hint for (a uuid compared with text): the hint is in the finding,
-- at the failing statement's line, not the file's first. (PostgreSQL words this error the
-- same on 15 and 18, so the golden holds on every major.)
-- file: 20240101000000_create_group.sql
create table public."Group" (id bigint primary key, "user" text);
-- file: 20240201000000_load_group.sql
-- expect: this file fails
create policy "Members read" on public."Group" for select using (true);

select 1 from public."Group" where gen_random_uuid() = "user";
