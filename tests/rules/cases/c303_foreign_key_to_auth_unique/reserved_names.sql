create table public."Contact" (id bigint primary key, "user" text,
  constraint "order" foreign key ("user") references auth.users (phone));
create table public.sessions_copy (id bigint primary key,
  token varchar(255) references auth.refresh_tokens (token));
-- not reported: the primary key
create table public.profiles (id uuid primary key references auth.users (id));
