"""I110 workload-filter-not-indexed:
A query of the project's workload filters on columns no index leads with.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pgvet.analysis.indexing import (
    ROW_TABLE_KINDS,
    candidate_indexes,
    create_index_fix,
    policy_columns,
    tenant_columns_of,
    unindexed_foreign_keys,
    unindexed_tenant_columns,
)
from pgvet.analysis.sql.quote import ident
from pgvet.analysis.workload import (
    DEFAULT_WORKLOAD,
    MAX_SORT_KEYS,
    SMALL_TABLE_ROWS,
    Need,
    SortKey,
    query_needs,
    read_workload,
    serving,
    usable_index,
)
from pgvet.catalog.model import Catalog, Index, Table
from pgvet.errors import InputError
from pgvet.replay.paths import ensure_inside
from pgvet.rules.indexes.common import column_location, table_location
from pgvet.rules.registry import Hit, LintContext, rule


def workload_path(ctx: LintContext) -> Path | None:
    """The workload file of the project, or None when there is none.

    ``[lint] workload`` names it (relative to the project root); a configured file that
    does not exist is an error, as any setting that would silently check nothing."""
    if ctx.project is None:
        return None
    setting = ctx.config.raw.get("lint", {}).get("workload")
    if setting is None:
        default = ctx.project.root / DEFAULT_WORKLOAD
        return default if default.is_file() else None
    if not isinstance(setting, str) or not setting:
        raise InputError(f"[lint] workload = {setting!r}: expected the path of a .sql file")
    path = Path(setting).expanduser()
    path = path if path.is_absolute() else ctx.project.root / path
    if not path.is_file():
        raise InputError(
            f"[lint] workload = {setting!r}: no such file ({path})",
            hint="the path is relative to the project root (the folder holding supabase/)",
        )
    return ensure_inside(path, [ctx.project.root], "workload file")


def _tenant_only(
    catalog: Catalog, table: Table, need: Need, tenants: Sequence[str]
) -> Index | None:
    """An index that leads with the query's tenant column(s) only: it narrows the scan to
    one tenant's rows, no further."""
    for index in candidate_indexes(catalog, table):
        usable = usable_index(index, need)
        if usable is None or usable.method != "btree" or not usable.columns:
            continue
        if usable.columns[0] in tenants and usable.columns[0] in need.equality:
            return index
    return None


@dataclass
class _Group:
    schema: str
    table: Table
    equality: frozenset[str]
    needs: list[Need] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        return list(dict.fromkeys(n.query for n in self.needs))


_USE_WORDS = {
    "ranges": "ranges over",
    "order": "sorts by",
    "group": "groups by",
    "others": "filters on",
}

_USE_RANK = {"ranges": 0, "order": 1, "group": 2, "others": 3}


def _trailing(group: _Group, equality: Sequence[str]) -> tuple[list[SortKey], dict[str, str]]:
    """The column(s) to put after the equality columns, and how each query uses it: the
    column most queries range over, sort or group by or filter on (a range first, then a
    sort, on a tie), followed by the rest of its ORDER BY when it leads one."""
    uses: dict[str, dict[str, str]] = {}  # column -> query -> strongest use
    order_of: dict[str, list[SortKey]] = {}
    for need in group.needs:
        candidates: list[tuple[str, str]] = [(c, "ranges") for c in need.ranges[:1]]
        order = [k for k in need.order if k.column not in equality]
        if order:
            candidates.append((order[0].column, "order"))
            order_of.setdefault(order[0].column, order[:MAX_SORT_KEYS])
        candidates += [(c, "group") for c in need.group[:1] if c not in equality]
        candidates += [(c, "others") for c in need.others if c not in equality]
        for column, use in candidates:
            if column in equality:
                continue
            seen = uses.setdefault(column, {})
            if need.query not in seen or _USE_RANK[use] < _USE_RANK[seen[need.query]]:
                seen[need.query] = use
    if not uses:
        return [], {}
    position = {c: n for n, c in enumerate(uses)}

    def score(column: str) -> tuple[int, int, int]:
        best = min(_USE_RANK[u] for u in uses[column].values())
        return (-len(uses[column]), best, position[column])

    column = min(uses, key=score)
    used = uses[column]
    if "ranges" not in used.values() and column in order_of:
        return list(order_of[column]), used
    descending = next(
        (k.descending for n in group.needs for k in n.order if k.column == column), False
    )
    return [SortKey(column, descending if "ranges" not in used.values() else False)], used


