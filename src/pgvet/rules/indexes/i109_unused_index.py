"""I109 unused-index: Index never scanned since the statistics began (live databases only)."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.rules.indexes.common import drop_fix
from pgvet.rules.registry import Hit, LintContext, rule

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
