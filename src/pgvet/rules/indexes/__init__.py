"""Index rules: foreign keys, duplicates, prefixes, tenant and policy columns, JSONB, FTS.

Every rule that asks "is this column (set) indexed?" uses one test, :func:`serving_index`:
a valid, non-partial btree index whose first *k* key columns are exactly the *k* columns
asked for, in any order, or a unique btree index whose keys are all among them (a hash
index serves a single column). Expression keys never count, and a partition is served by
its partitioned parent's index.

One problem, one finding: when a column lacks an index for several reasons (a foreign
key that is also the tenant column and is compared by a policy), the most specific rule
reports it (unindexed-foreign-key, then tenant-column-not-indexed, then
policy-column-not-indexed) and the others skip it, because the fix is the same index.

Fixes create indexes ``concurrently`` (no write lock on a live table) with names from
:func:`index_name`: ``idx_<table>_<columns>``, at most 63 bytes, unique in the schema and
among the fixes of one run.
"""
