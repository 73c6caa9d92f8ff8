-- Enable required extensions
-- Supabase keeps extensions in the "extensions" schema (it is on the search_path)

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
