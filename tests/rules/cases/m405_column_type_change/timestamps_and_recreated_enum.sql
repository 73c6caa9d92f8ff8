-- file: 20240101000000_init.sql
create type public.brain_type_enum as enum ('doc', 'api');
create table public.brains (
  id bigint generated always as identity primary key,
  brain_type public.brain_type_enum not null default 'doc',
  "createdAt" timestamp not null default now(),
  last_seen timestamp
);
create index brains_created_at_idx on public.brains ("createdAt");
-- file: 20240201000000_timestamptz.sql
-- UTC session (Supabase): no rewrite; the index on "createdAt" is rebuilt, last_seen has none
alter table public.brains alter column "createdAt" type timestamptz;
alter table public.brains alter column last_seen type timestamp with time zone;
-- file: 20240301000000_brain_types.sql
-- the enum rebuilt under the same name: the column moves to the new type (a rewrite)
alter type public.brain_type_enum rename to brain_type_enum_old;
create type public.brain_type_enum as enum ('doc', 'api', 'composite');
alter table public.brains alter column brain_type drop default;
alter table public.brains alter column brain_type type public.brain_type_enum
  using brain_type::text::public.brain_type_enum;
drop type public.brain_type_enum_old;
