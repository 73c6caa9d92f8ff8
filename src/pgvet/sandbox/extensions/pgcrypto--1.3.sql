-- pgvet sandbox stand-in for pgcrypto 1.3, in SQL and PL/pgSQL only.
--
-- Installed only on servers that lack the real pgcrypto. Same function names and
-- signatures as the real extension.
--
-- Real values:
--   digest()            md5, sha1, sha224, sha256, sha384, sha512 (SHA-1 is implemented
--                       here; the others use the server's built-in functions)
--   hmac()              RFC 2104 HMAC over digest()
--   gen_random_bytes()  random bytes (from gen_random_uuid() hashed with SHA-256)
--   gen_random_uuid()   the server's built-in one
--   armor()/dearmor()   OpenPGP ASCII armor with its CRC-24 checksum
-- Faked (same shapes, not the real algorithms):
--   gen_salt() / crypt()   salts and hashes look like bcrypt ($2a$06$...), md5-crypt
--                          ($1$...), xdes (_...) or des; crypt(pw, stored) = stored holds
--                          for the right password only, but the hashes are SHA-256 based
--                          and do not match what real crypt() or GoTrue produce
--   pgp_sym_encrypt()/pgp_sym_decrypt() and the _bytea variants: reversible, keyed,
--                          randomized; not OpenPGP. A wrong key fails like the real one
--   encrypt()/decrypt(), encrypt_iv()/decrypt_iv(): reversible keyed XOR stream, not AES
--   pgp_pub_*(), pgp_key_id(): raise "not available in the pgvet sandbox"
--
-- The extension is relocatable, so functions call each other unqualified; the block at
-- the end pins each function's search_path to the schema it was installed in.

-- ---------------------------------------------------------------------------------
-- Digests
-- ---------------------------------------------------------------------------------
create function digest(bytea, text)
    returns bytea
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    data  bytea := $1;
    alg   text := lower($2);
    mask  constant bigint := 4294967295;
    msg   bytea;
    nbits bigint;
    w     bigint[];
    h0    bigint := 1732584193;   -- 0x67452301
    h1    bigint := 4023233417;   -- 0xEFCDAB89
    h2    bigint := 2562383102;   -- 0x98BADCFE
    h3    bigint := 271733878;    -- 0x10325476
    h4    bigint := 3285377520;   -- 0xC3D2E1F0
    a bigint; b bigint; c bigint; d bigint; e bigint;
    f bigint; k bigint; t bigint;
    base  integer;
begin
    if alg = 'md5' then
        return decode(md5(data), 'hex');
    elsif alg = 'sha224' then
        return sha224(data);
    elsif alg = 'sha256' then
        return sha256(data);
    elsif alg = 'sha384' then
        return sha384(data);
    elsif alg = 'sha512' then
        return sha512(data);
    elsif alg <> 'sha1' then
        raise exception 'Cannot use "%": No such hash algorithm', $2
            using errcode = '39000';
    end if;

    -- SHA-1 (FIPS 180-4), on 32-bit words held in bigints.
    nbits := octet_length(data)::bigint * 8;
    msg := data || '\x80'::bytea;
    msg := msg || decode(repeat('00', (119 - octet_length(data) % 64) % 64), 'hex');
    msg := msg || int8send(nbits);

    for chunk in 0 .. octet_length(msg) / 64 - 1 loop
        base := chunk * 64;
        w := '{}';
        for i in 0 .. 15 loop
            w[i] := (get_byte(msg, base + 4 * i)::bigint << 24)
                  | (get_byte(msg, base + 4 * i + 1)::bigint << 16)
                  | (get_byte(msg, base + 4 * i + 2)::bigint << 8)
                  |  get_byte(msg, base + 4 * i + 3)::bigint;
        end loop;
        for i in 16 .. 79 loop
            t := w[i - 3] # w[i - 8] # w[i - 14] # w[i - 16];
            w[i] := ((t << 1) | (t >> 31)) & mask;
        end loop;

        a := h0; b := h1; c := h2; d := h3; e := h4;
        for i in 0 .. 79 loop
            if i < 20 then
                f := (b & c) | ((~b & mask) & d);
                k := 1518500249;    -- 0x5A827999
            elsif i < 40 then
                f := b # c # d;
                k := 1859775393;    -- 0x6ED9EBA1
            elsif i < 60 then
                f := (b & c) | (b & d) | (c & d);
                k := 2400959708;    -- 0x8F1BBCDC
            else
                f := b # c # d;
                k := 3395469782;    -- 0xCA62C1D6
            end if;
            t := ((((a << 5) | (a >> 27)) & mask) + f + e + k + w[i]) & mask;
            e := d;
            d := c;
            c := ((b << 30) | (b >> 2)) & mask;
            b := a;
            a := t;
        end loop;

        h0 := (h0 + a) & mask;
        h1 := (h1 + b) & mask;
        h2 := (h2 + c) & mask;
        h3 := (h3 + d) & mask;
        h4 := (h4 + e) & mask;
    end loop;

    return substring(int8send(h0) from 5) || substring(int8send(h1) from 5)
        || substring(int8send(h2) from 5) || substring(int8send(h3) from 5)
        || substring(int8send(h4) from 5);
end
$fn$;

create function digest(text, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select digest(textsend($1), $2)
$fn$;

-- ---------------------------------------------------------------------------------
-- HMAC (RFC 2104)
-- ---------------------------------------------------------------------------------
create function hmac(bytea, bytea, text)
    returns bytea
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    block_size integer := case when lower($3) in ('sha384', 'sha512') then 128 else 64 end;
    key        bytea := $2;
    ipad       bytea;
    opad       bytea;
begin
    if octet_length(key) > block_size then
        key := digest(key, $3);
    end if;
    key := key || decode(repeat('00', block_size - octet_length(key)), 'hex');
    ipad := key;
    opad := key;
    for i in 0 .. block_size - 1 loop
        ipad := set_byte(ipad, i, get_byte(key, i) # 54);   -- 0x36
        opad := set_byte(opad, i, get_byte(key, i) # 92);   -- 0x5c
    end loop;
    return digest(opad || digest(ipad || $1, $3), $3);
end
$fn$;

create function hmac(text, text, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select hmac(textsend($1), textsend($2), $3)
$fn$;

-- ---------------------------------------------------------------------------------
-- Random data
-- ---------------------------------------------------------------------------------
create function gen_random_bytes(integer)
    returns bytea
    language plpgsql
    volatile strict parallel safe
as $fn$
declare
    result bytea := '';
begin
    if $1 < 1 or $1 > 1024 then
        raise exception 'Length not in range' using errcode = '22023';
    end if;
    while octet_length(result) < $1 loop
        result := result || sha256(uuid_send(pg_catalog.gen_random_uuid())
                                   || uuid_send(pg_catalog.gen_random_uuid()));
    end loop;
    return substring(result from 1 for $1);
end
$fn$;

create function gen_random_uuid()
    returns uuid
    language sql
    volatile parallel safe
as $fn$
    select pg_catalog.gen_random_uuid()
$fn$;

-- ---------------------------------------------------------------------------------
-- Password hashing (stand-in): crypt(pw, gen_salt(type)) has the shape of the real
-- algorithm's output, and crypt(pw, stored) = stored for the password that made it.
-- ---------------------------------------------------------------------------------

-- Encodes bytes with the crypt(3) alphabet, one character per byte (not real radix-64).
create function _pgvet_crypt_chars(bytea, integer)
    returns text
    language sql
    immutable strict parallel safe
as $fn$
    select string_agg(
               substr('./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
                      get_byte(src.b, i % octet_length(src.b)) % 64 + 1, 1),
               '' order by i)
    from (select $1 as b) src, generate_series(0, $2 - 1) as i
$fn$;

create function gen_salt(text, integer)
    returns text
    language plpgsql
    volatile strict parallel safe
as $fn$
declare
    alg    text := lower($1);
    rounds integer := $2;
begin
    if alg = 'bf' then
        if rounds < 4 or rounds > 31 then
            raise exception 'gen_salt: Incorrect number of rounds' using errcode = '22023';
        end if;
        return '$2a$' || lpad(rounds::text, 2, '0') || '$'
            || _pgvet_crypt_chars(gen_random_bytes(22), 22);
    elsif alg = 'xdes' then
        if rounds < 1 or rounds > 16777215 or rounds % 2 = 0 then
            raise exception 'gen_salt: Incorrect number of rounds' using errcode = '22023';
        end if;
        return '_' || _pgvet_crypt_chars(int4send(rounds), 4)
            || _pgvet_crypt_chars(gen_random_bytes(4), 4);
    elsif alg in ('md5', 'des') then
        raise exception 'gen_salt: Incorrect number of rounds' using errcode = '22023';
    end if;
    raise exception 'gen_salt: Unknown salt algorithm' using errcode = '22023';
end
$fn$;

create function gen_salt(text)
    returns text
    language plpgsql
    volatile strict parallel safe
as $fn$
declare
    alg text := lower($1);
begin
    if alg = 'bf' then
        return gen_salt('bf', 6);
    elsif alg = 'xdes' then
        return gen_salt('xdes', 725);
    elsif alg = 'md5' then
        return '$1$' || _pgvet_crypt_chars(gen_random_bytes(8), 8);
    elsif alg = 'des' then
        return _pgvet_crypt_chars(gen_random_bytes(2), 2);
    end if;
    raise exception 'gen_salt: Unknown salt algorithm' using errcode = '22023';
end
$fn$;

create function crypt(text, text)
    returns text
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    pw     bytea := textsend($1);
    setting text := $2;
    prefix text;
    n      integer;
begin
    if setting ~ '^\$2[abxy]\$[0-9]{2}\$' then
        if length(setting) < 29 then
            raise exception 'invalid salt' using errcode = '22023';
        end if;
        prefix := left(setting, 29);
        pw := substring(pw from 1 for 72);      -- bcrypt reads at most 72 bytes
        n := 31;
    elsif setting ~ '^\$1\$' then
        prefix := substring(setting from '^\$1\$[^$]{0,8}') || '$';
        n := 22;
    elsif setting ~ '^_' then
        if length(setting) < 9 then
            raise exception 'invalid salt' using errcode = '22023';
        end if;
        prefix := left(setting, 9);
        n := 11;
    else
        if length(setting) < 2 then
            raise exception 'invalid salt' using errcode = '22023';
        end if;
        prefix := left(setting, 2);
        pw := substring(pw from 1 for 8);       -- traditional DES reads 8 bytes
        n := 11;
    end if;
    return prefix || _pgvet_crypt_chars(sha256(textsend(prefix) || '\x00'::bytea || pw), n);
end
$fn$;

-- ---------------------------------------------------------------------------------
-- Symmetric encryption (stand-in). The data is XORed with a SHA-256 keystream derived
-- from the key (and a random nonce for pgp_sym_*); reversible with the same key.
-- ---------------------------------------------------------------------------------
create function _pgvet_xor_stream(data bytea, key bytea)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    with src as (
        select data,
               octet_length(data) as n,
               (select string_agg(sha256(key || int4send(g)), ''::bytea order by g)
                  from generate_series(0, octet_length(data) / 32) g) as ks
    ),
    hx as (
        select n,
               encode(data, 'hex') || repeat('0', 16) as dh,
               encode(ks, 'hex') || repeat('0', 16) as kh
        from src
    )
    select coalesce(
        substring(
            (select string_agg(
                        int8send(('x' || substr(dh, i, 16))::bit(64)::bigint
                                 # ('x' || substr(kh, i, 16))::bit(64)::bigint),
                        ''::bytea order by i)
               from generate_series(1, 2 * n, 16) i)
            from 1 for n),
        ''::bytea)
    from hx
$fn$;

create function pgp_sym_encrypt_bytea(bytea, text, text)
    returns bytea
    language plpgsql
    volatile strict parallel safe
as $fn$
declare
    nonce bytea := gen_random_bytes(16);
    key   bytea := sha256(textsend($2) || nonce);
begin
    -- layout: magic(6) | nonce(16) | key check(4) | ciphertext
    return '\x706776657431'::bytea || nonce || substring(sha256(key) from 1 for 4)
        || _pgvet_xor_stream($1, key);
end
$fn$;

create function pgp_sym_encrypt_bytea(bytea, text)
    returns bytea
    language sql
    volatile strict parallel safe
as $fn$
    select pgp_sym_encrypt_bytea($1, $2, '')
$fn$;

create function pgp_sym_encrypt(text, text, text)
    returns bytea
    language sql
    volatile strict parallel safe
as $fn$
    select pgp_sym_encrypt_bytea(textsend($1), $2, $3)
$fn$;

create function pgp_sym_encrypt(text, text)
    returns bytea
    language sql
    volatile strict parallel safe
as $fn$
    select pgp_sym_encrypt_bytea(textsend($1), $2, '')
$fn$;

create function pgp_sym_decrypt_bytea(bytea, text, text)
    returns bytea
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    nonce bytea;
    key   bytea;
begin
    if octet_length($1) < 26 or substring($1 from 1 for 6) <> '\x706776657431'::bytea then
        raise exception 'Wrong key or corrupt data' using errcode = '39000';
    end if;
    nonce := substring($1 from 7 for 16);
    key := sha256(textsend($2) || nonce);
    if substring($1 from 23 for 4) <> substring(sha256(key) from 1 for 4) then
        raise exception 'Wrong key or corrupt data' using errcode = '39000';
    end if;
    return _pgvet_xor_stream(substring($1 from 27), key);
end
$fn$;

create function pgp_sym_decrypt_bytea(bytea, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select pgp_sym_decrypt_bytea($1, $2, '')
$fn$;

create function pgp_sym_decrypt(bytea, text, text)
    returns text
    language sql
    immutable strict parallel safe
as $fn$
    select convert_from(pgp_sym_decrypt_bytea($1, $2, $3), current_setting('server_encoding'))
$fn$;

create function pgp_sym_decrypt(bytea, text)
    returns text
    language sql
    immutable strict parallel safe
as $fn$
    select pgp_sym_decrypt($1, $2, '')
$fn$;

-- Public-key PGP needs real OpenPGP; fail loudly when called.
create function _pgvet_pgp_pub_unavailable()
    returns void
    language plpgsql
as $fn$
begin
    raise exception 'pgp public-key functions are not available in the pgvet sandbox'
        using errcode = '0A000';
end
$fn$;

create function pgp_pub_encrypt(text, bytea) returns bytea language plpgsql volatile strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_encrypt(text, bytea, text) returns bytea language plpgsql volatile strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_encrypt_bytea(bytea, bytea) returns bytea language plpgsql volatile strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_encrypt_bytea(bytea, bytea, text) returns bytea language plpgsql volatile strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_decrypt(bytea, bytea) returns text language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_decrypt(bytea, bytea, text) returns text language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_decrypt(bytea, bytea, text, text) returns text language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_decrypt_bytea(bytea, bytea) returns bytea language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_decrypt_bytea(bytea, bytea, text) returns bytea language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_pub_decrypt_bytea(bytea, bytea, text, text) returns bytea language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;
create function pgp_key_id(bytea) returns text language plpgsql immutable strict
as $fn$ begin perform _pgvet_pgp_pub_unavailable(); return null; end $fn$;

-- Raw encryption (stand-in for AES/Blowfish): keyed by key, type and iv.
create function encrypt(bytea, bytea, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select _pgvet_xor_stream($1, sha256($2 || textsend(lower($3))))
$fn$;

create function decrypt(bytea, bytea, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select _pgvet_xor_stream($1, sha256($2 || textsend(lower($3))))
$fn$;

create function encrypt_iv(bytea, bytea, bytea, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select _pgvet_xor_stream($1, sha256($2 || $3 || textsend(lower($4))))
$fn$;

create function decrypt_iv(bytea, bytea, bytea, text)
    returns bytea
    language sql
    immutable strict parallel safe
as $fn$
    select _pgvet_xor_stream($1, sha256($2 || $3 || textsend(lower($4))))
$fn$;

-- ---------------------------------------------------------------------------------
-- ASCII armor (RFC 4880 section 6), real.
-- ---------------------------------------------------------------------------------
create function _pgvet_crc24(bytea)
    returns bytea
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    crc bigint := 11994318;          -- 0xB704CE
begin
    for i in 0 .. octet_length($1) - 1 loop
        crc := crc # (get_byte($1, i)::bigint << 16);
        for j in 1 .. 8 loop
            crc := crc << 1;
            if crc & 16777216 <> 0 then  -- 0x1000000
                crc := crc # 25578747;   -- 0x1864CFB
            end if;
        end loop;
    end loop;
    return substring(int4send((crc & 16777215)::integer) from 2 for 3);
end
$fn$;

create function armor(bytea, text[], text[])
    returns text
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    headers text := '';
begin
    if coalesce(array_length($2, 1), 0) <> coalesce(array_length($3, 1), 0) then
        raise exception 'mismatched array dimensions' using errcode = '2202E';
    end if;
    for i in 1 .. coalesce(array_length($2, 1), 0) loop
        headers := headers || $2[i] || ': ' || $3[i] || E'\n';
    end loop;
    return E'-----BEGIN PGP MESSAGE-----\n' || headers || E'\n'
        || translate(encode($1, 'base64'), E'\n', '')
        || E'\n=' || encode(_pgvet_crc24($1), 'base64')
        || E'\n-----END PGP MESSAGE-----\n';
end
$fn$;

create function armor(bytea)
    returns text
    language sql
    immutable strict parallel safe
as $fn$
    select armor($1, '{}'::text[], '{}'::text[])
$fn$;

create function dearmor(text)
    returns bytea
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    body text;
begin
    body := substring($1 from E'-----BEGIN [^\n]*-----\r?\n(?:[^\n]*:[^\n]*\r?\n)*\r?\n(.*?)\r?\n=[A-Za-z0-9+/]{4}\s*\r?\n-----END');
    if body is null then
        raise exception 'Corrupt ascii-armor' using errcode = '39000';
    end if;
    return decode(regexp_replace(body, '\s', '', 'g'), 'base64');
end
$fn$;

create function pgp_armor_headers(text, out key text, out value text)
    returns setof record
    language sql
    immutable strict parallel safe
as $fn$
    select m[1], m[2]
    from regexp_matches(
             substring($1 from E'-----BEGIN [^\n]*-----\r?\n((?:[^\n]*:[^\n]*\r?\n)*)'),
             E'([^:\n]+): ([^\n]*)', 'g') as m
$fn$;

-- ---------------------------------------------------------------------------------
-- Pin the search_path of every function of this extension to its schema, so internal
-- calls work whatever the caller's search_path is.
-- ---------------------------------------------------------------------------------
do $pin$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
        from pg_catalog.pg_proc p
        join pg_catalog.pg_depend d
          on d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
        join pg_catalog.pg_extension x
          on d.refclassid = 'pg_catalog.pg_extension'::regclass and d.refobjid = x.oid
        where x.extname = 'pgcrypto'
    loop
        execute format('alter function %s set search_path = %I, pg_catalog', f, current_schema());
    end loop;
end
$pin$;
