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

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pgvet.analysis import exprs
from pgvet.analysis.memo import memo
from pgvet.catalog.model import Catalog, Constraint, Index, Origin, Policy, Table
from pgvet.replay.ddl import touches_of_sql
from pgvet.rules.registry import Hit, LintContext, rule

if TYPE_CHECKING:
    from pgvet.replay.project import Project, Statement

MAX_IDENTIFIER_BYTES = 63
ROW_TABLE_KINDS = ("table", "partitioned")

# --- index names -------------------------------------------------------------------------------


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


def ident(name: str) -> str:
    """``name`` as an SQL identifier (quoted only when it must be)."""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


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


# --- which index serves which columns ----------------------------------------------------------


def candidate_indexes(catalog: Catalog, table: Table) -> tuple[Index, ...]:
    """Indexes that can serve lookups on ``table``: its own and, for a partition, its
    partitioned parent's."""
    own = catalog.indexes_of(table.schema, table.name)
    if table.parent is not None:
        return own + catalog.indexes_of(*table.parent)
    return own


def _serves(index: Index, columns: Sequence[str]) -> bool:
    k = len(columns)
    if not index.valid or index.is_partial or k == 0:
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
        if _serves(index, columns):
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
        if serving_index(catalog, fk.schema, fk.table, fk.columns) is None:
            out.append(fk)
    return out


def _fk_fix_leads(catalog: Catalog) -> set[tuple[str, str, str]]:
    """``(schema, table, column)`` that an unindexed-foreign-key fix will lead with."""
    return {(fk.schema, fk.table, fk.columns[0]) for fk in unindexed_foreign_keys(catalog)}


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


# --- locations ---------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _column_offsets(sql: str, schema: str, table: str) -> tuple[tuple[str, int], ...]:
    """``(column, byte offset)`` for each column a CREATE TABLE or ALTER TABLE ... ADD
    COLUMN statement defines on ``schema.table``; table-level foreign keys (in either
    statement) appear as ``("fk:a,b", offset)``."""
    out: list[tuple[str, int]] = []
    for stmt in exprs.parse_statements(sql):
        for kind, body in exprs.walk(stmt):
            if kind not in ("CreateStmt", "AlterTableStmt"):
                continue
            rel = body.get("relation", {})
            if (rel.get("schemaname", "public"), rel.get("relname")) != (schema, table):
                continue
            for kind2, node in exprs.walk(body.get("tableElts", []) + body.get("cmds", [])):
                if kind2 == "ColumnDef":
                    out.append((node.get("colname", ""), node.get("location", 0)))
                elif kind2 == "Constraint" and node.get("contype") == "CONSTR_FOREIGN":
                    cols = [a["String"]["sval"] for a in node.get("fk_attrs", []) if "String" in a]
                    if cols:
                        out.append(("fk:" + ",".join(cols), node.get("location", 0)))
    return tuple(out)


def _line_at(text: str, offset: int) -> int:
    return text.encode()[:offset].decode(errors="ignore").count("\n")


def column_location(ctx: LintContext, schema: str, table: str, name: str) -> tuple[str, int] | None:
    """File and line of the (last) definition of column ``name`` of ``schema.table``, or of a
    table-level foreign key when ``name`` is ``"fk:a,b"``; None without migrations."""
    if ctx.project is None:
        return None
    found = None
    for stmt in _statements_on_tables(ctx.project).get((schema, table), ()):
        for column, offset in _column_offsets(stmt.text, schema, table):
            if column == name:
                found = (stmt.file, stmt.line + _line_at(stmt.text, offset))
    return found


def _statements_on_tables(project: Project) -> dict[tuple[str, str], list[Statement]]:
    """The project's statements that touch each table, in migration order; built once per
    project (every column and foreign key location used to scan every statement)."""
    return memo(project, "statements per table", lambda: _index_statements(project))


