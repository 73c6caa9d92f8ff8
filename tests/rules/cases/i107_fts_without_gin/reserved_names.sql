create table public."Article" (
  id uuid primary key default gen_random_uuid(),
  "user" text not null
);
create function public.search_articles(q text) returns setof public."Article"
language sql stable as $$
  select * from public."Article"
  where to_tsvector('english', "user") @@ websearch_to_tsquery('english', q)
$$;
