"""The SQL of ``pgvet inspect``: one query per kind of figure, each read-only.

Every query carries the ``/* pgvet inspect */`` tag after its first keyword, so that
pg_stat_statements' figures can leave pgvet's own queries out (PostgreSQL 18 keeps no
comment that comes before a statement in the text it records). ``%(excluded)s`` is a list
of LIKE patterns of schemas the platform manages (see
:data:`pgvet.inspect.settings.PLATFORM_SCHEMAS`).
Figures are returned raw (bytes, counters, seconds); ratios are computed in Python, so
that a division by zero is "no data" rather than an error.
"""

from __future__ import annotations

TAG = "/* pgvet inspect */"

# The inspection's transaction: read only; one snapshot of the statistics for every figure
# (stats_fetch_consistency = snapshot, PostgreSQL 15 on: the default, "cache", fixes each
# object's counters only when first read, and looks each one up in shared memory); no
# parallel workers (starting them costs more than these catalog queries take).
SESSION = f"""select {TAG}
       set_config('max_parallel_workers_per_gather', '0', true),
       case when current_setting('server_version_num')::int >= 150000
            then set_config('stats_fetch_consistency', 'snapshot', true) end
"""

# The database, its counters' window and the server settings the checks compare against.
SERVER = f"""select {TAG}
       current_database(), current_setting('server_version'),
       current_setting('server_version_num')::int, pg_database_size(current_database()),
       pg_postmaster_start_time(), now(), d.stats_reset,
       extract(epoch from now() - coalesce(d.stats_reset, pg_postmaster_start_time())),
       extract(epoch from now() - pg_postmaster_start_time()),
       pg_is_in_recovery(),
       current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       current_setting('autovacuum'),
       current_setting('autovacuum_vacuum_threshold')::float8,
       current_setting('autovacuum_vacuum_scale_factor')::float8,
       current_setting('block_size')::int,
       d.blks_hit, d.blks_read, d.xact_commit, d.xact_rollback, d.deadlocks, d.temp_bytes,
       age(db.datfrozenxid), mxid_age(db.datminmxid),
       (select max(age(datfrozenxid)) from pg_database where datallowconn),
       coalesce((select jsonb_object_agg(e.extname, e.extnamespace::regnamespace::text)
                   from pg_extension e), '{{}}'::jsonb)
from pg_stat_database d join pg_database db on db.oid = d.datid
where d.datname = current_database()
"""

# Tables and materialized views in scope (a CTE both queries below share).
_SCOPE = """
  select c.oid, n.nspname, c.relname, c.reltoastrelid,
         -- sized exactly: the largest by pages, and any the planner has never measured
         row_number() over (order by c.relpages desc) <= %(exact)s or c.reltuples < 0
           as exact,
         current_setting('block_size')::int8 as block
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'm') and not n.nspname like any(%(excluded)s)
    and n.nspname not like 'pg\\_%%' and n.nspname <> 'information_schema'
"""

