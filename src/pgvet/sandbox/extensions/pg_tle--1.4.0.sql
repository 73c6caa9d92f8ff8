-- pgvet sandbox stand-in for pg_tle 1.4.0, in SQL and PL/pgSQL only.
--
-- Migrations call pgtle.install_extension() to register extensions written in SQL (dbdev
-- packages). The stand-in records them in pgtle.pgvet_installed with the same function
-- signatures; `create extension` of a registered name is not possible (that needs pg_tle's
-- C hooks), which pgvet reports as a missing extension.

do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgtle_admin') then
        create role pgtle_admin nologin;
    end if;
end
$roles$;

create table pgtle.pgvet_installed (
    name        text not null,
    version     text not null,
    description text,
    ext         text not null,
    requires    text[],
    is_default  boolean not null default true,
    primary key (name, version)
);

create function pgtle.install_extension(
    name text, version text, description text, ext text, requires text[] default null
) returns boolean
    language plpgsql
as $fn$
begin
    insert into pgtle.pgvet_installed values (name, version, description, ext, requires);
    return true;
exception when unique_violation then
    raise exception 'extension "%" already installed', name using errcode = '42710';
end
$fn$;

create function pgtle.install_extension_version_sql(name text, version text, ext text)
    returns boolean
    language sql
as $fn$
    insert into pgtle.pgvet_installed (name, version, ext, is_default)
    values (name, version, ext, false) returning true
$fn$;

create function pgtle.install_update_path(name text, fromvers text, tovers text, ext text)
    returns boolean
    language sql
as $fn$ select true $fn$;

create function pgtle.set_default_version(name text, version text) returns boolean
    language sql
as $fn$
    update pgtle.pgvet_installed i set is_default = (i.version = set_default_version.version)
    where i.name = set_default_version.name returning true
$fn$;

create function pgtle.uninstall_extension(extname text) returns boolean
    language plpgsql
as $fn$
begin
    delete from pgtle.pgvet_installed where name = extname;
    return found;
end
$fn$;

create function pgtle.uninstall_extension(extname text, version text) returns boolean
    language plpgsql
as $fn$
begin
    delete from pgtle.pgvet_installed i where i.name = extname and i.version = uninstall_extension.version;
    return found;
end
$fn$;

create function pgtle.available_extensions(
    out name name, out default_version text, out comment text
) returns setof record
    language sql
as $fn$
    select i.name::name, i.version, i.description from pgtle.pgvet_installed i where i.is_default
$fn$;

create function pgtle.available_extension_versions(
    out name name, out version text, out superuser boolean, out trusted boolean,
    out relocatable boolean, out schema name, out requires name[], out comment text
) returns setof record
    language sql
as $fn$
    select i.name::name, i.version, false, false, false, null::name, i.requires::name[],
           i.description
    from pgtle.pgvet_installed i
$fn$;

grant usage on schema pgtle to public;
