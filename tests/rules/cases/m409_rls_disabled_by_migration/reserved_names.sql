-- file: 20240101000000_create_note.sql
create table public."Note" (
  id bigint generated always as identity primary key,
  "user" uuid not null default auth.uid(),
  body text
);
alter table public."Note" enable row level security;
-- file: 20240301000000_hotfix_note.sql
alter table public."Note" disable row level security;
