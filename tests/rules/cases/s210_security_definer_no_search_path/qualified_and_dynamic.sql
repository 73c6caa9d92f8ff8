-- everything qualified: '' (confirmed by a call); dynamic SQL: the whole current path
create table public."Order" (id bigint primary key, "user" uuid);
create function public.order_count(who uuid) returns bigint
  language sql stable security definer
  as $$ select count(*) from public."Order" o where o."user" = who $$;
create function public.count_rows(tbl text) returns bigint
  language plpgsql security definer
  as $$
  declare n bigint;
  begin
    execute format('select count(*) from %I', tbl) into n;
    return n;
  end;
  $$;
