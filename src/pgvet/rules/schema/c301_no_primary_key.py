"""C301 no-primary-key: Table without a primary key."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvet.analysis.indexing import reviewed_tables
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import Catalog, Index, Table
from pgvet.rules.indexes.common import table_location
from pgvet.rules.registry import Hit, LintContext, rule


def _pk_candidate_index(catalog: Catalog, table: Table) -> Index | None:
    """A unique, valid, non-partial btree index on NOT NULL plain columns: it can become
    the primary key as is (``add primary key using index``)."""
    for index in catalog.indexes_of(table.schema, table.name):
        if (
            index.unique
            and index.valid
            and index.method == "btree"
            and not index.is_partial
            and not index.has_expressions
            and not index.include_columns
            and not index.partitioned
            and not index.nulls_not_distinct
            and all(
                (col := table.column(name or "")) is not None and col.not_null
                for name in index.columns
            )
        ):
            return index
    return None


def primary_key_fix(catalog: Catalog, table: Table) -> str | None:
    """The statement that gives ``table`` a primary key: from a unique NOT NULL index, on
    an ``id`` column (with the partition key's columns for a partitioned table), or a new
    identity column; None when none of these applies."""
    name = qualified(table.schema, table.name)
    candidate = _pk_candidate_index(catalog, table)
    if candidate is not None and table.kind == "table":
        if candidate.constraint_name:
            # keep the unique constraint: foreign keys may depend on its index
            return _concurrent_key(table, [c or "" for c in candidate.columns])
        return f"alter table {name} add primary key using index {ident(candidate.name)};"
    if table.kind == "partitioned":
        # the key of a partitioned table must contain the partition key's columns
        keys = _partition_columns(table)
        if table.column("id") is None or keys is None:
            return None
        columns = ", ".join(ident(c) for c in dict.fromkeys(["id", *keys]))
        return f"alter table {name} add primary key ({columns});"
    if table.column("id") is not None:
        return _concurrent_key(table, ["id"])
    return f"alter table {name} add column id bigint generated always as identity primary key;"


def _concurrent_key(table: Table, columns: list[str]) -> str:
    """The key's unique index built concurrently (``pgvet fix`` gives it a file of its
    own), then promoted: a plain ADD PRIMARY KEY would block writes while its index
    builds (index-without-concurrently flags exactly that)."""
    name = qualified(table.schema, table.name)
    key = ident(_bytes_cut(table.name, 63 - len("_pkey")) + "_pkey")
    keys = ", ".join(ident(c) for c in columns)
    return (
        f"create unique index concurrently {key} on {name} ({keys});\n"
        f"alter table {name} add constraint {key} primary key using index {key};"
    )


def _bytes_cut(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` bytes of UTF-8, never inside a character."""
    return name.encode()[:limit].decode(errors="ignore")


def _partition_columns(table: Table) -> list[str] | None:
    """Columns of a partition key such as ``RANGE (at)``; None when it has expressions."""
    match = re.fullmatch(r"\s*\w+\s*\((.*)\)\s*", table.partition_key or "")
    if match is None:
        return None
    names = [part.strip().strip('"') for part in match.group(1).split(",")]
    if not all(table.column(n) is not None for n in names):
        return None
    return names


@rule(
    "no-primary-key",
    "C301",
    "warn",
    "correctness",
    "Table without a primary key",
    fixable=True,
)
def no_primary_key(ctx: LintContext) -> Iterator[Hit]:
    """A table without a primary key cannot name one row: logical replication (Supabase
    Realtime, read replicas, most CDC tools) rejects UPDATE and DELETE on it unless a
    replica identity is set, PostgREST and client libraries cannot upsert or address a
    single row, and duplicate rows creep in unnoticed. Partitions are judged through their
    partitioned parent. The fix promotes a unique NOT NULL index when there is one, else
    uses an ``id`` column, else adds an identity column (which rewrites the table: plan it
    for a quiet moment on a large one).

    Bad:
    ```sql
    create table public.audit_events (
      happened_at timestamptz not null default now(),
      actor uuid,
      action text not null
    );
    ```
    Good:
    ```sql
    create table public.audit_events (
      id bigint generated always as identity primary key,
      happened_at timestamptz not null default now(),
      actor uuid,
      action text not null
    );
    ```
    """
    catalog = ctx.catalog
    for table in reviewed_tables(catalog):
        if catalog.primary_key(table.schema, table.name) is not None:
            continue
        message = (
            f"{table.schema}.{table.name} has no primary key: logical replication (Realtime) "
            "cannot send its updates and deletes, and no client can address a single row"
        )
        file, line = table_location(ctx, table.schema, table.name) or (None, None)
        yield Hit(
            f"{table.schema}.{table.name}",
            message,
            file=file,
            line=line,
            **_fix_or_advice(primary_key_fix(catalog, table)),
        )


def _fix_or_advice(sql: str | None) -> dict[str, str | None]:
    """A new identity column rewrites the table under an ACCESS EXCLUSIVE lock (what
    volatile-default-add-column flags in a migration): advice for a quiet moment, never
    written by ``pgvet fix``; the other keys are schema fixes."""
    if sql is not None and " generated always as identity" in sql:
        return {
            "advice": "-- rewrites the whole table under an ACCESS EXCLUSIVE lock: for a quiet "
            f"moment\n{sql}"
        }
    return {"fix": sql}
