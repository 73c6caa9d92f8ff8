-- sign(json, text) is the project's (pg_catalog has only sign(numeric)): public must stay
-- on the path; a variable of a type in another schema is no name to resolve. And the run
-- on the sandbox finds what reading the body cannot: public.sign() calls pgcrypto's
-- hmac() unqualified, which the pinned path no longer reaches, so nothing is proposed
create schema app;
create type app.token_row as (user_id uuid, token_hash bytea);
create function public.sign(payload json, secret text) returns text
  language sql immutable
  as $$ select encode(hmac(payload::text, secret, 'sha256'), 'hex') $$;
create function public.issue_token(secret text) returns text
  language plpgsql security definer
  as $$
  declare
    tokens_row app.token_row;
  begin
    select null::uuid, null::bytea into tokens_row;
    return sign(json_build_object('role', 'authenticated', 'n', sign(-2)), secret);
  end;
  $$;
