create extension "pg_trgm" version '1.4' schema extensions;
create extension "cube" version '1.4' schema extensions;
create extension hstore schema extensions;