def _index_statements(project: Project) -> dict[tuple[str, str], list[Statement]]:
    index: dict[tuple[str, str], list[Statement]] = {}
    for migration in project.files:
        for stmt in migration.statements:
            tables = {(t.schema, t.name) for t in touches_of_sql(stmt.text) if t.kind == "table"}
            for table in tables:
                index.setdefault(table, []).append(stmt)
    return index


def _origin(origin: Origin | None) -> tuple[str, int] | None:
    return (origin.file, origin.line) if origin is not None else None


def table_location(ctx: LintContext, schema: str, table: str) -> tuple[str, int] | None:
    return _origin(ctx.catalog.origin_of("table", schema, table))


def fk_location(ctx: LintContext, fk: Constraint) -> tuple[str, int] | None:
    """Where a foreign key is declared: its table-level clause or its column's line, else
    its named constraint's statement, else the table."""
    for name in ("fk:" + ",".join(fk.columns), *fk.columns[:1]):
        found = column_location(ctx, fk.schema, fk.table, name)
        if found is not None:
            return found
    return _origin(ctx.catalog.origin_for(fk)) or table_location(ctx, fk.schema, fk.table)


def index_location(ctx: LintContext, index: Index) -> tuple[str, int] | None:
    """Where an index comes from: its CREATE INDEX, its constraint, or its table."""
    found = _origin(ctx.catalog.origin_for(index))
    if found is None and index.constraint_name:
        key = ("constraint", index.schema, f"{index.table}.{index.constraint_name}")
        found = _origin(ctx.catalog.origins.get(key))
        if found is None and index.key_count == 1 and index.columns[0]:
            found = column_location(ctx, index.schema, index.table, index.columns[0])
    return found or table_location(ctx, index.schema, index.table)


def _hit(
    obj: str,
    message: str,
    where: tuple[str, int] | None,
    fix: str | None = None,
    detail: str = "",
    **data: object,
) -> Hit:
    file, line = where if where is not None else (None, None)
    return Hit(obj, message, file=file, line=line, fix=fix, detail=detail, data=dict(data))


def _cols(columns: Iterable[str | None]) -> str:
    return ", ".join(c or "<expression>" for c in columns)


# --- unindexed foreign keys --------------------------------------------------------------------


@rule(
    "unindexed-foreign-key",
    "I101",
    "warn",
    "performance",
    "Foreign key without an index that leads with its columns",
    fixable=True,
)
def unindexed_foreign_key(ctx: LintContext) -> Iterator[Hit]:
    """PostgreSQL indexes the referenced side of a foreign key (its primary or unique key)
    but never the referencing columns. Without an index leading with them, every delete or
    key update on the parent table scans the whole child table to check or cascade the
    reference (under a lock), and joins from parent to children read every child row. An
    index serves the key when its first columns are exactly the key's columns, in any
    order; a partial index does not (it misses rows).

    Bad:
    ```sql
    create table public.clinics (id uuid primary key default gen_random_uuid());
    create table public.appointments (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null references public.clinics (id) on delete cascade,
      starts_at timestamptz not null
    );
    ```
    Good:
    ```sql
    create table public.clinics (id uuid primary key default gen_random_uuid());
    create table public.appointments (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null references public.clinics (id) on delete cascade,
      starts_at timestamptz not null
    );
    create index idx_appointments_clinic_id_starts_at
      on public.appointments (clinic_id, starts_at);
    ```
    """
    catalog = ctx.catalog
    for fk in unindexed_foreign_keys(catalog):
        cols = _cols(fk.columns)
        parent = f"{fk.ref_schema}.{fk.ref_table}"
        message = (
            f"foreign key {fk.name} ({cols}) references {parent} but no index on "
            f"{fk.schema}.{fk.table} leads with ({cols}): each delete or key update on "
            f"{parent} scans {fk.table} to check the reference, and joins on it cannot "
            "use an index"
        )
        yield _hit(
            f"{fk.schema}.{fk.table}",
            message,
            fk_location(ctx, fk),
            create_index_fix(catalog, fk.schema, fk.table, fk.columns),
            detail=",".join(fk.columns),
            constraint=fk.name,
            columns=list(fk.columns),
            references=parent,
        )