def _listing(names: Sequence[str], limit: int = 3) -> str:
    shown = list(names[:limit])
    if len(names) > limit:
        return ", ".join(shown) + f" and {len(names) - limit} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _other_rules_fixes(ctx: LintContext) -> set[tuple[str, str, frozenset[str]]]:
    """Single indexes other index rules already propose: ``(schema, table, columns)``."""
    catalog = ctx.catalog
    out = {(fk.schema, fk.table, frozenset(fk.columns)) for fk in unindexed_foreign_keys(catalog)}
    out |= {
        (t.schema, t.name, frozenset([c]))
        for t, c in unindexed_tenant_columns(catalog, ctx.config.tenant_columns)
    }
    return out


@rule(
    "workload-filter-not-indexed",
    "I110",
    "warn",
    "performance",
    "A query of the project's workload filters on columns no index leads with",
    fixable=True,
)
def workload_filter_not_indexed(ctx: LintContext) -> Iterator[Hit]:
    """The schema alone cannot say that the lead dashboard filters ``sales_leads`` by
    salesperson: only the queries can. Give pgvet the application's critical queries in a
    workload file (``workload.sql`` next to the ``supabase/`` folder, or ``[lint] workload =
    "path"``; named by ``-- name:`` lines, psycopg ``%(param)s`` placeholders allowed) and
    it checks every table each query filters (``col = value``, ``in``, ``= any``, joins
    from a filtered table, correlated sub-selects) against the indexes. A lookup is served
    when an index leads with some of its equality columns, in any order, including one that
    is not a tenant column (an index on ``clinic_id`` alone still reads the whole clinic),
    or by a primary or unique key among them; a partial index counts when the query
    implies its predicate. The fix puts the tenant column first, the other equality columns
    next, then the range, sort or extra filter column most of the queries use.

    No workload file, no findings: the rule runs only on a project with one (the examples
    below show the workload in a comment; it goes in ``workload.sql``). Tables that are
    small by design are skipped on a live database (fewer than 1000 estimated rows); on a
    sandbox list them in ``[lint.ignore_objects]``. When the index a foreign key or tenant
    column needs is exactly the one proposed, unindexed-foreign-key or
    tenant-column-not-indexed reports it instead; a longer index that also serves the key
    is reported here, and says so.

    Bad:
    ```sql
    -- file: 20240101000000_orders.sql
    create table public.orders (
      id bigint generated always as identity primary key,
      account_id uuid not null,
      status text not null,
      created_at timestamptz not null default now()
    );
    create index idx_orders_account_id on public.orders (account_id);
    -- file: workload.sql
    -- name: open_orders
    select id, created_at from public.orders
     where account_id = %(account_id)s and status = 'open'
     order by created_at desc limit 50;
    ```
    Good:
    ```sql
    -- file: 20240101000000_orders.sql
    create table public.orders (
      id bigint generated always as identity primary key,
      account_id uuid not null,
      status text not null,
      created_at timestamptz not null default now()
    );
    create index idx_orders_account_id_status_created_at
      on public.orders (account_id, status, created_at desc);
    -- file: workload.sql
    -- name: open_orders
    select id, created_at from public.orders
     where account_id = %(account_id)s and status = 'open'
     order by created_at desc limit 50;
    ```
    """
    path = workload_path(ctx)
    if path is None or ctx.project is None:
        return
    catalog = ctx.catalog
    tables = {t.key: t for t in catalog.tables if t.kind in ROW_TABLE_KINDS and not t.extension}
    groups: dict[tuple[str, str, frozenset[str]], _Group] = {}
    for query in read_workload(path):
        for need in query_needs(catalog, query):
            table = tables.get(need.key)
            if table is None or _small(ctx, table):
                continue
            tenants = tenant_columns_of(table, ctx.config.tenant_columns)
            if serving(catalog, table, need, tenants) is not None:
                continue
            key = (need.schema, need.table, frozenset(need.equality))
            groups.setdefault(key, _Group(need.schema, table, key[2])).needs.append(need)
    if not groups:
        return
    others = _other_rules_fixes(ctx)
    try:
        workload_label = str(path.relative_to(ctx.project.root))
    except ValueError:
        workload_label = str(path)
    for group in groups.values():
        hit = _group_hit(ctx, group, others, workload_label)
        if hit is not None:
            yield hit


def _small(ctx: LintContext, table: Table) -> bool:
    """Small enough to read whole: known only on a live database (a sandbox's estimates
    describe its seed, not production)."""
    return ctx.live and 0 <= table.reltuples < SMALL_TABLE_ROWS


