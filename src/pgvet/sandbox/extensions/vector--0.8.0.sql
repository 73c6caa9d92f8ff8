-- pgvet sandbox stand-in for pgvector 0.8 (`vector`), without its C module.
--
-- Installed only on servers that lack the real pgvector (Debian's 15, the npm 17; the
-- embedded 18 has the real one). Provides pgvector 0.8's SQL surface: the `vector`,
-- `halfvec` and `sparsevec` types with dimensions (vector(1536)), their casts (between
-- each other, to real[] and from integer[]/real[]/double precision[]/numeric[]), operators,
-- functions and aggregates, the bit distances, and the `hnsw` and `ivfflat` index access
-- methods with pgvector's operator classes (vector_*, halfvec_*, sparsevec_*,
-- bit_hamming_ops, bit_jaccard_ops, for the same methods and with the same defaults as
-- pgvector), so that schemas, functions and indexes using them replay.
-- Real values (computed in SQL from the text form):
--   * vector: distances (<->, <#>, <=>, <+>), arithmetic, vector_dims, vector_norm,
--     l2_normalize, subvector, binary_quantize, avg/sum, comparisons;
--   * halfvec: the same set (l2_norm for vector_norm); elements are rounded to half
--     precision (binary16, round half to even) when read, with pgvector's errors for NaN,
--     infinity and values beyond +-65504;
--   * sparsevec ('{1:0.5,3:2}/5'): distances, l2_norm, l2_normalize, comparisons, casts;
--     indices checked (in bounds, no duplicates), zeros dropped, sorted;
--   * bit: hamming_distance (<~>), jaccard_distance (<%>);
--   * dimension checks on vector(n), halfvec(n), sparsevec(n), with pgvector's messages.
-- Faked:
--   * values are stored as their text form; input is only checked (and put in pgvector's
--     form) when cast to a typed column or value, e.g. stored in a vector(n) column; a
--     column without dimensions keeps the text as written; binary I/O (binary COPY, as
--     `pgvet data` loads) carries that text form, not pgvector's binary layout;
--   * hnsw and ivfflat indexes are hash indexes on the whole value underneath: they build
--     and stay consistent, but never serve nearest-neighbour ORDER BY (queries fall back to
--     a sequential scan, with the same results). pgvector's build-time checks of the
--     column are real (an event trigger at the end of CREATE INDEX): no dimensions
--     (`vector` without (n)), more than 2000 (vector) / 4000 (halfvec) / 64000 (bit)
--     dimensions, an unsupported type; so are its refusals of unique, multicolumn and
--     INCLUDE indexes (the hash method's own). Not checked: sparsevec's 1000 non-zero
--     elements per indexed value;
--   * index options (WITH (m = 16, ef_construction = 64), WITH (lists = 100)): SQL cannot
--     declare options for an access method, so this server alone refuses them
--     ("unrecognized parameter"). pgvet's replay checks them instead, as pgvector does
--     (names, ranges, messages, ef_construction >= 2 * m), in a migration's own CREATE
--     INDEX statements and DO blocks, and sends the statement with a valid clause blanked
--     (src/pgvet/replay/vector_options.py); the index then has no reloptions. Backup
--     verify's restore of a plain dump blanks them the same way. Options in function
--     bodies, dynamic SQL, ALTER INDEX ... SET, archives restored by pg_restore and any
--     other connection reach this server as written and are refused; the hnsw.ef_search
--     and ivfflat.probes settings are accepted as placeholders, unchecked.
-- The types' I/O uses PostgreSQL's built-in text and bit-typmod routines (LANGUAGE
-- internal), hence superuser = true.

-- ---------------------------------------------------------------------------------
-- The type
-- ---------------------------------------------------------------------------------
create type vector;

create function vector_in(cstring, oid, integer) returns vector
    language internal immutable strict parallel safe as 'textin';
create function vector_out(vector) returns cstring
    language internal immutable strict parallel safe as 'textout';
create function vector_typmod_in(cstring[]) returns integer
    language internal immutable strict parallel safe as 'bittypmodin';
create function vector_typmod_out(integer) returns cstring
    language internal immutable strict parallel safe as 'bittypmodout';
create function vector_recv(internal, oid, integer) returns vector
    language internal immutable strict parallel safe as 'textrecv';
create function vector_send(vector) returns bytea
    language internal immutable strict parallel safe as 'textsend';

create type vector (
    input = vector_in,
    output = vector_out,
    typmod_in = vector_typmod_in,
    typmod_out = vector_typmod_out,
    receive = vector_recv,
    send = vector_send,
    internallength = variable,
    storage = extended,
    alignment = int4,
    category = 'U'
);

-- Same representation as text.
create cast (vector as text) without function;
create cast (text as vector) without function;

-- Elements of a vector; raises on malformed input.
create function _pgvet_vector_elems(v vector)
    returns double precision[]
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    s text := btrim(v::text);
begin
    if s !~ '^\[\s*([-+0-9.eEinfINFaA]+\s*(,\s*[-+0-9.eEinfINFaA]+\s*)*)?\]$' then
        raise exception 'invalid input syntax for type vector: "%"', s using errcode = '22P02';
    end if;
    s := btrim(s, '[] ');
    if s = '' then
        raise exception 'vector must have at least 1 dimension' using errcode = '22000';
    end if;
    return string_to_array(s, ',')::double precision[];
exception
    when invalid_text_representation then
        raise exception 'invalid input syntax for type vector: "%"', v::text using errcode = '22P02';
end
$fn$;

-- A vector from elements (as real, like pgvector's storage).
create function _pgvet_vector_from(elems double precision[])
    returns vector
    language sql
    immutable strict parallel safe
as $fn$
    select ('[' || array_to_string(elems::real[], ',') || ']')::text::vector
$fn$;

create function _pgvet_vector_same_dims(a double precision[], b double precision[])
    returns void
    language plpgsql
    immutable strict parallel safe
as $fn$
begin
    if cardinality(a) <> cardinality(b) then
        raise exception 'different vector dimensions % and %', cardinality(a), cardinality(b)
            using errcode = '22000';
    end if;
end
$fn$;

-- Length coercion: vector -> vector(n).
create function vector(vector, integer, boolean)
    returns vector
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    elems double precision[] := _pgvet_vector_elems($1);
begin
    if $2 > 0 and cardinality(elems) <> $2 then
        raise exception 'expected % dimensions, not %', $2, cardinality(elems) using errcode = '22000';
    end if;
    return _pgvet_vector_from(elems);
end
$fn$;
create cast (vector as vector) with function vector(vector, integer, boolean) as implicit;

create function array_to_vector(integer[], integer, boolean) returns vector
    language sql immutable strict parallel safe
as $fn$ select vector(_pgvet_vector_from($1::double precision[]), $2, $3) $fn$;
create function array_to_vector(real[], integer, boolean) returns vector
    language sql immutable strict parallel safe
as $fn$ select vector(_pgvet_vector_from($1::double precision[]), $2, $3) $fn$;
create function array_to_vector(double precision[], integer, boolean) returns vector
    language sql immutable strict parallel safe
as $fn$ select vector(_pgvet_vector_from($1), $2, $3) $fn$;
create function array_to_vector(numeric[], integer, boolean) returns vector
    language sql immutable strict parallel safe
as $fn$ select vector(_pgvet_vector_from($1::double precision[]), $2, $3) $fn$;
create function vector_to_float4(vector, integer, boolean) returns real[]
    language sql immutable strict parallel safe
as $fn$ select _pgvet_vector_elems($1)::real[] $fn$;

create cast (integer[] as vector) with function array_to_vector(integer[], integer, boolean) as assignment;
create cast (real[] as vector) with function array_to_vector(real[], integer, boolean) as assignment;
create cast (double precision[] as vector) with function array_to_vector(double precision[], integer, boolean) as assignment;
create cast (numeric[] as vector) with function array_to_vector(numeric[], integer, boolean) as assignment;
create cast (vector as real[]) with function vector_to_float4(vector, integer, boolean) as implicit;

-- ---------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------
create function vector_dims(vector) returns integer
    language sql immutable strict parallel safe
as $fn$ select cardinality(_pgvet_vector_elems($1)) $fn$;

create function vector_norm(vector) returns double precision
    language sql immutable strict parallel safe
as $fn$ select sqrt(sum(x * x)) from unnest(_pgvet_vector_elems($1)) as x $fn$;

create function l2_distance(vector, vector) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
declare
    a double precision[] := _pgvet_vector_elems($1);
    b double precision[] := _pgvet_vector_elems($2);
begin
    perform _pgvet_vector_same_dims(a, b);
    return (select sqrt(sum((x - y) * (x - y))) from unnest(a, b) as t(x, y));
end
$fn$;

create function vector_l2_squared_distance(vector, vector) returns double precision
    language sql immutable strict parallel safe
as $fn$ select l2_distance($1, $2) ^ 2 $fn$;

create function inner_product(vector, vector) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
declare
    a double precision[] := _pgvet_vector_elems($1);
    b double precision[] := _pgvet_vector_elems($2);
begin
    perform _pgvet_vector_same_dims(a, b);
    return (select sum(x * y) from unnest(a, b) as t(x, y));
end
$fn$;

create function vector_negative_inner_product(vector, vector) returns double precision
    language sql immutable strict parallel safe
as $fn$ select -inner_product($1, $2) $fn$;

create function cosine_distance(vector, vector) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
declare
    a double precision[] := _pgvet_vector_elems($1);
    b double precision[] := _pgvet_vector_elems($2);
    dot double precision;
    na double precision;
    nb double precision;
begin
    perform _pgvet_vector_same_dims(a, b);
    select sum(x * y), sum(x * x), sum(y * y) into dot, na, nb from unnest(a, b) as t(x, y);
    if na = 0 or nb = 0 then
        return 'NaN';
    end if;
    return 1 - greatest(-1, least(1, dot / sqrt(na * nb)));
end
$fn$;

create function l1_distance(vector, vector) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
declare
    a double precision[] := _pgvet_vector_elems($1);
    b double precision[] := _pgvet_vector_elems($2);
begin
    perform _pgvet_vector_same_dims(a, b);
    return (select sum(abs(x - y)) from unnest(a, b) as t(x, y));
end
$fn$;

create function vector_spherical_distance(vector, vector) returns double precision
    language sql immutable strict parallel safe
as $fn$ select acos(greatest(-1, least(1, inner_product($1, $2)))) / pi() $fn$;

create function l2_normalize(vector) returns vector
    language sql immutable strict parallel safe
as $fn$
    select _pgvet_vector_from(array_agg(case when n = 0 then 0 else x / n end order by i))
    from unnest(_pgvet_vector_elems($1)) with ordinality as t(x, i),
         (select vector_norm($1) as n) s
$fn$;

create function subvector(vector, integer, integer) returns vector
    language sql immutable strict parallel safe
as $fn$ select _pgvet_vector_from((_pgvet_vector_elems($1))[$2 : $2 + $3 - 1]) $fn$;

-- Element-wise arithmetic.
create function _pgvet_vector_zip(vector, vector, op text) returns vector
    language plpgsql immutable strict parallel safe
as $fn$
declare
    a double precision[] := _pgvet_vector_elems($1);
    b double precision[] := _pgvet_vector_elems($2);
begin
    perform _pgvet_vector_same_dims(a, b);
    return _pgvet_vector_from(array(
        select case op when '+' then x + y when '-' then x - y else x * y end
        from unnest(a, b) with ordinality as t(x, y, i) order by i));
end
$fn$;

create function vector_add(vector, vector) returns vector
    language sql immutable strict parallel safe as $fn$ select _pgvet_vector_zip($1, $2, '+') $fn$;
create function vector_sub(vector, vector) returns vector
    language sql immutable strict parallel safe as $fn$ select _pgvet_vector_zip($1, $2, '-') $fn$;
create function vector_mul(vector, vector) returns vector
    language sql immutable strict parallel safe as $fn$ select _pgvet_vector_zip($1, $2, '*') $fn$;
create function vector_concat(vector, vector) returns vector
    language sql immutable strict parallel safe
as $fn$ select _pgvet_vector_from(_pgvet_vector_elems($1) || _pgvet_vector_elems($2)) $fn$;

-- Ordering: element by element, then by number of dimensions.
create function vector_cmp(vector, vector) returns integer
    language sql immutable strict parallel safe
as $fn$ select btarraycmp(_pgvet_vector_elems($1), _pgvet_vector_elems($2)) $fn$;
create function vector_lt(vector, vector) returns boolean
    language sql immutable strict parallel safe as $fn$ select vector_cmp($1, $2) < 0 $fn$;
create function vector_le(vector, vector) returns boolean
    language sql immutable strict parallel safe as $fn$ select vector_cmp($1, $2) <= 0 $fn$;
create function vector_eq(vector, vector) returns boolean
    language sql immutable strict parallel safe as $fn$ select vector_cmp($1, $2) = 0 $fn$;
create function vector_ne(vector, vector) returns boolean
    language sql immutable strict parallel safe as $fn$ select vector_cmp($1, $2) <> 0 $fn$;
create function vector_ge(vector, vector) returns boolean
    language sql immutable strict parallel safe as $fn$ select vector_cmp($1, $2) >= 0 $fn$;
create function vector_gt(vector, vector) returns boolean
    language sql immutable strict parallel safe as $fn$ select vector_cmp($1, $2) > 0 $fn$;
create function _pgvet_vector_hash(vector) returns integer
    language sql immutable strict parallel safe
as $fn$ select hash_array(_pgvet_vector_elems($1)) $fn$;

-- Aggregates.
create function vector_accum(double precision[], vector) returns double precision[]
    language plpgsql immutable strict parallel safe
as $fn$
declare
    v double precision[] := _pgvet_vector_elems($2);
begin
    if cardinality($1) = 0 then
        return array[1::double precision] || v;
    end if;
    perform _pgvet_vector_same_dims($1[2:], v);
    return array[$1[1] + 1] || array(select x + y from unnest($1[2:], v) with ordinality as t(x, y, i) order by i);
end
$fn$;

create function vector_combine(double precision[], double precision[]) returns double precision[]
    language plpgsql immutable strict parallel safe
as $fn$
begin
    if cardinality($1) = 0 then return $2; end if;
    if cardinality($2) = 0 then return $1; end if;
    return array(select x + y from unnest($1, $2) with ordinality as t(x, y, i) order by i);
end
$fn$;

create function vector_avg(double precision[]) returns vector
    language sql immutable strict parallel safe
as $fn$
    select case when cardinality($1) = 0 then null
                else _pgvet_vector_from(array(select x / $1[1] from unnest($1[2:]) with ordinality as t(x, i) order by i))
           end
$fn$;

create function _pgvet_vector_sum(double precision[]) returns vector
    language sql immutable strict parallel safe
as $fn$
    select case when cardinality($1) = 0 then null else _pgvet_vector_from($1[2:]) end
$fn$;

create aggregate avg(vector) (
    sfunc = vector_accum,
    stype = double precision[],
    finalfunc = vector_avg,
    combinefunc = vector_combine,
    initcond = '{}',
    parallel = safe
);

create aggregate sum(vector) (
    sfunc = vector_accum,
    stype = double precision[],
    finalfunc = _pgvet_vector_sum,
    combinefunc = vector_combine,
    initcond = '{}',
    parallel = safe
);

-- ---------------------------------------------------------------------------------
-- Operators
-- ---------------------------------------------------------------------------------
create operator <-> (leftarg = vector, rightarg = vector, function = l2_distance, commutator = '<->');
create operator <#> (leftarg = vector, rightarg = vector, function = vector_negative_inner_product, commutator = '<#>');
create operator <=> (leftarg = vector, rightarg = vector, function = cosine_distance, commutator = '<=>');
create operator <+> (leftarg = vector, rightarg = vector, function = l1_distance, commutator = '<+>');
create operator + (leftarg = vector, rightarg = vector, function = vector_add, commutator = +);
create operator - (leftarg = vector, rightarg = vector, function = vector_sub);
create operator * (leftarg = vector, rightarg = vector, function = vector_mul, commutator = *);
create operator || (leftarg = vector, rightarg = vector, function = vector_concat);

create operator < (leftarg = vector, rightarg = vector, function = vector_lt,
    commutator = >, negator = >=, restrict = scalarltsel, join = scalarltjoinsel);
create operator <= (leftarg = vector, rightarg = vector, function = vector_le,
    commutator = >=, negator = >, restrict = scalarlesel, join = scalarlejoinsel);
create operator = (leftarg = vector, rightarg = vector, function = vector_eq,
    commutator = =, negator = <>, restrict = eqsel, join = eqjoinsel);
create operator <> (leftarg = vector, rightarg = vector, function = vector_ne,
    commutator = <>, negator = =, restrict = neqsel, join = neqjoinsel);
create operator >= (leftarg = vector, rightarg = vector, function = vector_ge,
    commutator = <=, negator = <, restrict = scalargesel, join = scalargejoinsel);
create operator > (leftarg = vector, rightarg = vector, function = vector_gt,
    commutator = <, negator = <=, restrict = scalargtsel, join = scalargtjoinsel);

create operator class vector_ops default for type vector using btree as
    operator 1 <,
    operator 2 <=,
    operator 3 =,
    operator 4 >=,
    operator 5 >,
    function 1 vector_cmp(vector, vector);

-- ---------------------------------------------------------------------------------
-- Distances and norms of element arrays, shared by halfvec and sparsevec (`what` names
-- the type in pgvector's dimension error).
-- ---------------------------------------------------------------------------------
create function _pgvet_distance(a double precision[], b double precision[], kind text, what text)
    returns double precision
    language plpgsql
    immutable strict parallel safe
as $fn$
declare
    dot double precision;
    na double precision;
    nb double precision;
begin
    if cardinality(a) <> cardinality(b) then
        raise exception 'different % dimensions % and %', what, cardinality(a), cardinality(b)
            using errcode = '22000';
    end if;
    if kind = 'l2' then
        return (select sqrt(coalesce(sum((x - y) * (x - y)), 0)) from unnest(a, b) as t(x, y));
    elsif kind = 'l1' then
        return (select coalesce(sum(abs(x - y)), 0) from unnest(a, b) as t(x, y));
    elsif kind = 'ip' then
        return (select coalesce(sum(x * y), 0) from unnest(a, b) as t(x, y));
    end if;
    select sum(x * y), sum(x * x), sum(y * y) into dot, na, nb from unnest(a, b) as t(x, y);
    if coalesce(na, 0) = 0 or coalesce(nb, 0) = 0 then
        return 'NaN';
    end if;
    return 1 - greatest(-1, least(1, dot / sqrt(na * nb)));
end
$fn$;

create function _pgvet_norm(a double precision[]) returns double precision
    language sql immutable strict parallel safe
as $fn$ select sqrt(coalesce(sum(x * x), 0)) from unnest($1) as x $fn$;

create function _pgvet_normalize(a double precision[]) returns double precision[]
    language sql immutable strict parallel safe
as $fn$
    select array(select case when n = 0 then 0 else x / n end
                 from unnest($1) with ordinality as t(x, i), (select _pgvet_norm($1) as n) s
                 order by i)
$fn$;

create function _pgvet_check_dims(n integer, typmod integer, what text) returns void
    language plpgsql immutable strict parallel safe
as $fn$
begin
    if n < 1 then
        raise exception '% must have at least 1 dimension', what using errcode = '22000';
    end if;
    if typmod > 0 and n <> typmod then
        raise exception 'expected % dimensions, not %', typmod, n using errcode = '22000';
    end if;
end
$fn$;

create function _pgvet_zip(a double precision[], b double precision[], op text, what text)
    returns double precision[]
    language plpgsql immutable strict parallel safe
as $fn$
begin
    if cardinality(a) <> cardinality(b) then
        raise exception 'different % dimensions % and %', what, cardinality(a), cardinality(b)
            using errcode = '22000';
    end if;
    return array(
        select case op when '+' then x + y when '-' then x - y else x * y end
        from unnest(a, b) with ordinality as t(x, y, i) order by i);
end
$fn$;

-- pgvector's subvector: elements start .. start + count - 1 (1-based), clipped.
create function _pgvet_subarray(a double precision[], start integer, count integer, what text)
    returns double precision[]
    language plpgsql immutable strict parallel safe
as $fn$
declare
    out double precision[] := a[greatest(start, 1) : least(start::bigint + count - 1, cardinality(a))];
begin
    if count < 1 or cardinality(out) = 0 then
        raise exception '% must have at least 1 dimension', what using errcode = '22000';
    end if;
    return out;
end
$fn$;

-- Binary quantization: 1 where an element is positive.
create function _pgvet_quantize(a double precision[]) returns bit
    language plpgsql immutable strict parallel safe
as $fn$
begin
    return string_agg(case when x > 0 then '1' else '0' end, '' order by i)::varbit
        from unnest(a) with ordinality as t(x, i);
end
$fn$;

create function binary_quantize(vector) returns bit
    language sql immutable strict parallel safe
as $fn$ select _pgvet_quantize(_pgvet_vector_elems($1)) $fn$;

-- ---------------------------------------------------------------------------------
-- halfvec: stored as text like vector; every element is rounded to half precision
-- (IEEE 754 binary16, round half to even) when read, as pgvector stores it.
-- ---------------------------------------------------------------------------------
create type halfvec;

create function halfvec_in(cstring, oid, integer) returns halfvec
    language internal immutable strict parallel safe as 'textin';
create function halfvec_out(halfvec) returns cstring
    language internal immutable strict parallel safe as 'textout';
create function halfvec_typmod_in(cstring[]) returns integer
    language internal immutable strict parallel safe as 'bittypmodin';
create function halfvec_typmod_out(integer) returns cstring
    language internal immutable strict parallel safe as 'bittypmodout';
create function halfvec_recv(internal, oid, integer) returns halfvec
    language internal immutable strict parallel safe as 'textrecv';
create function halfvec_send(halfvec) returns bytea
    language internal immutable strict parallel safe as 'textsend';

create type halfvec (
    input = halfvec_in,
    output = halfvec_out,
    typmod_in = halfvec_typmod_in,
    typmod_out = halfvec_typmod_out,
    receive = halfvec_recv,
    send = halfvec_send,
    internallength = variable,
    storage = extended,
    alignment = int4,
    category = 'U'
);

-- Elements rounded to half precision (binary16: 11 significant bits, round half to even,
-- multiples of 2^-24 below 2^-14), in double arithmetic: Veltkamp's split by 2^42 + 1
-- keeps the upper 11 bits of a double rounded to nearest, ties to even. Raises as
-- pgvector does on NaN, infinity and values beyond half precision's range (+-65504).
create function _pgvet_to_half(elems double precision[]) returns double precision[]
    language plpgsql immutable strict parallel safe
as $fn$
declare
    out double precision[];
    i integer;
begin
    out := array(
        select case when x = 'NaN' or abs(x) >= 65520 then x
                    when abs(x) < 2 ^ -14 then round(x * 16777216) / 16777216
                    else x * 4398046511105 - (x * 4398046511105 - x) end
        from unnest(elems) with ordinality as t(x, n) order by n);
    if exists (select from unnest(out) as y where y = 'NaN' or abs(y) > 65504) then
        for i in 1 .. cardinality(out) loop  -- the first bad element, as pgvector reports it
            if out[i] = 'NaN'::double precision then
                raise exception 'NaN not allowed in halfvec' using errcode = '22000';
            elsif out[i] in ('Infinity'::double precision, '-Infinity'::double precision) then
                raise exception 'infinite value not allowed in halfvec' using errcode = '22000';
            elsif abs(out[i]) > 65504 then
                raise exception '"%" is out of range for type halfvec', elems[i] using errcode = '22003';
            end if;
        end loop;
    end if;
    return out;
end
$fn$;

create function _pgvet_halfvec_elems(v halfvec) returns double precision[]
    language plpgsql immutable strict parallel safe
as $fn$
declare
    s text := btrim(v::text);
begin
    if s !~ '^\[\s*([-+0-9.eEinfINFaA]+\s*(,\s*[-+0-9.eEinfINFaA]+\s*)*)?\]$' then
        raise exception 'invalid input syntax for type halfvec: "%"', s using errcode = '22P02';
    end if;
    s := btrim(s, '[] ');
    if s = '' then
        raise exception 'halfvec must have at least 1 dimension' using errcode = '22000';
    end if;
    return _pgvet_to_half(string_to_array(s, ',')::double precision[]);
exception
    when invalid_text_representation then
        raise exception 'invalid input syntax for type halfvec: "%"', v::text using errcode = '22P02';
end
$fn$;

create function _pgvet_halfvec_from(elems double precision[]) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select ('[' || array_to_string(_pgvet_to_half(elems)::real[], ',') || ']')::text::halfvec $fn$;

create function _pgvet_halfvec_typed(elems double precision[], typmod integer) returns halfvec
    language plpgsql immutable strict parallel safe
as $fn$
begin
    perform _pgvet_check_dims(cardinality(elems), typmod, 'halfvec');
    return _pgvet_halfvec_from(elems);
end
$fn$;

create function halfvec(halfvec, integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed(_pgvet_halfvec_elems($1), $2) $fn$;
create function halfvec_to_vector(halfvec, integer, boolean) returns vector
    language sql immutable strict parallel safe
as $fn$ select vector(_pgvet_vector_from(_pgvet_halfvec_elems($1)), $2, $3) $fn$;
create function vector_to_halfvec(vector, integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed(_pgvet_vector_elems($1), $2) $fn$;
create function array_to_halfvec(integer[], integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed($1::double precision[], $2) $fn$;
create function array_to_halfvec(real[], integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed($1::double precision[], $2) $fn$;
create function array_to_halfvec(double precision[], integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed($1, $2) $fn$;
create function array_to_halfvec(numeric[], integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed($1::double precision[], $2) $fn$;
create function halfvec_to_float4(halfvec, integer, boolean) returns real[]
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_elems($1)::real[] $fn$;

create cast (halfvec as halfvec) with function halfvec(halfvec, integer, boolean) as implicit;
create cast (halfvec as vector) with function halfvec_to_vector(halfvec, integer, boolean) as assignment;
create cast (vector as halfvec) with function vector_to_halfvec(vector, integer, boolean) as implicit;
create cast (halfvec as real[]) with function halfvec_to_float4(halfvec, integer, boolean) as assignment;
create cast (integer[] as halfvec) with function array_to_halfvec(integer[], integer, boolean) as assignment;
create cast (real[] as halfvec) with function array_to_halfvec(real[], integer, boolean) as assignment;
create cast (double precision[] as halfvec) with function array_to_halfvec(double precision[], integer, boolean) as assignment;
create cast (numeric[] as halfvec) with function array_to_halfvec(numeric[], integer, boolean) as assignment;

create function l2_distance(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select _pgvet_distance(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), 'l2', 'halfvec') $fn$;
create function inner_product(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select _pgvet_distance(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), 'ip', 'halfvec') $fn$;
create function cosine_distance(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select _pgvet_distance(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), 'cosine', 'halfvec') $fn$;
create function l1_distance(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select _pgvet_distance(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), 'l1', 'halfvec') $fn$;
create function vector_dims(halfvec) returns integer
    language sql immutable strict parallel safe
as $fn$ select cardinality(_pgvet_halfvec_elems($1)) $fn$;
create function l2_norm(halfvec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select _pgvet_norm(_pgvet_halfvec_elems($1)) $fn$;
create function l2_normalize(halfvec) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_from(_pgvet_normalize(_pgvet_halfvec_elems($1))) $fn$;
create function binary_quantize(halfvec) returns bit
    language sql immutable strict parallel safe
as $fn$ select _pgvet_quantize(_pgvet_halfvec_elems($1)) $fn$;
create function subvector(halfvec, integer, integer) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_from(_pgvet_subarray(_pgvet_halfvec_elems($1), $2, $3, 'halfvec')) $fn$;

create function halfvec_l2_squared_distance(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe as $fn$ select l2_distance($1, $2) ^ 2 $fn$;
create function halfvec_negative_inner_product(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe as $fn$ select -inner_product($1, $2) $fn$;
create function halfvec_spherical_distance(halfvec, halfvec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select acos(greatest(-1, least(1, inner_product($1, $2)))) / pi() $fn$;

create function halfvec_add(halfvec, halfvec) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_from(_pgvet_zip(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), '+', 'halfvec')) $fn$;
create function halfvec_sub(halfvec, halfvec) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_from(_pgvet_zip(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), '-', 'halfvec')) $fn$;
create function halfvec_mul(halfvec, halfvec) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_from(_pgvet_zip(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2), '*', 'halfvec')) $fn$;
create function halfvec_concat(halfvec, halfvec) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_from(_pgvet_halfvec_elems($1) || _pgvet_halfvec_elems($2)) $fn$;

create function halfvec_cmp(halfvec, halfvec) returns integer
    language sql immutable strict parallel safe
as $fn$ select btarraycmp(_pgvet_halfvec_elems($1), _pgvet_halfvec_elems($2)) $fn$;
create function halfvec_lt(halfvec, halfvec) returns boolean
    language sql immutable strict parallel safe as $fn$ select halfvec_cmp($1, $2) < 0 $fn$;
create function halfvec_le(halfvec, halfvec) returns boolean
    language sql immutable strict parallel safe as $fn$ select halfvec_cmp($1, $2) <= 0 $fn$;
create function halfvec_eq(halfvec, halfvec) returns boolean
    language sql immutable strict parallel safe as $fn$ select halfvec_cmp($1, $2) = 0 $fn$;
create function halfvec_ne(halfvec, halfvec) returns boolean
    language sql immutable strict parallel safe as $fn$ select halfvec_cmp($1, $2) <> 0 $fn$;
create function halfvec_ge(halfvec, halfvec) returns boolean
    language sql immutable strict parallel safe as $fn$ select halfvec_cmp($1, $2) >= 0 $fn$;
create function halfvec_gt(halfvec, halfvec) returns boolean
    language sql immutable strict parallel safe as $fn$ select halfvec_cmp($1, $2) > 0 $fn$;
create function _pgvet_halfvec_hash(halfvec) returns integer
    language sql immutable strict parallel safe
as $fn$ select hash_array(_pgvet_halfvec_elems($1)) $fn$;

create function halfvec_accum(double precision[], halfvec) returns double precision[]
    language sql immutable strict parallel safe
as $fn$ select vector_accum($1, _pgvet_vector_from(_pgvet_halfvec_elems($2))) $fn$;
create function halfvec_combine(double precision[], double precision[]) returns double precision[]
    language sql immutable strict parallel safe
as $fn$ select vector_combine($1, $2) $fn$;
create function halfvec_avg(double precision[]) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select vector_to_halfvec(vector_avg($1), -1, false) $fn$;
create function _pgvet_halfvec_sum(double precision[]) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select vector_to_halfvec(_pgvet_vector_sum($1), -1, false) $fn$;

create aggregate avg(halfvec) (
    sfunc = halfvec_accum,
    stype = double precision[],
    finalfunc = halfvec_avg,
    combinefunc = halfvec_combine,
    initcond = '{}',
    parallel = safe
);
create aggregate sum(halfvec) (
    sfunc = halfvec_accum,
    stype = double precision[],
    finalfunc = _pgvet_halfvec_sum,
    combinefunc = halfvec_combine,
    initcond = '{}',
    parallel = safe
);

create operator <-> (leftarg = halfvec, rightarg = halfvec, function = l2_distance, commutator = '<->');
create operator <#> (leftarg = halfvec, rightarg = halfvec, function = halfvec_negative_inner_product, commutator = '<#>');
create operator <=> (leftarg = halfvec, rightarg = halfvec, function = cosine_distance, commutator = '<=>');
create operator <+> (leftarg = halfvec, rightarg = halfvec, function = l1_distance, commutator = '<+>');
create operator + (leftarg = halfvec, rightarg = halfvec, function = halfvec_add, commutator = +);
create operator - (leftarg = halfvec, rightarg = halfvec, function = halfvec_sub);
create operator * (leftarg = halfvec, rightarg = halfvec, function = halfvec_mul, commutator = *);
create operator || (leftarg = halfvec, rightarg = halfvec, function = halfvec_concat);
create operator < (leftarg = halfvec, rightarg = halfvec, function = halfvec_lt,
    commutator = >, negator = >=, restrict = scalarltsel, join = scalarltjoinsel);
create operator <= (leftarg = halfvec, rightarg = halfvec, function = halfvec_le,
    commutator = >=, negator = >, restrict = scalarlesel, join = scalarlejoinsel);
create operator = (leftarg = halfvec, rightarg = halfvec, function = halfvec_eq,
    commutator = =, negator = <>, restrict = eqsel, join = eqjoinsel);
create operator <> (leftarg = halfvec, rightarg = halfvec, function = halfvec_ne,
    commutator = <>, negator = =, restrict = neqsel, join = neqjoinsel);
create operator >= (leftarg = halfvec, rightarg = halfvec, function = halfvec_ge,
    commutator = <=, negator = <, restrict = scalargesel, join = scalargejoinsel);
create operator > (leftarg = halfvec, rightarg = halfvec, function = halfvec_gt,
    commutator = <, negator = <=, restrict = scalargtsel, join = scalargtjoinsel);

create operator class halfvec_ops default for type halfvec using btree as
    operator 1 <,
    operator 2 <=,
    operator 3 =,
    operator 4 >=,
    operator 5 >,
    function 1 halfvec_cmp(halfvec, halfvec);

-- ---------------------------------------------------------------------------------
-- sparsevec: stored as text ('{1:0.5,3:2}/5'); read into its indices and values
-- (single precision, zeros dropped, in index order), as pgvector stores it.
-- ---------------------------------------------------------------------------------
create type sparsevec;

create function sparsevec_in(cstring, oid, integer) returns sparsevec
    language internal immutable strict parallel safe as 'textin';
create function sparsevec_out(sparsevec) returns cstring
    language internal immutable strict parallel safe as 'textout';
create function sparsevec_typmod_in(cstring[]) returns integer
    language internal immutable strict parallel safe as 'bittypmodin';
create function sparsevec_typmod_out(integer) returns cstring
    language internal immutable strict parallel safe as 'bittypmodout';
create function sparsevec_recv(internal, oid, integer) returns sparsevec
    language internal immutable strict parallel safe as 'textrecv';
create function sparsevec_send(sparsevec) returns bytea
    language internal immutable strict parallel safe as 'textsend';

create type sparsevec (
    input = sparsevec_in,
    output = sparsevec_out,
    typmod_in = sparsevec_typmod_in,
    typmod_out = sparsevec_typmod_out,
    receive = sparsevec_recv,
    send = sparsevec_send,
    internallength = variable,
    storage = extended,
    alignment = int4,
    category = 'U'
);

create function _pgvet_sparsevec_parts(
    v sparsevec, out dim integer, out idx integer[], out val double precision[]
)
    language plpgsql immutable strict parallel safe
as $fn$
declare
    s text := v::text;
    m text[];
    item text;
    i integer;
    x double precision;
begin
    m := regexp_match(s, '^\s*\{(.*)\}\s*/\s*([0-9]+)\s*$');
    if m is null or m[1] ~ '^\s*,|,\s*,|,\s*$' then
        raise exception 'invalid input syntax for type sparsevec: "%"', s using errcode = '22P02';
    end if;
    dim := m[2]::integer;
    if dim < 1 then
        raise exception 'sparsevec must have at least 1 dimension' using errcode = '22000';
    end if;
    idx := '{}';
    val := '{}';
    if btrim(m[1]) <> '' then
        foreach item in array string_to_array(m[1], ',') loop
            if item !~ '^\s*[0-9]+\s*:\s*[-+0-9.eEinfINFaA]+\s*$' then
                raise exception 'invalid input syntax for type sparsevec: "%"', s using errcode = '22P02';
            end if;
            i := btrim(split_part(item, ':', 1))::integer;
            x := btrim(split_part(item, ':', 2))::real;
            if x = 'NaN'::double precision then
                raise exception 'NaN not allowed in sparsevec' using errcode = '22000';
            elsif x in ('Infinity'::double precision, '-Infinity'::double precision) then
                raise exception 'infinite value not allowed in sparsevec' using errcode = '22000';
            elsif i < 1 or i > dim then
                raise exception 'sparsevec index out of bounds' using errcode = '22000';
            elsif i = any(idx) then
                raise exception 'sparsevec indices must not contain duplicates' using errcode = '22000';
            end if;
            if x <> 0 then
                idx := idx || i;
                val := val || x;
            end if;
        end loop;
        select coalesce(array_agg(t.i order by t.i), '{}'), coalesce(array_agg(t.x order by t.i), '{}')
            into idx, val from unnest(idx, val) as t(i, x);
    end if;
exception
    when invalid_text_representation or numeric_value_out_of_range then
        raise exception 'invalid input syntax for type sparsevec: "%"', s using errcode = '22P02';
end
$fn$;

create function _pgvet_sparsevec_make(dim integer, idx integer[], val double precision[], typmod integer)
    returns sparsevec
    language plpgsql immutable strict parallel safe
as $fn$
begin
    perform _pgvet_check_dims(dim, typmod, 'sparsevec');
    return (
        select '{' || coalesce(string_agg(t.i || ':' || t.x::real, ',' order by t.i), '') || '}/' || dim
        from unnest(idx, val) as t(i, x)
        where t.x::real <> 0
    )::text::sparsevec;
end
$fn$;

-- Dense elements of a sparse vector, and back.
create function _pgvet_sparsevec_dense(sparsevec) returns double precision[]
    language sql immutable strict parallel safe
as $fn$
    select array(select coalesce(t.x, 0)
                 from generate_series(1, p.dim) as g(i) left join unnest(p.idx, p.val) as t(i, x) on t.i = g.i
                 order by g.i)
    from _pgvet_sparsevec_parts($1) as p
$fn$;
create function _pgvet_sparsevec_from_dense(elems double precision[], typmod integer) returns sparsevec
    language sql immutable strict parallel safe
as $fn$
    select _pgvet_sparsevec_make(
        cardinality($1),
        coalesce(array_agg(t.i::integer order by t.i) filter (where t.x <> 0), '{}'),
        coalesce(array_agg(t.x order by t.i) filter (where t.x <> 0), '{}'),
        $2)
    from unnest($1) with ordinality as t(x, i)
$fn$;

-- Distances over the union of the indices (zeros elsewhere), without a dense copy.
create function _pgvet_sparsevec_distance(sparsevec, sparsevec, kind text) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
declare
    a record := _pgvet_sparsevec_parts($1);
    b record := _pgvet_sparsevec_parts($2);
    dot double precision;
    na double precision;
    nb double precision;
    l1 double precision;
    l2 double precision;
begin
    if a.dim <> b.dim then
        raise exception 'different sparsevec dimensions % and %', a.dim, b.dim using errcode = '22000';
    end if;
    select coalesce(sum(coalesce(x.v, 0) * coalesce(y.v, 0)), 0),
           coalesce(sum(coalesce(x.v, 0) ^ 2), 0), coalesce(sum(coalesce(y.v, 0) ^ 2), 0),
           coalesce(sum(abs(coalesce(x.v, 0) - coalesce(y.v, 0))), 0),
           coalesce(sum((coalesce(x.v, 0) - coalesce(y.v, 0)) ^ 2), 0)
      into dot, na, nb, l1, l2
      from unnest(a.idx, a.val) as x(i, v) full join unnest(b.idx, b.val) as y(i, v) on x.i = y.i;
    if kind = 'l2' then
        return sqrt(l2);
    elsif kind = 'l1' then
        return l1;
    elsif kind = 'ip' then
        return dot;
    elsif na = 0 or nb = 0 then
        return 'NaN';
    end if;
    return 1 - greatest(-1, least(1, dot / sqrt(na * nb)));
end
$fn$;

create function sparsevec(sparsevec, integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_make(p.dim, p.idx, p.val, $2) from _pgvet_sparsevec_parts($1) as p $fn$;
create function vector_to_sparsevec(vector, integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_from_dense(_pgvet_vector_elems($1), $2) $fn$;
create function sparsevec_to_vector(sparsevec, integer, boolean) returns vector
    language sql immutable strict parallel safe
as $fn$ select vector(_pgvet_vector_from(_pgvet_sparsevec_dense($1)), $2, $3) $fn$;
create function halfvec_to_sparsevec(halfvec, integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_from_dense(_pgvet_halfvec_elems($1), $2) $fn$;
create function sparsevec_to_halfvec(sparsevec, integer, boolean) returns halfvec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_halfvec_typed(_pgvet_sparsevec_dense($1), $2) $fn$;
create function array_to_sparsevec(integer[], integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_from_dense($1::double precision[], $2) $fn$;
create function array_to_sparsevec(real[], integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_from_dense($1::double precision[], $2) $fn$;
create function array_to_sparsevec(double precision[], integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_from_dense($1, $2) $fn$;
create function array_to_sparsevec(numeric[], integer, boolean) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_from_dense($1::double precision[], $2) $fn$;

create cast (sparsevec as sparsevec) with function sparsevec(sparsevec, integer, boolean) as implicit;
create cast (sparsevec as vector) with function sparsevec_to_vector(sparsevec, integer, boolean) as assignment;
create cast (vector as sparsevec) with function vector_to_sparsevec(vector, integer, boolean) as implicit;
create cast (sparsevec as halfvec) with function sparsevec_to_halfvec(sparsevec, integer, boolean) as assignment;
create cast (halfvec as sparsevec) with function halfvec_to_sparsevec(halfvec, integer, boolean) as implicit;
create cast (integer[] as sparsevec) with function array_to_sparsevec(integer[], integer, boolean) as assignment;
create cast (real[] as sparsevec) with function array_to_sparsevec(real[], integer, boolean) as assignment;
create cast (double precision[] as sparsevec) with function array_to_sparsevec(double precision[], integer, boolean) as assignment;
create cast (numeric[] as sparsevec) with function array_to_sparsevec(numeric[], integer, boolean) as assignment;

create function l2_distance(sparsevec, sparsevec) returns double precision
    language sql immutable strict parallel safe as $fn$ select _pgvet_sparsevec_distance($1, $2, 'l2') $fn$;
create function inner_product(sparsevec, sparsevec) returns double precision
    language sql immutable strict parallel safe as $fn$ select _pgvet_sparsevec_distance($1, $2, 'ip') $fn$;
create function cosine_distance(sparsevec, sparsevec) returns double precision
    language sql immutable strict parallel safe as $fn$ select _pgvet_sparsevec_distance($1, $2, 'cosine') $fn$;
create function l1_distance(sparsevec, sparsevec) returns double precision
    language sql immutable strict parallel safe as $fn$ select _pgvet_sparsevec_distance($1, $2, 'l1') $fn$;
create function l2_norm(sparsevec) returns double precision
    language sql immutable strict parallel safe
as $fn$ select _pgvet_norm(p.val) from _pgvet_sparsevec_parts($1) as p $fn$;
create function l2_normalize(sparsevec) returns sparsevec
    language sql immutable strict parallel safe
as $fn$ select _pgvet_sparsevec_make(p.dim, p.idx, _pgvet_normalize(p.val), -1) from _pgvet_sparsevec_parts($1) as p $fn$;
create function sparsevec_l2_squared_distance(sparsevec, sparsevec) returns double precision
    language sql immutable strict parallel safe as $fn$ select l2_distance($1, $2) ^ 2 $fn$;
create function sparsevec_negative_inner_product(sparsevec, sparsevec) returns double precision
    language sql immutable strict parallel safe as $fn$ select -inner_product($1, $2) $fn$;

create function sparsevec_cmp(sparsevec, sparsevec) returns integer
    language sql immutable strict parallel safe
as $fn$ select btarraycmp(_pgvet_sparsevec_dense($1), _pgvet_sparsevec_dense($2)) $fn$;
create function sparsevec_lt(sparsevec, sparsevec) returns boolean
    language sql immutable strict parallel safe as $fn$ select sparsevec_cmp($1, $2) < 0 $fn$;
create function sparsevec_le(sparsevec, sparsevec) returns boolean
    language sql immutable strict parallel safe as $fn$ select sparsevec_cmp($1, $2) <= 0 $fn$;
create function sparsevec_eq(sparsevec, sparsevec) returns boolean
    language sql immutable strict parallel safe as $fn$ select sparsevec_cmp($1, $2) = 0 $fn$;
create function sparsevec_ne(sparsevec, sparsevec) returns boolean
    language sql immutable strict parallel safe as $fn$ select sparsevec_cmp($1, $2) <> 0 $fn$;
create function sparsevec_ge(sparsevec, sparsevec) returns boolean
    language sql immutable strict parallel safe as $fn$ select sparsevec_cmp($1, $2) >= 0 $fn$;
create function sparsevec_gt(sparsevec, sparsevec) returns boolean
    language sql immutable strict parallel safe as $fn$ select sparsevec_cmp($1, $2) > 0 $fn$;
create function _pgvet_sparsevec_hash(sparsevec) returns integer
    language sql immutable strict parallel safe
as $fn$ select hash_array(array[p.dim::double precision] || p.idx::double precision[] || p.val) from _pgvet_sparsevec_parts($1) as p $fn$;

create operator <-> (leftarg = sparsevec, rightarg = sparsevec, function = l2_distance, commutator = '<->');
create operator <#> (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_negative_inner_product, commutator = '<#>');
create operator <=> (leftarg = sparsevec, rightarg = sparsevec, function = cosine_distance, commutator = '<=>');
create operator <+> (leftarg = sparsevec, rightarg = sparsevec, function = l1_distance, commutator = '<+>');
create operator < (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_lt,
    commutator = >, negator = >=, restrict = scalarltsel, join = scalarltjoinsel);
create operator <= (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_le,
    commutator = >=, negator = >, restrict = scalarlesel, join = scalarlejoinsel);
create operator = (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_eq,
    commutator = =, negator = <>, restrict = eqsel, join = eqjoinsel);
create operator <> (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_ne,
    commutator = <>, negator = =, restrict = neqsel, join = neqjoinsel);
create operator >= (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_ge,
    commutator = <=, negator = <, restrict = scalargesel, join = scalargejoinsel);
create operator > (leftarg = sparsevec, rightarg = sparsevec, function = sparsevec_gt,
    commutator = <, negator = <=, restrict = scalargtsel, join = scalargtjoinsel);

create operator class sparsevec_ops default for type sparsevec using btree as
    operator 1 <,
    operator 2 <=,
    operator 3 =,
    operator 4 >=,
    operator 5 >,
    function 1 sparsevec_cmp(sparsevec, sparsevec);

-- ---------------------------------------------------------------------------------
-- bit: Hamming and Jaccard distances (PostgreSQL 14+'s bit_count)
-- ---------------------------------------------------------------------------------
create function _pgvet_same_bits(bit, bit) returns void
    language plpgsql immutable strict parallel safe
as $fn$
begin
    if length($1) <> length($2) then
        raise exception 'different bit lengths % and %', length($1), length($2) using errcode = '22000';
    end if;
end
$fn$;
create function hamming_distance(bit, bit) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
begin
    perform _pgvet_same_bits($1, $2);
    return bit_count($1 # $2);
end
$fn$;
create function jaccard_distance(bit, bit) returns double precision
    language plpgsql immutable strict parallel safe
as $fn$
declare
    both_ double precision;
    either double precision;
begin
    perform _pgvet_same_bits($1, $2);
    both_ := bit_count($1 & $2);
    either := bit_count($1 | $2);
    if either = 0 then
        return 1;
    end if;
    return 1 - both_ / either;
end
$fn$;
create function _pgvet_bit_hash(bit) returns integer
    language sql immutable strict parallel safe as $fn$ select hashtext($1::text) $fn$;

create operator <~> (leftarg = bit, rightarg = bit, function = hamming_distance, commutator = '<~>');
create operator <%> (leftarg = bit, rightarg = bit, function = jaccard_distance, commutator = '<%>');

-- ---------------------------------------------------------------------------------
-- Index access methods: hash indexes under pgvector's names (see the header).
-- ---------------------------------------------------------------------------------
create function hnswhandler(internal) returns index_am_handler
    language internal strict as 'hashhandler';
create function ivfflathandler(internal) returns index_am_handler
    language internal strict as 'hashhandler';

create access method hnsw type index handler hnswhandler;
comment on access method hnsw is 'hnsw index access method (pgvet sandbox stand-in: a hash index)';
create access method ivfflat type index handler ivfflathandler;
comment on access method ivfflat is 'ivfflat index access method (pgvet sandbox stand-in: a hash index)';

-- pgvector's operator classes, each a hash of the whole value underneath. As in pgvector,
-- only vector_l2_ops (ivfflat) is a default: any other index must name its class.
create operator class vector_l2_ops for type vector using hnsw as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);
create operator class vector_ip_ops for type vector using hnsw as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);
create operator class vector_cosine_ops for type vector using hnsw as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);
create operator class vector_l1_ops for type vector using hnsw as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);
create operator class vector_l2_ops default for type vector using ivfflat as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);
create operator class vector_ip_ops for type vector using ivfflat as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);
create operator class vector_cosine_ops for type vector using ivfflat as
    operator 1 = (vector, vector), function 1 _pgvet_vector_hash(vector);

create operator class halfvec_l2_ops for type halfvec using hnsw as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);
create operator class halfvec_ip_ops for type halfvec using hnsw as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);
create operator class halfvec_cosine_ops for type halfvec using hnsw as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);
create operator class halfvec_l1_ops for type halfvec using hnsw as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);
create operator class halfvec_l2_ops for type halfvec using ivfflat as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);
create operator class halfvec_ip_ops for type halfvec using ivfflat as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);
create operator class halfvec_cosine_ops for type halfvec using ivfflat as
    operator 1 = (halfvec, halfvec), function 1 _pgvet_halfvec_hash(halfvec);

create operator class sparsevec_l2_ops for type sparsevec using hnsw as
    operator 1 = (sparsevec, sparsevec), function 1 _pgvet_sparsevec_hash(sparsevec);
create operator class sparsevec_ip_ops for type sparsevec using hnsw as
    operator 1 = (sparsevec, sparsevec), function 1 _pgvet_sparsevec_hash(sparsevec);
create operator class sparsevec_cosine_ops for type sparsevec using hnsw as
    operator 1 = (sparsevec, sparsevec), function 1 _pgvet_sparsevec_hash(sparsevec);
create operator class sparsevec_l1_ops for type sparsevec using hnsw as
    operator 1 = (sparsevec, sparsevec), function 1 _pgvet_sparsevec_hash(sparsevec);

create operator class bit_hamming_ops for type bit using hnsw as
    operator 1 = (bit, bit), function 1 _pgvet_bit_hash(bit);
create operator class bit_jaccard_ops for type bit using hnsw as
    operator 1 = (bit, bit), function 1 _pgvet_bit_hash(bit);
create operator class bit_hamming_ops for type bit using ivfflat as
    operator 1 = (bit, bit), function 1 _pgvet_bit_hash(bit);

-- pgvector's checks of the indexed column when an hnsw or ivfflat index is built (the
-- hash index underneath has none): its type, its dimensions and their limits, with
-- pgvector's messages. Run at the end of CREATE INDEX, as pgvector's build runs after
-- the table, columns and operator class are checked.
create function _pgvet_vector_index_check() returns event_trigger
    language plpgsql
as $fn$
declare
    r record;
    ix record;
    typ oid;
    typmod integer;
    most integer;
begin
    for r in
        select ev.objid from pg_catalog.pg_event_trigger_ddl_commands() as ev
        where ev.object_type = 'index'
    loop
        select a.amname, i.indrelid, i.indkey[0] as attnum, oc.opcintype,
               pg_catalog.pg_get_expr(i.indexprs, i.indrelid) as expr
          into ix
          from pg_catalog.pg_index i
          join pg_catalog.pg_class c on c.oid = i.indexrelid
          join pg_catalog.pg_am a on a.oid = c.relam
          join pg_catalog.pg_opclass oc on oc.oid = i.indclass[0]
         where i.indexrelid = r.objid and a.amname in ('hnsw', 'ivfflat');
        if not found then
            continue;
        end if;
        if ix.attnum <> 0 then  -- a column: its own type and dimensions
            select att.atttypid, att.atttypmod into typ, typmod
              from pg_catalog.pg_attribute att
             where att.attrelid = ix.indrelid and att.attnum = ix.attnum;
        else  -- an expression: the operator class's type, dimensions of a final cast
            typ := ix.opcintype;
            typmod := coalesce((regexp_match(
                ix.expr, '::(?:[\w"]+\.)?"?(?:vector|halfvec|sparsevec|bit)"?\((\d+)\)\)*$'))[1]::integer, -1);
        end if;
        most := case typ
            when 'vector'::regtype then 2000
            when 'halfvec'::regtype then 4000
            when 'bit'::regtype then 64000
            when 'sparsevec'::regtype then null
            else -1 end;
        if most = -1 then
            raise exception 'type not supported for % index', ix.amname using errcode = '0A000';
        end if;
        if typmod < 0 then
            raise exception 'column does not have dimensions' using errcode = '22023';
        end if;
        if typmod > most then
            raise exception 'column cannot have more than % dimensions for % index', most, ix.amname
                using errcode = '54000';
        end if;
    end loop;
end
$fn$;
create event trigger _pgvet_vector_index_check on ddl_command_end when tag in ('CREATE INDEX')
    execute function _pgvet_vector_index_check();

-- ---------------------------------------------------------------------------------
-- Pin the search_path of this extension's SQL and PL/pgSQL functions to its schema, so
-- internal calls work whatever the caller's search_path is.
-- ---------------------------------------------------------------------------------
do $pin$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
        from pg_catalog.pg_proc p
        join pg_catalog.pg_language l on l.oid = p.prolang
        join pg_catalog.pg_depend d
          on d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
        join pg_catalog.pg_extension x
          on d.refclassid = 'pg_catalog.pg_extension'::regclass and d.refobjid = x.oid
        where x.extname = 'vector' and l.lanname in ('sql', 'plpgsql') and p.prokind = 'f'
    loop
        execute format('alter function %s set search_path = %I, pg_catalog', f, current_schema());
    end loop;
end
$pin$;
