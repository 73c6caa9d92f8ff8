-- the helper is not pinned: with the proposed path it no longer finds similarity()
create extension if not exists pg_trgm with schema extensions;
create function public.name_score(a text, b text) returns real
  language sql stable
  as $$ select similarity(a, b) $$;
create function public.best_score(a text) returns real
  language sql stable security definer
  as $$ select name_score(a, 'pgvet') $$;