# --- duplicate and redundant indexes -----------------------------------------------------------


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


def drop_fix(index: Index) -> str:
    """SQL that removes ``index``: drop its constraint if it backs one, else the index."""
    if index.constraint_name:
        return (
            f"alter table {qualified(index.schema, index.table)} "
            f"drop constraint {ident(index.constraint_name)};"
        )
    return f"drop index concurrently if exists {qualified(index.schema, index.name)};"


@rule(
    "duplicate-index",
    "I102",
    "warn",
    "performance",
    "Index identical to another index on the same table",
    fixable=True,
)
def duplicate_index(ctx: LintContext) -> Iterator[Hit]:
    """Two identical indexes (same method, columns or expressions, INCLUDE list, predicate,
    operator classes, collations and order) give the planner nothing new: every insert and
    update maintains both, they double the disk and cache they take, and vacuum works on
    both. A common source is ``unique`` on a column that is also the primary key. The
    primary key's or a constraint's index is kept, a unique one is kept over a plain one,
    otherwise the older one; the finding names the index it duplicates. When the duplicate
    backs a unique constraint that foreign keys use, drop it after pointing those keys at
    the primary key.

    Bad:
    ```sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null,
      phone text
    );
    create index customers_clinic_idx on public.customers (clinic_id);
    create index idx_customers_clinic_id on public.customers (clinic_id);
    ```
    Good:
    ```sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null,
      phone text
    );
    create index idx_customers_clinic_id on public.customers (clinic_id);
    create index idx_customers_clinic_id_phone on public.customers (clinic_id, phone);
    ```
    """
    for dup, kept in duplicate_indexes(ctx.catalog):
        what = "constraint " + dup.constraint_name if dup.constraint_name else "index"
        message = (
            f"index {dup.name} on {dup.schema}.{dup.table} ({_cols(dup.expressions)}) is "
            f"identical to {kept.name}: every write maintains both; drop the {what}"
        )
        yield _hit(
            f"index {dup.schema}.{dup.name}",
            message,
            index_location(ctx, dup),
            drop_fix(dup),
            duplicate_of=kept.name,
            table=f"{dup.schema}.{dup.table}",
        )


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


@rule(
    "redundant-index",
    "I103",
    "info",
    "performance",
    "Index whose columns lead another index",
    fixable=True,
)
def redundant_index(ctx: LintContext) -> Iterator[Hit]:
    """A btree index on ``(a)`` is redundant next to one on ``(a, b)``: the wider index
    serves every lookup, range scan and sort on ``a`` too, so the narrow one only costs
    writes, disk and cache. Unique indexes and those backing constraints are never
    flagged (they enforce something); partial indexes only count against one with the
    same predicate.

    Bad:
    ```sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index idx_skin_analyses_user on public.skin_analyses (user_id);
    create index idx_skin_analyses_user_created
      on public.skin_analyses (user_id, created_at desc);
    ```
    Good:
    ```sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index idx_skin_analyses_user_created
      on public.skin_analyses (user_id, created_at desc);
    ```
    """
    for short, wide in redundant_indexes(ctx.catalog):
        message = (
            f"index {short.name} ({_cols(short.expressions)}) on {short.schema}.{short.table} "
            f"is a leading prefix of {wide.name} ({_cols(wide.expressions)}), which serves "
            "the same lookups: drop it"
        )
        yield _hit(
            f"index {short.schema}.{short.name}",
            message,
            index_location(ctx, short),
            drop_fix(short),
            covered_by=wide.name,
            table=f"{short.schema}.{short.table}",
        )


# --- tenant and policy columns -----------------------------------------------------------------


