"""Indexing questions that rules, the coverage table and the workload analysis ask of a
catalog: which index serves a column set, which foreign keys and tenant columns have none,
duplicate and redundant indexes, index names, and the CREATE INDEX fix.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pgvet.analysis import exprs
from pgvet.analysis.memo import memo
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import Catalog, Constraint, Index, Policy, Table

MAX_IDENTIFIER_BYTES = 63

ROW_TABLE_KINDS = ("table", "partitioned")


def _fit(name: str) -> str:
    """``name`` cut to 63 bytes, with a short hash of the whole name when it had to be cut
    (so two long names that share a prefix stay distinct)."""
    raw = name.encode()
    if len(raw) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:8]
    head = raw[: MAX_IDENTIFIER_BYTES - len(digest) - 1].decode(errors="ignore").rstrip("_")
    return f"{head}_{digest}"


def index_name(table: str, columns: Sequence[str], existing: set[str], suffix: str = "") -> str:
    """``idx_<table>_<col1>_<col2>[_<suffix>]``: lower case, ≤ 63 bytes, not in
    ``existing`` (which it is added to, so successive calls never collide)."""
    parts = ["idx", table, *columns, *([suffix] if suffix else [])]
    base = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_")
    candidate, n = _fit(base), 2
    while candidate in existing:
        candidate, n = _fit(f"{base}_{n}"), n + 1
    existing.add(candidate)
    return candidate


def taken_names(catalog: Catalog, schema: str) -> set[str]:
    """Relation names in use in ``schema`` (tables, views, indexes, sequences share one
    namespace, so a new index must avoid all of them)."""
    names = {t.name for t in catalog.tables if t.schema == schema}
    names |= {i.name for i in catalog.indexes if i.schema == schema}
    names |= {s.name for s in catalog.sequences if s.schema == schema}
    return names


@dataclass
class _NameBook:
    """Index names handed out for one catalog: one name per proposed index, never twice."""

    taken: dict[str, set[str]] = field(default_factory=dict)
    given: dict[tuple[str, str, tuple[str, ...], str], str] = field(default_factory=dict)

    def name(
        self, catalog: Catalog, schema: str, table: str, columns: Sequence[str], suffix: str = ""
    ) -> str:
        key = (schema, table, tuple(columns), suffix)
        if key not in self.given:
            taken = self.taken.get(schema)
            if taken is None:  # once per schema (setdefault would rebuild it every call)
                taken = self.taken[schema] = taken_names(catalog, schema)
            self.given[key] = index_name(table, columns, taken, suffix)
        return self.given[key]


def create_index_fix(
    catalog: Catalog,
    schema: str,
    table: str,
    columns: Sequence[str],
    *,
    using: str | None = None,
    keys: str | None = None,
    suffix: str = "",
) -> str:
    """``create index concurrently if not exists idx_... on schema.table (cols);``"""
    name = memo(catalog, "index names", _NameBook).name(catalog, schema, table, columns, suffix)
    method = f" using {using}" if using else ""
    key_sql = keys if keys is not None else ", ".join(ident(c) for c in columns)
    return (
        f"create index concurrently if not exists {ident(name)} "
        f"on {qualified(schema, table)}{method} ({key_sql});"
    )


def candidate_indexes(catalog: Catalog, table: Table) -> tuple[Index, ...]:
    """Indexes that can serve lookups on ``table``: its own and, for a partition, its
    partitioned parent's."""
    own = catalog.indexes_of(table.schema, table.name)
    if table.parent is not None:
        return own + catalog.indexes_of(*table.parent)
    return own


def serves_columns(index: Index, columns: Sequence[str], *, partial: bool = False) -> bool:
    """Whether ``index`` serves equality lookups on ``columns``; ``partial``: judge a
    partial index by its keys alone (its predicate is the caller's question)."""
    k = len(columns)
    if not index.valid or (index.is_partial and not partial) or k == 0:
        return False
    keys = index.columns[: index.key_count]
    if index.method == "hash":
        return k == 1 and keys[0] == columns[0]
    if index.method != "btree" or None in keys[: min(k, len(keys))]:
        return False
    if index.unique and None not in keys and set(keys) <= set(columns):
        return True  # a unique key inside the columns finds at most one row
    lead = keys[:k]
    return len(lead) == k and set(lead) == set(columns) and len(set(lead)) == k


