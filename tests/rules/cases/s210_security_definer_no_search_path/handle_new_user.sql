-- Supabase's sign-up trigger with an unqualified insert target: '' would break every sign-up
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  full_name text,
  avatar_url text
);
create function public.handle_new_user() returns trigger
  language plpgsql security definer
  as $$
  declare
    existing profiles%rowtype;
  begin
    insert into profiles (id, full_name, avatar_url)
    values (new.id, new.raw_user_meta_data->>'full_name', new.raw_user_meta_data->>'avatar_url');
    return new;
  end;
  $$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute procedure public.handle_new_user();