@rule(
    "tenant-column-not-indexed",
    "I104",
    "warn",
    "performance",
    "Tenant column with no index leading on it",
    fixable=True,
)
def tenant_column_not_indexed(ctx: LintContext) -> Iterator[Hit]:
    """On a multi-tenant table every query, and every RLS check, filters by the tenant
    column (``clinic_id``, ``account_id``, ``workspace_id``...; see ``tenant_columns`` in
    the configuration). Without an index that leads with it, each tenant's request reads
    every tenant's rows, and the cost grows with the number of customers, not with the
    tenant's own data. A primary or unique key that starts with the column counts. A tenant
    column that is also an unindexed foreign key is reported by unindexed-foreign-key
    instead (same fix).

    Bad:
    ```sql
    create table public.invoices (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      total numeric not null
    );
    ```
    Good:
    ```sql
    create table public.invoices (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      total numeric not null
    );
    create index idx_invoices_tenant_id on public.invoices (tenant_id);
    ```
    """
    catalog = ctx.catalog
    fk_leads = _fk_fix_leads(catalog)
    for table, column in unindexed_tenant_columns(catalog, ctx.config.tenant_columns):
        if (table.schema, table.name, column) in fk_leads:
            continue
        message = (
            f"{table.schema}.{table.name} is multi-tenant ({column}) but no index leads with "
            f"{column}: every tenant-scoped query and RLS check reads all tenants' rows"
        )
        yield _hit(
            f"{table.schema}.{table.name}",
            message,
            column_location(ctx, table.schema, table.name, column)
            or table_location(ctx, table.schema, table.name),
            create_index_fix(catalog, table.schema, table.name, (column,)),
            detail=column,
            column=column,
        )


def _may_report_policy_column(
    catalog: Catalog, table: Table, skip: set[tuple[str, str, str]]
) -> bool:
    """Whether some column named in the table's policy texts is neither skipped nor
    indexed. A column a policy filters on is spelled in its text, so when none is left the
    policies need no parsing: they cannot produce a finding."""
    texts = [
        e.lower()  # an unquoted name may be spelled in any case
        for p in catalog.policies_of(table.schema, table.name)
        for e in (p.using, p.with_check)
        if e
    ]
    return any(
        any(col.name.lower() in text for text in texts)
        and (table.schema, table.name, col.name) not in skip
        and serving_index(catalog, table.schema, table.name, (col.name,)) is None
        for col in table.columns
    )


def _policy_names(policies: Sequence[Policy]) -> str:
    names = [f'"{p.name}"' for p in policies[:3]]
    more = f" and {len(policies) - 3} more" if len(policies) > 3 else ""
    return ", ".join(names) + more


