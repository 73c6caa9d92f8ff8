"""I106 jsonb-without-gin: JSONB column searched with @> or ? but without a GIN index."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvet.analysis import exprs
from pgvet.analysis.indexing import create_index_fix
from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Index
from pgvet.rules.indexes.common import (
    column_location,
    first_location,
    index_hit,
    search_tables,
    sources_text,
)
from pgvet.rules.registry import Hit, LintContext, rule


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
    tables = search_tables(catalog)
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
            f"{sources_text([u.source for u in found])} but has no GIN index: each search "
            "reads every row"
            + (" (only @>/@? are used, so jsonb_path_ops suffices)" if path_ops else "")
        )
        yield index_hit(
            f"{schema}.{name}",
            message,
            first_location(ctx, (u.source for u in found))
            or column_location(ctx, schema, name, column),
            create_index_fix(
                catalog, schema, name, (column,), using="gin", keys=keys, suffix="gin"
            ),
            detail=column,
            column=column,
            operators=sorted(operators),
            used_in=[u.source.label for u in found],
        )