# Tables and materialized views: sizes, row estimates, scans, I/O, vacuum, freeze age.
# Sizes are the ones pg_table_size, pg_indexes_size and pg_total_relation_size give, with
# every relation sized once: each of those functions opens (and, in a fresh session,
# loads into the relation cache) the table, its TOAST table and index and every index
# again, which made them most of the time of an inspection. table = pg_table_size (heap
# forks + TOAST); TOAST = all forks of the TOAST table and its index; indexes = all forks
# of every live index, summed (what pg_indexes_size adds up).
TABLES = f"""with {TAG}
scope as materialized ({_SCOPE}),
sized as materialized (
  select s.oid,
         case when s.exact then pg_table_size(s.oid)
              else (c.relpages + coalesce(t.relpages, 0)) * s.block end as table_bytes,
         case when s.exact then coalesce(pg_total_relation_size(nullif(s.reltoastrelid, 0)), 0)
              else coalesce(t.relpages, 0) * s.block end as toast_bytes
  from scope s
  join pg_class c on c.oid = s.oid
  left join pg_class t on t.oid = nullif(s.reltoastrelid, 0)
),
indexed as materialized (
  select i.indrelid,
         sum(case when s.exact then pg_table_size(i.indexrelid)
                  else ic.relpages * s.block end)::bigint as bytes
  from pg_index i join scope s on s.oid = i.indrelid
  join pg_class ic on ic.oid = i.indexrelid
  where i.indislive
  group by i.indrelid
)
select sc.nspname, sc.relname, c.reltuples::float8, c.relpages::bigint,
       z.table_bytes - z.toast_bytes, z.toast_bytes, coalesce(ix.bytes, 0),
       s.n_live_tup, s.n_dead_tup, s.seq_scan, s.seq_tup_read, s.idx_scan, s.idx_tup_fetch,
       s.n_tup_ins + s.n_tup_upd + s.n_tup_del, s.n_mod_since_analyze,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
       io.heap_blks_hit, io.heap_blks_read, io.idx_blks_hit, io.idx_blks_read,
       age(c.relfrozenxid), mxid_age(c.relminmxid), coalesce(c.reloptions, '{{}}'), sc.exact
from scope sc
join pg_class c on c.oid = sc.oid
join sized z on z.oid = sc.oid
left join indexed ix on ix.indrelid = sc.oid
left join pg_stat_all_tables s on s.relid = sc.oid
left join pg_statio_all_tables io on io.relid = sc.oid
"""

# Indexes: size (main fork), scans, I/O, validity, what they back; the definition of
# invalid ones only. Constraint-backed indexes and column names come from joins: a
# per-row sub-select on pg_constraint (no index on conindid) or on pg_attribute ran once
# per index.
INDEXES = f"""with {TAG}
scope as materialized ({_SCOPE}),
backing as materialized (select distinct conindid from pg_constraint where conindid <> 0),
named as materialized (
  select i.indexrelid, array_agg(a.attname order by k.ord) as columns
  from pg_index i
  join scope s on s.oid = i.indrelid
  cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
  group by i.indexrelid
)
select s.nspname, s.relname, c.relname,
       case when s.exact then pg_relation_size(c.oid) else c.relpages * s.block end,
       c.reltuples::float8,
       c.relpages::bigint, am.amname, st.idx_scan, st.idx_tup_read,
       io.idx_blks_hit, io.idx_blks_read,
       i.indisunique, i.indisprimary, i.indisvalid and i.indisready,
       b.conindid is not null,
       i.indexprs is not null or i.indpred is not null,
       nm.columns,
       case when not (i.indisvalid and i.indisready) then pg_get_indexdef(c.oid) end,
       s.exact
from scope s
join pg_index i on i.indrelid = s.oid
join pg_class c on c.oid = i.indexrelid
join pg_am am on am.oid = c.relam
left join backing b on b.conindid = c.oid
left join named nm on nm.indexrelid = c.oid
left join pg_stat_all_indexes st on st.indexrelid = c.oid
left join pg_statio_all_indexes io on io.indexrelid = c.oid
"""

# Column widths and null fractions from the planner's statistics, for the bloat estimate.
COLUMN_STATS = f"""select {TAG}
       s.schemaname, s.tablename, s.attname, s.null_frac::float8, s.avg_width
from pg_stats s
where not s.schemaname like any(%(excluded)s)
  and s.schemaname not like 'pg\\_%%' and s.schemaname <> 'information_schema'
  and not s.inherited
"""

# Measured bloat with pgstattuple (only for the objects the estimate flags); {schema} is the
# extension's schema, quoted by the caller. Tables use pgstattuple_approx: it reads the
# pages the visibility map does not mark all-visible (exact dead tuples there; free space of
# all-visible pages from the free space map) and, unlike pgstattuple, is no sequential
# scan, so it never adds to the seq_scan counters inspect reports.
EXACT_TABLE_BLOAT = (
    "select "
    + TAG
    + """
       u.o, t.table_len, t.dead_tuple_len + t.approx_free_space
from unnest(%(relations)s::regclass[]) with ordinality u(r, o),
     lateral {schema}.pgstattuple_approx(u.r) t
"""
)
EXACT_INDEX_BLOAT = (
    "select "
    + TAG
    + """
       u.o, t.index_size, t.leaf_pages, t.avg_leaf_density
from unnest(%(relations)s::regclass[]) with ordinality u(r, o), lateral {schema}.pgstatindex(u.r) t
"""
)

