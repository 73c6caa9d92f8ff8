"""S216 materialized-view-in-api: Materialized view in the API serves rows that RLS
protects at the source."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import Catalog, QualifiedName
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    exposed_schemas,
    located_at,
    reads_auth_users,
    roles_text,
    select_grants,
)


def _protected_sources(
    catalog: Catalog, relations: tuple[QualifiedName, ...], roles: list[str]
) -> list[str]:
    """Sources the API roles could not read in full themselves: a table with RLS on, a
    relation they may not select, or one outside the reviewed schemas (``storage``,
    ``auth``...)."""
    out = []
    for schema, name in relations:
        source = catalog.find_table(schema, name)
        open_to_all = (
            source is not None
            and not (source.kind in ("table", "partitioned") and source.rls_enabled)
            and set(roles) <= set(select_grants(catalog, schema, name))
        )
        if not open_to_all:
            out.append(qualified(schema, name))
    return sorted(set(out))


@rule(
    "materialized-view-in-api",
    "S216",
    "error",
    "security",
    "Materialized view in the API serves rows that RLS protects at the source",
)
def materialized_view_in_api(ctx: LintContext) -> Iterator[Hit]:
    """A materialized view is a snapshot table that cannot have row-level security: whoever
    may select from it sees every row it holds, and it was filled by its owner
    (``postgres``), past the policies of the tables it reads. In an exposed schema with
    SELECT for ``anon`` or ``authenticated`` (Supabase grants it on new relations in
    ``public``), the Data API hands out rows the source tables' policies would hide.
    Reported when at least one source is protected from the roles that can read the
    view: a table with RLS on, a relation they may not select, or one in a Supabase schema
    (``storage``, ``auth``: views over ``auth.users`` are reported by
    ``auth-users-exposed`` instead). Revoke SELECT from the API roles and serve the data
    through a function or a view that applies the caller's rights, or move it to a schema
    the API does not expose.

    Bad:
    ```sql
    create table public.orders (id bigint primary key, owner uuid, total numeric);
    alter table public.orders enable row level security;
    create materialized view public.order_totals as
      select owner, sum(total) as total from public.orders group by owner;
    ```
    Good:
    ```sql
    create table public.orders (id bigint primary key, owner uuid, total numeric);
    alter table public.orders enable row level security;
    create schema reporting;
    create materialized view reporting.order_totals as
      select owner, sum(total) as total from public.orders group by owner;
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    via_auth = reads_auth_users(catalog)
    for view in catalog.views:
        if not view.materialized or view.schema not in schemas or view.extension is not None:
            continue
        if (view.schema, view.name) in via_auth:
            continue
        roles = select_grants(catalog, view.schema, view.name)
        if not roles:
            continue
        sources = _protected_sources(catalog, view.relations, roles)
        if not sources:
            continue
        label = qualified(view.schema, view.name)
        yield Hit(
            object=f"materialized view {label}",
            message=(
                f"materialized view {label} holds rows of {', '.join(sources)} read as "
                f"{view.owner or 'its owner'} and {' and '.join(roles)} may select from it: "
                f"{roles_text(roles)} sees every row through the Data API (a materialized "
                "view has no row-level security)."
            ),
            **located_at(catalog, view.origin_key),
            fix=(
                f"-- revoke select on {label} from anon, authenticated;\n"
                "-- and serve it through a function that checks auth.uid(), or move it to "
                "a schema the API does not expose"
            ),
            data={"roles": roles, "sources": sources},
        )
