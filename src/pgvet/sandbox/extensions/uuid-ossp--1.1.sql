-- pgvet sandbox stand-in for uuid-ossp 1.1, in SQL and PL/pgSQL only.
--
-- Installed only on servers that lack the real uuid-ossp. Same functions and
-- signatures as the real extension, with real values:
--   uuid_nil(), uuid_ns_dns(), uuid_ns_url(), uuid_ns_oid(), uuid_ns_x500()
--   uuid_generate_v3(ns, name)  MD5 name-based UUID (RFC 4122)
--   uuid_generate_v4()          random UUID (the server's gen_random_uuid())
--   uuid_generate_v5(ns, name)  SHA-1 name-based UUID (RFC 4122; SHA-1 implemented here)
-- Faked:
--   uuid_generate_v1(), uuid_generate_v1mc(): time-based UUIDs with the current time and
--   a random clock sequence, but a random (multicast) node instead of the host's MAC.

create function uuid_nil()
    returns uuid
    language sql
    immutable strict parallel safe
as $fn$ select '00000000-0000-0000-0000-000000000000'::uuid $fn$;

create function uuid_ns_dns()
    returns uuid
    language sql
    immutable strict parallel safe
as $fn$ select '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $fn$;

create function uuid_ns_url()
    returns uuid
    language sql
    immutable strict parallel safe
as $fn$ select '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $fn$;

create function uuid_ns_oid()
    returns uuid
    language sql
    immutable strict parallel safe
as $fn$ select '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $fn$;

create function uuid_ns_x500()
    returns uuid
    language sql
    immutable strict parallel safe
as $fn$ select '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $fn$;

create function uuid_generate_v4()
    returns uuid
    language sql
    volatile strict parallel safe
as $fn$ select pg_catalog.gen_random_uuid() $fn$;

create function uuid_generate_v3(namespace uuid, name text)
    returns uuid
    language sql
    immutable strict parallel safe
as $fn$
    select encode(
               set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 48),    -- version 3
                        8, (get_byte(h, 8) & 63) | 128),              -- RFC 4122 variant
               'hex')::uuid
    from (select decode(md5(uuid_send(namespace) || textsend(name)), 'hex') as h) s
$fn$;

create function uuid_generate_v5(namespace uuid, name text)
    returns uuid
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    data  bytea := uuid_send(namespace) || textsend(name);
    mask  constant bigint := 4294967295;
    msg   bytea;
    w     bigint[];
    h0    bigint := 1732584193;
    h1    bigint := 4023233417;
    h2    bigint := 2562383102;
    h3    bigint := 271733878;
    h4    bigint := 3285377520;
    a bigint; b bigint; c bigint; d bigint; e bigint;
    f bigint; k bigint; t bigint;
    base  integer;
    h     bytea;
begin
    -- SHA-1 (FIPS 180-4) of namespace || name, on 32-bit words held in bigints.
    msg := data || '\x80'::bytea
        || decode(repeat('00', (119 - octet_length(data) % 64) % 64), 'hex')
        || int8send(octet_length(data)::bigint * 8);
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
                f := (b & c) | ((~b & mask) & d);  k := 1518500249;
            elsif i < 40 then
                f := b # c # d;                     k := 1859775393;
            elsif i < 60 then
                f := (b & c) | (b & d) | (c & d);   k := 2400959708;
            else
                f := b # c # d;                     k := 3395469782;
            end if;
            t := ((((a << 5) | (a >> 27)) & mask) + f + e + k + w[i]) & mask;
            e := d; d := c; c := ((b << 30) | (b >> 2)) & mask; b := a; a := t;
        end loop;
        h0 := (h0 + a) & mask; h1 := (h1 + b) & mask; h2 := (h2 + c) & mask;
        h3 := (h3 + d) & mask; h4 := (h4 + e) & mask;
    end loop;

    -- The first 16 bytes of the digest, with version 5 and the RFC 4122 variant.
    h := substring(int8send(h0) from 5) || substring(int8send(h1) from 5)
      || substring(int8send(h2) from 5) || substring(int8send(h3) from 5);
    h := set_byte(h, 6, (get_byte(h, 6) & 15) | 80);
    h := set_byte(h, 8, (get_byte(h, 8) & 63) | 128);
    return encode(h, 'hex')::uuid;
end
$fn$;

-- Time-based UUID: 60-bit count of 100 ns intervals since 1582-10-15, a random clock
-- sequence, and a random node with the multicast bit set (RFC 4122 section 4.5).
create function uuid_generate_v1mc()
    returns uuid
    language plpgsql
    volatile strict parallel safe
as $fn$
declare
    ts   bigint := (extract(epoch from clock_timestamp()) * 10000000)::bigint
                   + 122192928000000000 + (random() * 9)::bigint;
    rnd  bytea := substring(uuid_send(pg_catalog.gen_random_uuid()) from 9 for 8);
    node bytea := substring(rnd from 3 for 6);
begin
    node := set_byte(node, 0, get_byte(node, 0) | 1);
    return encode(
          substring(int8send(ts & 4294967295) from 5)                          -- time_low
       || substring(int8send((ts >> 32) & 65535) from 7)                       -- time_mid
       || substring(int8send(((ts >> 48) & 4095) | 4096) from 7)               -- version 1
       || set_byte(substring(rnd from 1 for 2), 0, (get_byte(rnd, 0) & 63) | 128)  -- clock seq
       || node,
       'hex')::uuid;
end
$fn$;

create function uuid_generate_v1()
    returns uuid
    language sql
    volatile strict parallel safe
as $fn$ select uuid_generate_v1mc() $fn$;

-- Pin the search_path of every function of this extension to its schema, so internal
-- calls work whatever the caller's search_path is.
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
        where x.extname = 'uuid-ossp'
    loop
        execute format('alter function %s set search_path = %I, pg_catalog', f, current_schema());
    end loop;
end
$pin$;
