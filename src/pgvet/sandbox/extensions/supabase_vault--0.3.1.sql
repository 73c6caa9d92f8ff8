-- pgvet sandbox stand-in for Supabase Vault 0.3.1, in SQL and PL/pgSQL only.
--
-- Same schema (`vault`), table, view and function signatures as the real extension:
-- vault.create_secret() / vault.update_secret() store secrets base64-encoded and
-- encrypted in vault.secrets, and vault.decrypted_secrets shows them decrypted.
-- Faked: the encryption is a keyed SHA-256 XOR stream with a fixed sandbox key instead of
-- libsodium's AEAD with the server's root key. Do not put real secrets in a sandbox.

-- Private crypto helpers (same names and signatures as the real ones).
create function vault._crypto_aead_det_noncegen()
    returns bytea
    language sql
    volatile
as $fn$
    select substring(sha256(uuid_send(pg_catalog.gen_random_uuid())) from 1 for 16)
$fn$;

create function vault._crypto_aead_det_encrypt(
    message    bytea,
    additional bytea,
    key_id     bigint,
    context    bytea default 'pgsodium',
    nonce      bytea default null
)
    returns bytea
    language sql
    immutable
as $fn$
    with k as (
        select sha256('pgvet sandbox vault key'::bytea || int8send(key_id) || coalesce(context, '')
                      || coalesce(nonce, '') || coalesce(additional, '')) as key
    ),
    hx as (
        select octet_length(message) as n,
               encode(message, 'hex') || repeat('0', 16) as dh,
               (select encode(string_agg(sha256(k.key || int4send(g)), ''::bytea order by g), 'hex')
                  from generate_series(0, octet_length(message) / 32) g) || repeat('0', 16) as kh
        from k
    )
    select coalesce(substring(
               (select string_agg(int8send(('x' || substr(dh, i, 16))::bit(64)::bigint
                                           # ('x' || substr(kh, i, 16))::bit(64)::bigint),
                                  ''::bytea order by i)
                  from generate_series(1, 2 * n, 16) i)
               from 1 for n), ''::bytea)
    from hx
$fn$;

-- The stream cipher is its own inverse.
create function vault._crypto_aead_det_decrypt(
    message    bytea,
    additional bytea,
    key_id     bigint,
    context    bytea default 'pgsodium',
    nonce      bytea default null
)
    returns bytea
    language sql
    immutable
as $fn$
    select vault._crypto_aead_det_encrypt(message, additional, key_id, context, nonce)
$fn$;

create table vault.secrets (
    id          uuid primary key default gen_random_uuid(),
    name        text,
    description text not null default '',
    secret      text not null,
    key_id      uuid,
    nonce       bytea default vault._crypto_aead_det_noncegen(),
    created_at  timestamptz not null default current_timestamp,
    updated_at  timestamptz not null default current_timestamp
);
comment on table vault.secrets is
    'Table with encrypted `secret` column for storing sensitive information on disk.';
create unique index secrets_name_idx on vault.secrets (name) where name is not null;
select pg_catalog.pg_extension_config_dump('vault.secrets', '');

create view vault.decrypted_secrets as
select s.id,
       s.name,
       s.description,
       s.secret,
       convert_from(
           vault._crypto_aead_det_decrypt(
               message := decode(s.secret, 'base64'),
               additional := convert_to(s.id::text, 'utf8'),
               key_id := 0,
               context := 'pgsodium'::bytea,
               nonce := s.nonce),
           'utf8') as decrypted_secret,
       s.key_id,
       s.nonce,
       s.created_at,
       s.updated_at
from vault.secrets s;

create function vault.create_secret(
    new_secret      text,
    new_name        text default null,
    new_description text default '',
    new_key_id      uuid default null
)
    returns uuid
    language plpgsql
    security definer
    set search_path = ''
as $fn$
declare
    rec record;
begin
    insert into vault.secrets (secret, name, description)
    values (new_secret, new_name, new_description)
    returning * into rec;

    update vault.secrets s
       set secret = encode(vault._crypto_aead_det_encrypt(
                               message := convert_to(rec.secret, 'utf8'),
                               additional := convert_to(s.id::text, 'utf8'),
                               key_id := 0,
                               context := 'pgsodium'::bytea,
                               nonce := rec.nonce), 'base64')
     where s.id = rec.id;

    return rec.id;
end
$fn$;

create function vault.update_secret(
    secret_id       uuid,
    new_secret      text default null,
    new_name        text default null,
    new_description text default null,
    new_key_id      uuid default null
)
    returns void
    language plpgsql
    security definer
    set search_path = ''
as $fn$
begin
    update vault.secrets s
       set secret = case when new_secret is null then s.secret
                         else encode(vault._crypto_aead_det_encrypt(
                                         message := convert_to(new_secret, 'utf8'),
                                         additional := convert_to(s.id::text, 'utf8'),
                                         key_id := 0,
                                         context := 'pgsodium'::bytea,
                                         nonce := s.nonce), 'base64')
                    end,
           name = coalesce(new_name, s.name),
           description = coalesce(new_description, s.description),
           updated_at = now()
     where s.id = secret_id;
end
$fn$;

revoke all on vault.secrets from public;
revoke all on vault.decrypted_secrets from public;
revoke all on function vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea) from public;
revoke all on function vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) from public;
revoke all on function vault.create_secret(text, text, text, uuid) from public;
revoke all on function vault.update_secret(uuid, text, text, text, uuid) from public;