def _why_unserved(
    ctx: LintContext, group: _Group, equality: list[str], first: str, tenants: Sequence[str]
) -> str:
    """Why no existing index serves the group: the only helping index stops at the tenant
    column, or none leads with the equality (or range) columns at all."""
    table, name = group.table, group.table.name
    tenant_index = _tenant_only(ctx.catalog, table, group.needs[0], tenants) if equality else None
    rows = f" (~{table.reltuples:,.0f} rows)" if ctx.live and table.reltuples > 0 else ""
    if tenant_index is not None:
        tenant = tenant_index.columns[0] or ""
        owner = tenant.removesuffix("_id") or tenant
        selective = [c for c in equality if c not in tenants]
        return (
            f"; no index leads with {_listing(selective, 4)}: the only one that helps, "
            f"{tenant_index.name}, stops at {tenant}, so each call scans the {owner}'s "
            f"{name}{rows}"
        )
    if len(equality) > 1:
        return f"; no index leads with any of them, so each call scans all of {name}{rows}"
    lead = equality[0] if equality else first
    return f"; no index leads with {lead}, so each call scans all of {name}{rows}"


def _ordered_equality(group: _Group, tenants: Sequence[str]) -> list[str]:
    """Tenant columns first (configuration order), then the others as the queries name
    them."""
    seen: list[str] = []
    for need in group.needs:
        for column in need.equality:
            if column not in seen:
                seen.append(column)
    return [c for c in tenants if c in seen] + [c for c in seen if c not in tenants]


def _group_hit(
    ctx: LintContext,
    group: _Group,
    others: set[tuple[str, str, frozenset[str]]],
    workload_label: str,
) -> Hit | None:
    catalog, table = ctx.catalog, group.table
    schema, name = table.schema, table.name
    tenants = tenant_columns_of(table, ctx.config.tenant_columns)
    queries = group.queries
    equality = _ordered_equality(group, tenants)
    if equality:
        trailing, uses = _trailing(group, equality)
        if not trailing and (schema, name, frozenset(equality)) in others:
            return None  # unindexed-foreign-key / tenant-column-not-indexed: same index
        if not trailing and len(equality) == 1 and equality[0] in policy_columns(catalog, table):
            return None  # policy-column-not-indexed proposes the same index
    else:
        ranges = [c for need in group.needs for c in need.ranges]
        column = max(dict.fromkeys(ranges), key=ranges.count)
        trailing, uses = [SortKey(column)], {q: "ranges" for q in queries}
    columns = [*equality, *(k.column for k in trailing)]
    keys = ", ".join([*(ident(c) for c in equality), *(k.sql for k in trailing)])
    plain = keys == ", ".join(ident(c) for c in columns)
    fix = create_index_fix(catalog, schema, name, columns, keys=None if plain else keys)

    who = _listing(queries)
    verb = "filters" if len(queries) == 1 else "filter"
    if equality:
        what = f"{who} {verb} {schema}.{name} on ({', '.join(equality)})"
    else:
        what = f"{who} {verb} {schema}.{name} by a range on {columns[0]}"
    if equality and trailing:
        pronoun = "it" if len(trailing) == 1 else "them"
        how = ", ".join(f"{q} {_USE_WORDS[u]} {pronoun}" for q, u in uses.items())
        what += f" and then on {', '.join(k.sql for k in trailing)} ({how})"
    why = _why_unserved(ctx, group, equality, columns[0], tenants)
    covers = [
        fk.name
        for fk in unindexed_foreign_keys(catalog)
        if (fk.schema, fk.table) == (schema, name)
        and set(fk.columns) == set(columns[: len(fk.columns)])
    ]
    also = (
        f" (it also serves foreign key {_listing(covers)}, in place of the "
        "unindexed-foreign-key fix)"
        if covers
        else ""
    )
    message = f"{what}{why}: an index on ({keys}) serves {'it' if len(queries) == 1 else 'them'}"
    message += also
    where = (
        column_location(ctx, schema, name, columns[0]) if len(columns) == 1 else None
    ) or table_location(ctx, schema, name)
    file, line = where if where is not None else (None, None)
    detail = ",".join(equality) if equality else f"range:{columns[0]}"
    return Hit(
        object=f"{schema}.{name}",
        message=message,
        file=file,
        line=line,
        fix=fix,
        detail=detail,
        data={
            "queries": queries,
            "columns": columns,
            "equality": equality,
            "trailing": [k.column for k in trailing],
            "workload": workload_label,
            **({"covers_foreign_keys": covers} if covers else {}),
        },
    )
