-- pgvet sandbox: the `storage` schema as Supabase Storage leaves it.
--
-- Buckets and objects with the columns, keys and helper functions migrations use
-- (policies on storage.objects with storage.foldername(name), inserts into
-- storage.buckets, ...). No storage server runs here: objects are rows only.

create table if not exists storage.buckets (
    id                 text not null primary key,
    name               text not null,
    owner              uuid,
    created_at         timestamptz default now(),
    updated_at         timestamptz default now(),
    public             boolean default false,
    avif_autodetection boolean default false,
    file_size_limit    bigint,
    allowed_mime_types text[],
    owner_id           text
);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
    id               uuid not null default gen_random_uuid() primary key,
    bucket_id        text constraint "objects_bucketId_fkey" references storage.buckets (id),
    name             text,
    owner            uuid,
    created_at       timestamptz default now(),
    updated_at       timestamptz default now(),
    last_accessed_at timestamptz default now(),
    metadata         jsonb,
    path_tokens      text[] generated always as (string_to_array(name, '/')) stored,
    version          text,
    owner_id         text,
    user_metadata    jsonb
);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");

create table if not exists storage.migrations (
    id          integer not null primary key,
    name        varchar(100) not null unique,
    hash        varchar(40) not null,
    executed_at timestamp default current_timestamp
);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
alter table storage.migrations enable row level security;

-- ---------------------------------------------------------------------------------
-- Path helpers used in storage policies.
--   storage.foldername('a/b/c.png') = {a,b}
--   storage.filename('a/b/c.png')   = c.png
--   storage.extension('a/b/c.png')  = png
-- ---------------------------------------------------------------------------------
create or replace function storage.foldername(name text)
    returns text[]
    language plpgsql
    immutable
as $$
declare
    _parts text[];
begin
    _parts := string_to_array(name, '/');
    return _parts[1 : array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text)
    returns text
    language plpgsql
    immutable
as $$
declare
    _parts text[];
begin
    _parts := string_to_array(name, '/');
    return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text)
    returns text
    language plpgsql
    immutable
as $$
declare
    _filename text;
begin
    _filename := storage.filename(name);
    return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

create or replace function storage.get_size_by_bucket()
    returns table (size bigint, bucket_id text)
    language plpgsql
    stable
as $$
begin
    return query
        select sum((o.metadata ->> 'size')::bigint)::bigint as size, o.bucket_id
        from storage.objects o
        group by o.bucket_id;
end
$$;

create or replace function storage.search(
    prefix      text,
    bucketname  text,
    limits      integer default 100,
    levels      integer default 1,
    offsets     integer default 0,
    search      text default '',
    sortcolumn  text default 'name',
    sortorder   text default 'asc'
)
    returns table (
        name             text,
        id               uuid,
        updated_at       timestamptz,
        created_at       timestamptz,
        last_accessed_at timestamptz,
        metadata         jsonb
    )
    language plpgsql
    stable
as $$
-- Sandbox version: lists the objects directly under `prefix` (no folder rows).
begin
    return query execute format(
        'select o.path_tokens[$1], o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
           from storage.objects o
          where o.bucket_id = $2
            and o.name ilike $3 || $4 || ''%%''
            and array_length(o.path_tokens, 1) = $1
          order by %I %s
          limit $5 offset $6',
        case when sortcolumn in ('name', 'updated_at', 'created_at', 'last_accessed_at')
             then sortcolumn else 'name' end,
        case when lower(sortorder) = 'desc' then 'desc' else 'asc' end)
    using levels, bucketname, prefix, search, limits, offsets;
end
$$;

create or replace function storage.update_updated_at_column()
    returns trigger
    language plpgsql
as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create or replace trigger update_objects_updated_at
    before update on storage.objects
    for each row execute function storage.update_updated_at_column();

-- ---------------------------------------------------------------------------------
-- Ownership and grants, as on Supabase: the storage server (supabase_storage_admin)
-- owns the schema; the API roles reach buckets and objects through RLS.
-- ---------------------------------------------------------------------------------
alter schema storage owner to supabase_storage_admin;
alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter table storage.migrations owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.get_size_by_bucket() owner to supabase_storage_admin;
alter function storage.search(text, text, integer, integer, integer, text, text, text)
    owner to supabase_storage_admin;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;

grant all on storage.buckets to anon, authenticated, service_role, postgres, dashboard_user;
grant all on storage.objects to anon, authenticated, service_role, postgres, dashboard_user;
grant all on storage.migrations to postgres, dashboard_user;
grant all on all functions in schema storage to postgres, anon, authenticated, service_role;