@rule(
    "policy-column-not-indexed",
    "I105",
    "warn",
    "performance",
    "Column an RLS policy filters on has no index",
    fixable=True,
)
def policy_column_not_indexed(ctx: LintContext) -> Iterator[Hit]:
    """An RLS policy is a WHERE clause added to every query on the table. When it compares
    a column with the caller (``user_id = auth.uid()``, ``clinic_id in (select ...)``,
    ``team_id = any(...)``, or the outer column of an ``exists`` subquery), that column
    needs an index leading on it, or each request scans the table and evaluates the policy
    on every row (Supabase's most common RLS performance problem). Comparisons with
    constants (``is_public = true``) are not counted. Columns that unindexed-foreign-key or
    tenant-column-not-indexed already report are skipped: their fix is the same index.

    Bad:
    ```sql
    create table public.notes (
      id uuid primary key default gen_random_uuid(),
      owner_id uuid not null default auth.uid(),
      body text
    );
    alter table public.notes enable row level security;
    create policy "owners read notes" on public.notes
      for select to authenticated using (owner_id = (select auth.uid()));
    ```
    Good:
    ```sql
    create table public.notes (
      id uuid primary key default gen_random_uuid(),
      owner_id uuid not null default auth.uid(),
      body text
    );
    create index idx_notes_owner_id on public.notes (owner_id);
    alter table public.notes enable row level security;
    create policy "owners read notes" on public.notes
      for select to authenticated using (owner_id = (select auth.uid()));
    ```
    """
    catalog = ctx.catalog
    skip = _fk_fix_leads(catalog) | {
        (t.schema, t.name, c)
        for t, c in unindexed_tenant_columns(catalog, ctx.config.tenant_columns)
    }
    for table in reviewed_tables(catalog):
        if not _may_report_policy_column(catalog, table, skip):
            continue
        for column, policies in sorted(policy_columns(catalog, table).items()):
            if (table.schema, table.name, column) in skip:
                continue
            if serving_index(catalog, table.schema, table.name, (column,)) is not None:
                continue
            first = policies[0]
            message = (
                f"RLS policy {_policy_names(policies)} on {table.schema}.{table.name} filters "
                f"on {column}, and no index leads with {column}: every query evaluates the "
                "policy on every row"
            )
            yield _hit(
                f"{table.schema}.{table.name}",
                message,
                _origin(catalog.origin_for(first)) or table_location(ctx, table.schema, table.name),
                create_index_fix(catalog, table.schema, table.name, (column,)),
                detail=column,
                column=column,
                policies=[p.name for p in policies],
            )


# --- JSONB and full-text search ----------------------------------------------------------------


def _search_tables(catalog: Catalog) -> dict[tuple[str, str], Table]:
    """Relations an index can be built on (tables and materialized views)."""
    kinds = (*ROW_TABLE_KINDS, "materialized_view")
    return {
        t.key: t
        for t in catalog.tables
        if t.kind in kinds and t.parent is None and t.extension is None
    }


def _gin_serves_jsonb(index: Index, column: str, operators: set[str]) -> bool:
    if not index.valid or index.method != "gin":
        return False
    for position, key in enumerate(index.expressions):
        if index.columns[position] == column or (
            index.columns[position] is None and re.search(rf"\b{re.escape(column)}\b", key)
        ):
            opclass = index.opclasses[position] if position < len(index.opclasses) else ""
            if opclass != "jsonb_path_ops" or operators <= exprs.JSONB_PATH_OPERATORS:
                return True
    return False


def _source_location(ctx: LintContext, source: exprs.Source) -> tuple[str, int] | None:
    return _origin(ctx.catalog.origins.get(source.key))


def _first_location(ctx: LintContext, sources: Iterable[exprs.Source]) -> tuple[str, int] | None:
    """The earliest migration line among the objects that run a search."""
    places = [p for p in (_source_location(ctx, s) for s in sources) if p is not None]
    return min(places) if places else None


def _sources_text(sources: Sequence[exprs.Source]) -> str:
    labels = list(dict.fromkeys(s.label for s in sources))
    more = f" and {len(labels) - 3} more" if len(labels) > 3 else ""
    return ", ".join(labels[:3]) + more


