"""I103 redundant-index: Index whose columns lead another index."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.indexing import redundant_indexes
from pgvet.rules.indexes.common import column_list, drop_fix, index_hit, index_location
from pgvet.rules.registry import Hit, LintContext, rule


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
            f"index {short.name} ({column_list(short.expressions)}) on "
            f"{short.schema}.{short.table} "
            f"is a leading prefix of {wide.name} ({column_list(wide.expressions)}), which serves "
            "the same lookups: drop it"
        )
        yield index_hit(
            f"index {short.schema}.{short.name}",
            message,
            index_location(ctx, short),
            drop_fix(short),
            covered_by=wide.name,
            table=f"{short.schema}.{short.table}",
        )
