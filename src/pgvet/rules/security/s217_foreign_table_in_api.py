"""S217 foreign-table-in-api: Foreign table reachable through the API."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import qualified
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_grants,
    exposed_schemas,
    located_at,
    privileges_text,
    roles_text,
)


@rule(
    "foreign-table-in-api",
    "S217",
    "error",
    "security",
    "Foreign table reachable through the API",
)
def foreign_table_in_api(ctx: LintContext) -> Iterator[Hit]:
    """A foreign table (``postgres_fdw``, Supabase Wrappers for Stripe, Firebase, S3 ...)
    reads and writes a remote system with the credentials of its server's user mapping,
    and PostgreSQL has no row-level security for foreign tables. In an exposed schema with
    privileges for ``anon`` or ``authenticated`` (granted by default on new relations in
    ``public``), the Data API gives every caller what those credentials can reach - every
    Stripe customer, every remote row. Create foreign tables in a schema the API does not
    expose and serve what users may see through a SECURITY DEFINER function that checks
    ``auth.uid()``, or revoke the API roles' privileges.

    Bad:
    ```sql
    create extension postgres_fdw;
    create server billing foreign data wrapper postgres_fdw options (dbname 'billing');
    create foreign table public.invoices (id bigint, customer text, amount numeric)
      server billing;
    ```
    Good:
    ```sql
    create extension postgres_fdw;
    create server billing foreign data wrapper postgres_fdw options (dbname 'billing');
    create schema remote;
    create foreign table remote.invoices (id bigint, customer text, amount numeric)
      server billing;
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    for table in catalog.tables:
        if table.kind != "foreign" or table.schema not in schemas or table.extension:
            continue
        grants = api_grants(catalog, table.schema, table.name)
        privileges = privileges_text(grants)
        if not privileges:
            continue
        label = qualified(table.schema, table.name)
        yield Hit(
            object=f"foreign table {label}",
            message=(
                f"foreign table {label} is in an exposed schema and "
                f"{' and '.join(sorted(grants))} {'hold' if len(grants) > 1 else 'holds'} "
                f"{privileges} on it: {roles_text(grants)} "
                "can use those on every remote row through the Data API, with the server's "
                "credentials (foreign tables have no row-level security)."
            ),
            **located_at(catalog, table.origin_key),
            fix=(
                f"-- revoke all on {label} from anon, authenticated;\n"
                "-- or move it to a schema the API does not expose: "
                f"alter foreign table {label} set schema private;"
            ),
            data={"roles": sorted(grants), "privileges": privileges.split(", ")},
        )