@rule(
    "jsonb-without-gin",
    "I106",
    "warn",
    "performance",
    "JSONB column searched with @> or ? but without a GIN index",
    fixable=True,
)
def jsonb_without_gin(ctx: LintContext) -> Iterator[Hit]:
    """Containment and key-existence searches on JSONB (``tags @> '["vip"]'``, ``data ?
    'key'``, ``?|``, ``?&``, ``@?``) can only use a GIN index; a btree on the column does
    not help and without one each search reads and decompresses every row's document. The
    rule looks at the views, SQL and plpgsql functions and policies that search a jsonb
    column, and accepts a GIN index on the column or on an expression over it. When only
    ``@>`` / ``@?`` are used the fix uses ``jsonb_path_ops`` (a smaller, faster index);
    otherwise the default ``jsonb_ops``.

    Bad:
    ```sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      tags jsonb not null default '[]'::jsonb
    );
    create view public.vip_customers with (security_invoker = true) as
      select id from public.customers where tags @> '["vip"]'::jsonb;
    ```
    Good:
    ```sql
    create table public.customers (
      id uuid primary key default gen_random_uuid(),
      tags jsonb not null default '[]'::jsonb
    );
    create index idx_customers_tags_gin on public.customers using gin (tags jsonb_path_ops);
    create view public.vip_customers with (security_invoker = true) as
      select id from public.customers where tags @> '["vip"]'::jsonb;
    ```
    """
    catalog = ctx.catalog
    tables = _search_tables(catalog)
    uses: dict[tuple[str, str, str], list[exprs.ColumnUse]] = {}
    for use in exprs.jsonb_operator_uses(catalog):
        table = tables.get((use.schema, use.table))
        column = table.column(use.column) if table else None
        if column is not None and column.type == "jsonb" and not column.is_array:
            uses.setdefault((use.schema, use.table, use.column), []).append(use)
    for (schema, name, column), found in sorted(uses.items()):
        operators = {u.operator for u in found}
        indexes = catalog.indexes_of(schema, name)
        if any(_gin_serves_jsonb(i, column, operators) for i in indexes):
            continue
        path_ops = operators <= exprs.JSONB_PATH_OPERATORS
        keys = f"{ident(column)} jsonb_path_ops" if path_ops else ident(column)
        ops = ", ".join(sorted(operators))
        message = (
            f"{schema}.{name}.{column} (jsonb) is searched with {ops} in "
            f"{_sources_text([u.source for u in found])} but has no GIN index: each search "
            "reads every row"
            + (" (only @>/@? are used, so jsonb_path_ops suffices)" if path_ops else "")
        )
        yield _hit(
            f"{schema}.{name}",
            message,
            _first_location(ctx, (u.source for u in found))
            or column_location(ctx, schema, name, column),
            create_index_fix(
                catalog, schema, name, (column,), using="gin", keys=keys, suffix="gin"
            ),
            detail=column,
            column=column,
            operators=sorted(operators),
            used_in=[u.source.label for u in found],
        )


def _fts_index(index: Index, column: str | None, canonical_key: str | None) -> bool:
    if not index.valid or index.method not in ("gin", "gist") or index.is_partial:
        return False
    for position, key in enumerate(index.expressions):
        if column is not None and index.columns[position] == column:
            return True
        if (
            canonical_key is not None
            and index.columns[position] is None
            and exprs.expression_canonical(key) == canonical_key
        ):
            return True
    return False


@dataclass
class _FtsTarget:
    schema: str
    table: str
    column: str | None
    expression: str | None
    canonical: str | None
    indexable: bool
    sources: list[exprs.Source] = field(default_factory=list)


def _fts_targets(catalog: Catalog) -> list[_FtsTarget]:
    tables = _search_tables(catalog)
    targets: dict[tuple[str, str, str], _FtsTarget] = {}
    for table in tables.values():
        for col in table.columns:
            if col.type == "tsvector":
                key = (table.schema, table.name, "col:" + col.name)
                targets[key] = _FtsTarget(table.schema, table.name, col.name, None, None, True)
    for use in exprs.fulltext_uses(catalog):
        table = tables.get((use.schema, use.table))
        if table is None:
            continue
        if use.column is not None:
            col = table.column(use.column)
            if col is None or col.type != "tsvector":
                continue
            key = (use.schema, use.table, "col:" + use.column)
            target = targets.setdefault(
                key, _FtsTarget(use.schema, use.table, use.column, None, None, True)
            )
        else:
            key = (use.schema, use.table, "expr:" + (use.canonical or ""))
            target = targets.setdefault(
                key,
                _FtsTarget(
                    use.schema, use.table, None, use.expression, use.canonical, use.indexable
                ),
            )
        target.sources.append(use.source)
    return list(targets.values())


