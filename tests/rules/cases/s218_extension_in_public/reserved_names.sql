-- file: 20240101000000_extensions.sql
create extension if not exists pg_trgm;
create extension "cube" with schema public;
create extension hstore with schema extensions;
-- file: 20240102000000_moved.sql
create extension citext;
drop extension citext;
create extension citext schema extensions;
-- file: 20240103000000_own_schema.sql
-- not reported: registered in public, its objects are in schema net
create extension if not exists pg_net;