def serving_index(
    catalog: Catalog, schema: str, table: str, columns: Sequence[str]
) -> Index | None:
    """The index that serves equality lookups on ``columns`` (any order), or None.

    The one test behind every "is it indexed" rule and the coverage table: a valid,
    non-partial btree whose first ``len(columns)`` keys are exactly ``columns`` (a partial
    index does not cover every row; an expression key is not the column), or a unique
    btree whose keys are all among ``columns`` (it finds at most one row, e.g. ``unique
    (handle)`` for a foreign key on ``(handle, is_organization)``)."""
    found = catalog.find_table(schema, table)
    if found is None:
        return None
    for index in candidate_indexes(catalog, found):
        if serves_columns(index, columns):
            return index
    return None


def reviewed_tables(catalog: Catalog) -> Iterator[Table]:
    """Tables that hold rows and are the project's own: plain and partitioned tables, not
    partitions (their parent is reviewed), not extension-owned."""
    for table in catalog.tables:
        if table.kind in ROW_TABLE_KINDS and table.parent is None and table.extension is None:
            yield table


@dataclass
class _Shared:
    """Answers several rules of one run ask about the same catalog, computed once."""

    unindexed_fks: tuple[Constraint, ...] | None = None
    tenant: dict[tuple[str, ...], tuple[tuple[Table, str], ...]] = field(default_factory=dict)


def _shared(catalog: Catalog) -> _Shared:
    return memo(catalog, "index rules", _Shared)


def unindexed_foreign_keys(catalog: Catalog) -> list[Constraint]:
    """Foreign keys (declared, not partition copies) that no index serves."""
    shared = _shared(catalog)
    if shared.unindexed_fks is None:
        shared.unindexed_fks = tuple(_unindexed_foreign_keys(catalog))
    return list(shared.unindexed_fks)


def _unindexed_foreign_keys(catalog: Catalog) -> list[Constraint]:
    out = []
    reviewed = {t.key for t in reviewed_tables(catalog)}
    for fk in catalog.foreign_keys:
        if fk.inherited or (fk.schema, fk.table) not in reviewed:
            continue
        if serving_index(catalog, fk.schema, fk.table, fk.columns) is not None:
            continue
        if partial_fk_indexes(catalog, fk)[0]:
            continue
        out.append(fk)
    return out


def partial_fk_indexes(catalog: Catalog, fk: Constraint) -> tuple[list[Index], list[Index]]:
    """Partial indexes whose first keys are the foreign key's columns: ``(serving, not
    serving)``. PostgreSQL's check of the reference (``SELECT 1 FROM ONLY child x WHERE
    fk = $1 FOR KEY SHARE OF x``, run for each deleted or re-keyed parent row) implies
    ``fk IS NOT NULL`` (``=`` is strict), so an index whose predicate says no more than
    that, or than what the table's NOT NULL columns already guarantee, serves it."""
    table = catalog.find_table(fk.schema, fk.table)
    if table is None:
        return [], []
    serving, other = [], []
    for index in candidate_indexes(catalog, table):
        if index.predicate is None or not serves_columns(index, fk.columns, partial=True):
            continue
        not_null = {c.name for c in table.columns if c.not_null} | set(fk.columns)
        if predicate_implied_by_not_null(index.predicate, not_null):
            serving.append(index)
        else:
            other.append(index)
    return serving, other


def predicate_implied_by_not_null(predicate: str, columns: Iterable[str]) -> bool:
    """True when every conjunct of ``predicate`` is ``col IS NOT NULL`` for one of
    ``columns`` (which are known not to be null)."""
    trees = exprs.parse_statements(f"select 1 where {predicate}")
    if not trees:
        return False
    known = set(columns)
    where = trees[0]["SelectStmt"].get("whereClause")
    pending, conjuncts = [where], []
    while pending:
        node = pending.pop()
        boolean = node.get("BoolExpr") if isinstance(node, dict) else None
        if boolean is not None and boolean.get("boolop") == "AND_EXPR":
            pending.extend(boolean.get("args", []))
        else:
            conjuncts.append(node)
    for conjunct in conjuncts:
        test = conjunct.get("NullTest") if isinstance(conjunct, dict) else None
        if test is None or test.get("nulltesttype") != "IS_NOT_NULL":
            return False
        ref = exprs.column_ref(test.get("arg"))
        fields = [f["String"]["sval"] for f in (ref or {}).get("fields", []) if "String" in f]
        if not fields or fields[-1] not in known:
            return False
    return True