# Sequences, with the integer column they feed (identity or serial), whose type may end
# them sooner than their own maximum.
SEQUENCES = f"""select {TAG}
       s.schemaname, s.sequencename, s.min_value, s.max_value, s.increment_by, s.cycle,
       s.last_value, col.tbl, col.attname, col.typ
from pg_sequences s
join pg_namespace sn on sn.nspname = s.schemaname
join pg_class sc on sc.relnamespace = sn.oid and sc.relname = s.sequencename
left join lateral (
  select format('%%I.%%I', tn.nspname, t.relname) as tbl, a.attname,
         format_type(a.atttypid, null) as typ
  from pg_depend d
  join pg_class t on t.oid = d.refobjid
  join pg_namespace tn on tn.oid = t.relnamespace
  join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
  where d.classid = 'pg_class'::regclass and d.objid = sc.oid
    and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0 and d.deptype in ('a', 'i')
  limit 1
) col on true
where not s.schemaname like any(%(excluded)s)
"""

# Client connections by role and state.
CONNECTIONS = f"""select {TAG}
       coalesce(usename, ''), coalesce(state, 'unknown'), count(*)
from pg_stat_activity
where backend_type = 'client backend'
group by 1, 2
"""

# Sessions worth naming: long-running, idle in transaction, blocked, or blocking others.
SESSIONS = f"""with {TAG}
a as (
  select *, pg_blocking_pids(pid) as blocked_by from pg_stat_activity
  where backend_type = 'client backend' and pid <> pg_backend_pid()
), blockers as (select distinct unnest(blocked_by) as pid from a)
select a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''),
       coalesce(a.state, 'unknown'),
       extract(epoch from now() - a.query_start)::float8,
       extract(epoch from now() - a.state_change)::float8,
       extract(epoch from now() - a.xact_start)::float8,
       coalesce(a.wait_event_type || ':' || a.wait_event, ''), a.blocked_by,
       a.pid in (select pid from blockers), left(a.query, 500)
from a
where (a.state = 'active' and now() - a.query_start > make_interval(secs => %(long)s))
   or (a.state like 'idle in transaction%%'
       and now() - a.state_change > make_interval(secs => %(idle)s))
   or cardinality(a.blocked_by) > 0
   or a.pid in (select pid from blockers)
order by a.query_start
"""

# Replication slots and the WAL each one keeps on disk.
SLOTS = f"""select {TAG}
       slot_name, slot_type, coalesce(database, ''), active,
       case when pg_is_in_recovery() then null
            else pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint end,
       wal_status
from pg_replication_slots
"""

# Standbys streaming from this server and how far behind they replay.
REPLICAS = f"""select {TAG}
       coalesce(application_name, ''), coalesce(client_addr::text, 'local'), coalesce(state, ''),
       extract(epoch from replay_lag)::float8,
       case when pg_is_in_recovery() then null
            else pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint end
from pg_stat_replication
"""

# pg_stat_statements: the costliest (total time) and slowest (mean time) statements of
# this database; {schema} is the extension's schema, quoted by the caller.
STATEMENTS = (
    "with "
    + TAG
    + """
s as (
  select queryid, query, calls, total_exec_time, mean_exec_time, stddev_exec_time,
         min_exec_time, max_exec_time, rows, shared_blks_hit, shared_blks_read
  from {schema}.pg_stat_statements
  where dbid = (select oid from pg_database where datname = current_database())
    and calls > 0 and query not like '%%pgvet inspect%%'
), ranked as (
  select *, rank() over (order by total_exec_time desc) as by_total,
         rank() over (order by mean_exec_time desc) as by_mean,
         sum(total_exec_time) over () as all_time
  from s
)
select queryid, query, calls, total_exec_time, mean_exec_time, stddev_exec_time,
       min_exec_time, max_exec_time, rows, shared_blks_hit, shared_blks_read, all_time
from ranked where by_total <= %(top)s or by_mean <= %(top)s
order by total_exec_time desc
"""
)
STATEMENTS_INFO = f"select {TAG} stats_reset from {{schema}}.pg_stat_statements_info"