@rule(
    "fts-without-gin",
    "I107",
    "warn",
    "performance",
    "Full-text search without a GIN index on the searched document",
    fixable=True,
)
def fts_without_gin(ctx: LintContext) -> Iterator[Hit]:
    """``document @@ query`` can only use a GIN (or GiST) index built on exactly that
    document: a ``tsvector`` column, or the very same ``to_tsvector('config', ...)``
    expression. Without one every search parses and matches every row's text. Each
    ``tsvector`` column is checked, and each ``to_tsvector`` expression matched with ``@@``
    in a view, function or policy. ``to_tsvector`` with one argument depends on the
    session's text search configuration and cannot be indexed at all: name the
    configuration.

    Bad:
    ```sql
    create table public.articles (
      id uuid primary key default gen_random_uuid(),
      title text not null,
      body text not null
    );
    create function public.search_articles(q text) returns setof public.articles
    language sql stable as $$
      select * from public.articles
      where to_tsvector('english', title || ' ' || body) @@ websearch_to_tsquery('english', q)
    $$;
    ```
    Good:
    ```sql
    create table public.articles (
      id uuid primary key default gen_random_uuid(),
      title text not null,
      body text not null
    );
    create index idx_articles_fts on public.articles
      using gin (to_tsvector('english', title || ' ' || body));
    create function public.search_articles(q text) returns setof public.articles
    language sql stable as $$
      select * from public.articles
      where to_tsvector('english', title || ' ' || body) @@ websearch_to_tsquery('english', q)
    $$;
    ```
    """
    catalog = ctx.catalog
    for target in _fts_targets(catalog):
        indexes = catalog.indexes_of(target.schema, target.table)
        if any(_fts_index(i, target.column, target.canonical) for i in indexes):
            continue
        yield _fts_hit(ctx, target)


def _fts_hit(ctx: LintContext, target: _FtsTarget) -> Hit:
    schema, name = target.schema, target.table
    used = f" (searched in {_sources_text(target.sources)})" if target.sources else ""
    where = _first_location(ctx, target.sources)
    if target.column is not None:
        message = (
            f"tsvector column {schema}.{name}.{target.column} has no GIN index{used}: "
            "each full-text search reads every row"
        )
        fix = create_index_fix(
            ctx.catalog, schema, name, (target.column,), using="gin", suffix="gin"
        )
        where = column_location(ctx, schema, name, target.column) or where
        return _hit(
            f"{schema}.{name}",
            message,
            where or table_location(ctx, schema, name),
            fix,
            detail=target.column,
            column=target.column,
        )
    expression = target.expression or "to_tsvector(...)"
    if not target.indexable:
        message = (
            f"full-text search on {schema}.{name} with {expression}{used}: one-argument "
            "to_tsvector depends on default_text_search_config and cannot be indexed; name "
            "the configuration (to_tsvector('english', ...)) and index that expression"
        )
        fix = None
    else:
        message = (
            f"full-text search on {schema}.{name} matches {expression}{used}, and no GIN "
            "index is built on that expression: each search parses every row's text"
        )
        fix = create_index_fix(
            ctx.catalog, schema, name, ("fts",), using="gin", keys=f"({expression})"
        )
    return _hit(
        f"{schema}.{name}",
        message,
        where or table_location(ctx, schema, name),
        fix,
        detail=expression,
        expression=expression,
    )


# --- invalid indexes ---------------------------------------------------------------------------


def _concurrent_definition(index: Index) -> str:
    sql = re.sub(r"^CREATE (UNIQUE )?INDEX ", r"create \1index concurrently ", index.definition)
    return sql + ";"


