-- pgvet sandbox stand-in for pgvector 0.8 (`vector`), without its C module.
--
-- Installed only on servers that lack the real pgvector. Provides the `vector` type
-- with dimensions (vector(1536)), its casts, operators, functions and aggregates, and
-- the `hnsw` and `ivfflat` index access methods with the vector_*_ops operator classes,
-- so that schemas and functions using them replay.
-- Real values: distances (<->, <#>, <=>, <+>), arithmetic, vector_dims, vector_norm,
--   l2_normalize, subvector, avg/sum, comparisons; dimension checks on vector(n).
-- Faked / missing:
--   * values are stored as their text form; input is only checked when cast to a
--     vector(n) (e.g. stored in a vector(n) column); no binary I/O;
--   * hnsw and ivfflat indexes are hash indexes on the vector underneath: they build and
--     stay consistent, but never serve nearest-neighbour ORDER BY (queries fall back to a
--     sequential scan, with the same results). Index options such as WITH (m = 16) or
--     WITH (lists = 100) are rejected ("unrecognized parameter"), since SQL cannot
--     declare new index options;
--   * halfvec, sparsevec and the bit distance functions are not provided.
-- The type's I/O uses PostgreSQL's built-in text and bit-typmod routines (LANGUAGE
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

create type vector (
    input = vector_in,
    output = vector_out,
    typmod_in = vector_typmod_in,
    typmod_out = vector_typmod_out,
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

create operator class vector_l2_ops default for type vector using hnsw as
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