def tenant_columns_of(table: Table, tenant_columns: Iterable[str]) -> list[str]:
    """The configured tenant columns that ``table`` has, in configuration order."""
    return [c for c in tenant_columns if table.column(c) is not None]


def unindexed_tenant_columns(
    catalog: Catalog, tenant_columns: Iterable[str]
) -> list[tuple[Table, str]]:
    """``(table, tenant column)`` pairs with no serving index."""
    columns = tuple(tenant_columns)
    known = _shared(catalog).tenant
    if columns not in known:
        known[columns] = tuple(
            (table, column)
            for table in reviewed_tables(catalog)
            for column in tenant_columns_of(table, columns)
            if serving_index(catalog, table.schema, table.name, (column,)) is None
        )
    return list(known[columns])


def policy_columns(catalog: Catalog, table: Table) -> dict[str, list[Policy]]:
    """Columns of ``table`` its RLS policies filter on, with the policies that do."""
    out: dict[str, list[Policy]] = {}
    for policy in catalog.policies_of(table.schema, table.name):
        for column in exprs.policy_filter_columns(policy, catalog):
            out.setdefault(column, []).append(policy)
    return out


def _signature(index: Index) -> tuple[object, ...]:
    return (
        index.method,
        index.expressions,
        index.include_columns,
        index.predicate,
        index.opclasses,
        index.collations,
        index.descending,
        index.nulls_first,
        index.nulls_not_distinct,
    )


def _keep_order(catalog: Catalog, index: Index) -> tuple[object, ...]:
    """Sort key: the index to keep first (primary key, constraint, unique, oldest)."""
    origin = catalog.origin_for(index)
    created = (origin.file, origin.line) if origin else ("~", 0)
    return (not index.primary, index.constraint_name is None, not index.unique, created, index.name)


def duplicate_indexes(catalog: Catalog) -> list[tuple[Index, Index]]:
    """``(duplicate, kept)`` pairs: valid indexes identical in method, keys, INCLUDE,
    predicate, opclasses, collations and ordering on one table; the primary key, a
    constraint's index, a unique index, then the oldest is kept."""
    out: list[tuple[Index, Index]] = []
    for table in reviewed_tables(catalog):
        groups: dict[tuple[object, ...], list[Index]] = {}
        for index in catalog.indexes_of(table.schema, table.name):
            if index.valid:
                groups.setdefault(_signature(index), []).append(index)
        for members in groups.values():
            if len(members) > 1:
                members.sort(key=lambda i: _keep_order(catalog, i))
                out += [(dup, members[0]) for dup in members[1:]]
    return out


def _ordering_compatible(short: Index, long: Index) -> bool:
    k = short.key_count
    pairs = list(zip(short.descending[:k], long.descending[:k], strict=True))
    nulls = list(zip(short.nulls_first[:k], long.nulls_first[:k], strict=True))
    same = all(a == b for a, b in pairs) and all(a == b for a, b in nulls)
    flipped = all(a != b for a, b in pairs) and all(a != b for a, b in nulls)
    return same or flipped  # a btree scans backwards too


def _is_prefix(short: Index, long: Index) -> bool:
    k = short.key_count
    if long.method != "btree" or not long.valid or long.key_count <= k:
        return False
    if short.predicate != long.predicate:
        return False
    if (
        long.expressions[:k] != short.expressions
        or long.opclasses[:k] != short.opclasses
        or long.collations[:k] != short.collations
    ):
        return False
    covered = set(long.expressions) | set(long.include_columns)
    return set(short.include_columns) <= covered and _ordering_compatible(short, long)


def redundant_indexes(catalog: Catalog) -> list[tuple[Index, Index]]:
    """``(redundant, wider)``: a plain (non-unique, no constraint) valid btree index whose
    keys are a strict leading prefix of another valid btree index with the same predicate
    and compatible opclasses, collations and order."""
    duplicates = {(d.schema, d.name) for d, _ in duplicate_indexes(catalog)}
    out = []
    for table in reviewed_tables(catalog):
        indexes = catalog.indexes_of(table.schema, table.name)
        for short in indexes:
            if (
                short.unique
                or short.constraint_name
                or short.method != "btree"
                or not short.valid
                or (short.schema, short.name) in duplicates
            ):
                continue
            wider = [i for i in indexes if i is not short and _is_prefix(short, i)]
            if wider:
                wider.sort(key=lambda i: (i.key_count, _keep_order(catalog, i)))
                out.append((short, wider[0]))
    return out
