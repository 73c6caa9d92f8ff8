-- file: 20240101000000_secrets.sql
create function public."readSecret"("name" text) returns text
  language sql stable security definer set search_path = ''
  as $$ select decrypted_secret from vault.decrypted_secrets where name = "name" $$;
-- file: 20240102000000_signed_in_only.sql
create function public."order"(secret_id uuid) returns text
  language plpgsql security definer set search_path = ''
  as $$
begin
  perform vault.update_secret(secret_id, 'rotated');
  return 'ok';
end $$;
revoke execute on function public."order"(uuid) from public, anon;
-- file: 20240103000000_not_exposed.sql
create schema private;
create function private.read_secret(n text) returns text
  language sql stable security definer set search_path = ''
  as $$ select decrypted_secret from vault.decrypted_secrets where name = n $$;
create function public.secret_count() returns bigint
  language sql stable security definer set search_path = ''
  as $$ select count(*) from vault.secrets $$;
revoke execute on function public.secret_count() from public, anon, authenticated;
-- file: 20240104000000_fixed_secret.sql
-- not reported here: the secret is fixed (anon-security-definer-function reports it)
create function public.sign_in(token text) returns text
  language plpgsql security definer set search_path = ''
  as $$
declare
  key text;
begin
  select decrypted_secret into key from vault.decrypted_secrets where name = 'jwt_secret';
  return md5(token || key);
end $$;