@rule(
    "invalid-index",
    "I108",
    "warn",
    "correctness",
    "Invalid index left by a failed CREATE INDEX CONCURRENTLY",
    fixable=True,
)
def invalid_index(ctx: LintContext) -> Iterator[Hit]:
    """A ``create index concurrently`` that fails (a duplicate key for a unique index, a
    deadlock, a cancelled statement) leaves the index behind marked invalid: the planner
    never uses it, yet every write still maintains it, and a unique one still rejects
    rows. ``if not exists`` will then skip re-creating it, so the index the migration meant
    to add silently never exists. Drop it and build it again.

    Bad:
    ```sql
    -- file: 20240101000000_bookings.sql
    create table public.bookings (
      id uuid primary key default gen_random_uuid(),
      customer_id uuid not null
    );
    insert into public.bookings (customer_id)
    values ('6f1c9d4e-0000-4000-8000-000000000001'), ('6f1c9d4e-0000-4000-8000-000000000001');
    -- file: 20240102000000_one_booking_per_customer.sql
    -- expect: this file fails (the customer is booked twice), leaving the index invalid
    create unique index concurrently bookings_customer_id_key on public.bookings (customer_id);
    ```
    Good:
    ```sql
    create table public.bookings (
      id uuid primary key default gen_random_uuid(),
      customer_id uuid not null
    );
    create index idx_bookings_customer_id on public.bookings (customer_id);
    ```
    """
    for index in ctx.catalog.indexes:
        if index.valid:
            continue
        fix = None
        if not index.partitioned and not index.constraint_name:
            fix = (
                f"drop index concurrently if exists {qualified(index.schema, index.name)};\n"
                f"{_concurrent_definition(index)}"
            )
        message = (
            f"index {index.name} on {index.schema}.{index.table} is invalid (a failed "
            "concurrent build): queries never use it but writes still maintain it; drop "
            "and rebuild it"
        )
        yield _hit(
            f"index {index.schema}.{index.name}",
            message,
            index_location(ctx, index),
            fix,
            table=f"{index.schema}.{index.table}",
        )


# --- I109 unused-index (live databases only) ----------------------------------------------

UNUSED_INDEX_MIN_DAYS = 7


@rule(
    "unused-index",
    "I109",
    "info",
    "performance",
    "Index never scanned since the statistics began (live databases only)",
    requires=("stats",),
    fixable=True,
)
def unused_index(ctx: LintContext) -> Iterator[Hit]:
    """Every index is written on each insert and on updates of its columns, takes space in
    the cache and in backups, and slows vacuum: one that no query uses is pure cost. Only a
    live database can tell (a sandbox's counters start at zero, which is why splinter
    reports every index of a fresh project as unused), and only when the counters cover
    enough time: at least ``[lint] unused_index_min_days`` days (default 7) since the last
    statistics reset. Indexes that back a primary key, unique or exclusion constraint are
    never reported: they enforce something even when no query reads them. Check replicas
    too: the counters are per server.

    Bad:
    ```sql
    create table public.events (id bigint primary key, kind text, payload jsonb);
    create index idx_events_kind on public.events (kind);  -- no query filters on kind
    ```
    Good:
    ```sql
    create table public.events (id bigint primary key, kind text, payload jsonb);
    ```
    """
    stats = ctx.stats
    min_days = float(
        ctx.config.raw.get("lint", {}).get("unused_index_min_days", UNUSED_INDEX_MIN_DAYS)
    )
    if stats is None or stats.days < min_days:
        return
    for index in ctx.catalog.indexes:
        if index.primary or index.unique or index.constraint_name or index.partitioned:
            continue
        usage = stats.index_usage.get((index.schema, index.name))
        if usage is None or usage.scans > 0:
            continue
        yield Hit(
            object=f"index {index.schema}.{index.name}",
            message=(
                f"index {index.name} on {index.schema}.{index.table} has not been scanned in "
                f"{stats.days:.0f} days of statistics ({usage.size_bytes / 1048576:.1f} MB): "
                "every write pays for it; drop it unless a rare job (month-end report, "
                "replica query) needs it"
            ),
            origin=index.origin_key,
            fix=drop_fix(index),
        )
