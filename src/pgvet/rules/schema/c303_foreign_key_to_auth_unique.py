"""C303 foreign-key-to-auth-unique: Foreign key to a unique key of Supabase's auth
schema."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import ident, qualified
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "foreign-key-to-auth-unique",
    "C303",
    "error",
    "correctness",
    "Foreign key to a unique key of Supabase's auth schema",
)
def foreign_key_to_auth_unique(ctx: LintContext) -> Iterator[Hit]:
    """The ``auth`` schema belongs to Supabase Auth, whose own migrations change it as the
    service is upgraded: a unique constraint or index there (``auth.users (phone)``,
    ``auth.users (email)`` where not SSO) may be dropped or replaced. A foreign key that
    references one makes that migration fail - PostgreSQL will not drop an index a
    foreign key depends on - and Auth stops upgrading (or the platform drops the
    constraint). Reference the primary key (``auth.users (id)``) and look the other value
    up, or keep a copy of it in your own table.

    Bad:
    ```sql
    create table public.contacts (id bigint primary key, phone text
      references auth.users (phone));
    ```
    Good:
    ```sql
    create table public.contacts (id bigint primary key, user_id uuid
      references auth.users (id), phone text);
    ```
    """
    for fk in ctx.catalog.foreign_keys:
        if fk.ref_schema != "auth" or fk.ref_primary is not False or fk.inherited:
            continue
        table = qualified(fk.schema, fk.table)
        target = f"{qualified('auth', fk.ref_table or '')} ({', '.join(fk.ref_columns)})"
        yield Hit(
            object=f"constraint {ident(fk.name)} on {table}",
            message=(
                f"foreign key {ident(fk.name)} of {table} references {target}, a unique "
                "key of Supabase Auth's schema that is not its primary key: an Auth "
                "upgrade that changes that key fails while the foreign key depends on it. "
                "Reference the primary key instead."
            ),
            origin=(
                fk.origin_key
                if fk.origin_key in ctx.catalog.origins
                else ("table", fk.schema, fk.table)  # an unnamed column constraint
            ),
            fix=(
                f"-- alter table {table} drop constraint {ident(fk.name)};\n"
                "-- and reference auth.users (id) through a user_id column"
            ),
            data={"references": target},
        )
