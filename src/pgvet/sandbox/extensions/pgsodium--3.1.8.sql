-- pgvet sandbox stand-in for pgsodium 3.1, in SQL and PL/pgSQL only.
--
-- Same schema (`pgsodium`), roles, key table, views and signatures for the commonly
-- used part of the API: key management (pgsodium.key, create_key, valid_key,
-- decrypted_key), random bytes, deterministic AEAD encryption by key id / key uuid,
-- secretbox, and SHA-256/512 hashing.
-- Real values: randombytes_*, crypto_hash_sha256/sha512.
-- Faked: every cipher is a keyed SHA-256 XOR stream with a fixed sandbox root key, not
-- libsodium; ciphertexts round-trip through the matching decrypt function only.
-- Missing: transparent column encryption (SECURITY LABEL FOR pgsodium needs the C
-- module's label provider), and the rest of libsodium's API.

do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgsodium_keyiduser') then
        create role pgsodium_keyiduser nologin;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgsodium_keyholder') then
        create role pgsodium_keyholder nologin;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgsodium_keymaker') then
        create role pgsodium_keymaker nologin;
    end if;
end
$roles$;
grant pgsodium_keyiduser to pgsodium_keyholder;
grant pgsodium_keyholder to pgsodium_keymaker;

create type pgsodium.key_status as enum ('default', 'valid', 'invalid', 'expired');
create type pgsodium.key_type as enum (
    'aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash',
    'generichash', 'kdf', 'secretbox', 'secretstream', 'stream_xchacha20');

create sequence pgsodium.key_key_id_seq;

create table pgsodium.key (
    id              uuid primary key default gen_random_uuid(),
    status          pgsodium.key_status default 'valid',
    created         timestamptz not null default current_timestamp,
    expires         timestamptz,
    key_type        pgsodium.key_type,
    key_id          bigint default nextval('pgsodium.key_key_id_seq'),
    key_context     bytea default 'pgsodium',
    name            text unique,
    associated_data text default 'associated',
    raw_key         bytea,
    raw_key_nonce   bytea,
    parent_key      uuid references pgsodium.key (id),
    comment         text,
    user_data       text,
    constraint pgsodium_raw check (
        case when raw_key is not null
             then key_id is null and key_context is null and parent_key is not null
             else key_id is not null and key_context is not null and parent_key is null
        end)
);
comment on table pgsodium.key is 'This table holds metadata for derived keys given a key_id and key_context. The raw key is never stored.';
alter sequence pgsodium.key_key_id_seq owned by pgsodium.key.key_id;
create index key_status_idx on pgsodium.key (status) where status in ('valid', 'default');
create unique index key_status_idx1 on pgsodium.key (status) where status = 'default';
create unique index key_key_id_key_context_key_type_idx on pgsodium.key (key_id, key_context, key_type);
select pg_catalog.pg_extension_config_dump('pgsodium.key', '');

create view pgsodium.valid_key as
select id, name, status, key_type, key_id, key_context, created, expires, associated_data
from pgsodium.key
where status in ('valid', 'default')
  and case when expires is null then true else expires > now() end;

create view pgsodium.decrypted_key as
select id, status, created, expires, key_type, key_id, key_context, name, associated_data,
       raw_key, null::bytea as decrypted_raw_key, raw_key_nonce, parent_key, comment
from pgsodium.key;

-- ---------------------------------------------------------------------------------
-- Random data and hashes (real)
-- ---------------------------------------------------------------------------------
create function pgsodium.randombytes_buf(size integer)
    returns bytea
    language plpgsql
    volatile strict
as $fn$
declare
    result bytea := '';
begin
    while octet_length(result) < size loop
        result := result || sha256(uuid_send(pg_catalog.gen_random_uuid())
                                   || uuid_send(pg_catalog.gen_random_uuid()));
    end loop;
    return substring(result from 1 for size);
end
$fn$;

create function pgsodium.randombytes_random()
    returns integer
    language sql
    volatile
as $fn$
    select ('x' || encode(substring(uuid_send(pg_catalog.gen_random_uuid()) from 1 for 4), 'hex'))::bit(32)::integer
$fn$;

create function pgsodium.randombytes_uniform(upper_bound integer)
    returns integer
    language sql
    volatile strict
as $fn$
    select floor(random() * upper_bound)::integer
$fn$;

create function pgsodium.crypto_hash_sha256(message bytea)
    returns bytea
    language sql
    immutable strict
as $fn$ select sha256(message) $fn$;

create function pgsodium.crypto_hash_sha512(message bytea)
    returns bytea
    language sql
    immutable strict
as $fn$ select sha512(message) $fn$;

-- ---------------------------------------------------------------------------------
-- Ciphers (stand-in)
-- ---------------------------------------------------------------------------------

-- XORs data with a SHA-256 keystream of key; its own inverse.
create function pgsodium._pgvet_xor(data bytea, key bytea)
    returns bytea
    language sql
    immutable strict
as $fn$
    with hx as (
        select octet_length(data) as n,
               encode(data, 'hex') || repeat('0', 16) as dh,
               (select encode(string_agg(sha256(key || int4send(g)), ''::bytea order by g), 'hex')
                  from generate_series(0, octet_length(data) / 32) g) || repeat('0', 16) as kh
    )
    select coalesce(substring(
               (select string_agg(int8send(('x' || substr(dh, i, 16))::bit(64)::bigint
                                           # ('x' || substr(kh, i, 16))::bit(64)::bigint),
                                  ''::bytea order by i)
                  from generate_series(1, 2 * n, 16) i)
               from 1 for n), ''::bytea)
    from hx
$fn$;

-- The key a key id and context derive to, from the sandbox's fixed root key.
create function pgsodium.derive_key(key_id bigint, key_len integer default 32,
                                    context bytea default 'pgsodium')
    returns bytea
    language sql
    immutable strict
as $fn$
    select substring(sha512('pgvet sandbox pgsodium root key'::bytea || int8send(key_id) || context)
                     from 1 for key_len)
$fn$;

create function pgsodium.crypto_aead_det_keygen()
    returns bytea
    language sql
    volatile
as $fn$ select pgsodium.randombytes_buf(32) $fn$;

create function pgsodium.crypto_aead_det_noncegen()
    returns bytea
    language sql
    volatile
as $fn$ select pgsodium.randombytes_buf(16) $fn$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key bytea,
                                                 nonce bytea default null)
    returns bytea
    language sql
    immutable
as $fn$
    select pgsodium._pgvet_xor(message, sha256(key || coalesce(additional, '') || coalesce(nonce, '')))
$fn$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key bytea,
                                                 nonce bytea default null)
    returns bytea
    language sql
    immutable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional, key, nonce)
