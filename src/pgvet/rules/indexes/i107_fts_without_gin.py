"""I107 fts-without-gin: Full-text search without a GIN index on the searched document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pgvet.analysis import exprs
from pgvet.analysis.indexing import create_index_fix
from pgvet.catalog.model import Catalog, Index
from pgvet.rules.indexes.common import (
    column_location,
    first_location,
    index_hit,
    search_tables,
    sources_text,
    table_location,
)
from pgvet.rules.registry import Hit, LintContext, rule


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
    tables = search_tables(catalog)
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
    used = f" (searched in {sources_text(target.sources)})" if target.sources else ""
    where = first_location(ctx, target.sources)
    if target.column is not None:
        message = (
            f"tsvector column {schema}.{name}.{target.column} has no GIN index{used}: "
            "each full-text search reads every row"
        )
        fix = create_index_fix(
            ctx.catalog, schema, name, (target.column,), using="gin", suffix="gin"
        )
        where = column_location(ctx, schema, name, target.column) or where
        return index_hit(
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
    return index_hit(
        f"{schema}.{name}",
        message,
        where or table_location(ctx, schema, name),
        fix,
        detail=expression,
        expression=expression,
    )
