create table public."Order" (id bigint primary key, "ownerId" uuid, total numeric);
create function public."cancelOrder"("orderId" bigint) returns void
  language sql volatile security definer set search_path = ''
  as $$ update public."Order" set total = 0 where id = "orderId" $$;
revoke execute on function public."cancelOrder"(bigint) from public, anon;
-- reported by anon-security-definer-function, not here
create function public."table"() returns bigint
  language sql stable security definer set search_path = ''
  as $$ select count(*) from public."Order" $$;
-- nobody in the API may call it
create function public.purge() returns void
  language sql volatile security definer set search_path = ''
  as $$ delete from public."Order" where total = 0 $$;
revoke execute on function public.purge() from public, anon, authenticated;