$fn$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_id bigint,
                                                 context bytea default 'pgsodium',
                                                 nonce bytea default null)
    returns bytea
    language sql
    immutable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional,
                                            pgsodium.derive_key(key_id, 32, context), nonce)
$fn$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_id bigint,
                                                 context bytea default 'pgsodium',
                                                 nonce bytea default null)
    returns bytea
    language sql
    immutable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional, key_id, context, nonce)
$fn$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid)
    returns bytea
    language sql
    stable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional, k.key_id, k.key_context)
    from pgsodium.valid_key k
    where k.id = key_uuid
$fn$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid)
    returns bytea
    language sql
    stable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional, key_uuid)
$fn$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid,
                                                 nonce bytea)
    returns bytea
    language sql
    stable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional, k.key_id, k.key_context, nonce)
    from pgsodium.valid_key k
    where k.id = key_uuid
$fn$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid,
                                                 nonce bytea)
    returns bytea
    language sql
    stable
as $fn$
    select pgsodium.crypto_aead_det_encrypt(message, additional, key_uuid, nonce)
$fn$;

create function pgsodium.crypto_secretbox_keygen()
    returns bytea
    language sql
    volatile
as $fn$ select pgsodium.randombytes_buf(32) $fn$;

create function pgsodium.crypto_secretbox_noncegen()
    returns bytea
    language sql
    volatile
as $fn$ select pgsodium.randombytes_buf(24) $fn$;

create function pgsodium.crypto_secretbox(message bytea, nonce bytea, key bytea)
    returns bytea
    language sql
    immutable strict
as $fn$
    select pgsodium._pgvet_xor(message, sha256(key || nonce))
$fn$;

create function pgsodium.crypto_secretbox_open(ciphertext bytea, nonce bytea, key bytea)
    returns bytea
    language sql
    immutable strict
as $fn$
    select pgsodium._pgvet_xor(ciphertext, sha256(key || nonce))
$fn$;

-- ---------------------------------------------------------------------------------
-- Key management
-- ---------------------------------------------------------------------------------
create function pgsodium.create_key(
    key_type        pgsodium.key_type default 'aead-det',
    name            text default null,
    raw_key         bytea default null,
    raw_key_nonce   bytea default null,
    parent_key      uuid default null,
    key_context     bytea default 'pgsodium',
    expires         timestamptz default null,
    associated_data text default ''
)
    returns pgsodium.valid_key
    language plpgsql
    security definer
    set search_path = ''
as $fn$
declare
    new_key pgsodium.key;
    result  pgsodium.valid_key;
begin
    insert into pgsodium.key (key_id, key_context, key_type, raw_key, raw_key_nonce,
                              parent_key, expires, name, associated_data)
    values (case when raw_key is null then pg_catalog.nextval('pgsodium.key_key_id_seq') end,
            case when raw_key is null then key_context end,
            key_type, raw_key,
            case when raw_key is not null then coalesce(raw_key_nonce, pgsodium.crypto_aead_det_noncegen()) end,
            parent_key, expires, name, associated_data)
    returning * into new_key;

    select * into result from pgsodium.valid_key v where v.id = new_key.id;
    return result;
end
$fn$;

grant usage on schema pgsodium to pgsodium_keyiduser;
grant select on pgsodium.valid_key to pgsodium_keyiduser;
grant all on pgsodium.key to pgsodium_keymaker;
grant select on pgsodium.decrypted_key to pgsodium_keymaker;
