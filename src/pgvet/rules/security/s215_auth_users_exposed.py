"""S215 auth-users-exposed: View in the API reads auth.users with its owner's rights."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import View
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    AUTH_USERS,
    exposed_schemas,
    located_at,
    reads_auth_users,
    roles_text,
    select_grants,
)


def _runs_as_caller(view: View) -> bool:
    """A plain view with security_invoker checks auth.users against the caller, who has no
    privilege on it: the API gets an error, not the rows."""
    return view.security_invoker and not view.materialized


@rule(
    "auth-users-exposed",
    "S215",
    "error",
    "security",
    "View in the API reads auth.users with its owner's rights",
)
def auth_users_exposed(ctx: LintContext) -> Iterator[Hit]:
    """``auth.users`` holds every user's e-mail, phone, sign-in times and metadata; the
    API roles have no privilege on it. A view (or materialized view) in an exposed schema
    that reads it runs as its owner, ``postgres``, so if ``anon`` or ``authenticated`` may
    select from the view, the Data API serves those columns for every user - a view
    cannot have row-level security. Views reading it through other views count too. Keep
    the columns the app needs in a ``public.profiles`` table with RLS (filled by a trigger
    on ``auth.users``), or put the view in a schema the API does not expose. Views with
    ``security_invoker = true`` are not reported: the caller's missing privilege makes
    them fail.

    Bad:
    ```sql
    create view public.user_directory as
      select id, email, raw_user_meta_data ->> 'full_name' as full_name from auth.users;
    ```
    Good:
    ```sql
    create table public.profiles (id uuid primary key references auth.users (id), full_name text);
    alter table public.profiles enable row level security;
    create policy "Users read their profile" on public.profiles
      for select to authenticated using ((select auth.uid()) = id);
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    readers = reads_auth_users(catalog)
    for view in catalog.views:
        if view.schema not in schemas or view.extension is not None:
            continue
        if (view.schema, view.name) not in readers or _runs_as_caller(view):
            continue
        roles = select_grants(catalog, view.schema, view.name)
        if not roles:
            continue
        label = qualified(view.schema, view.name)
        kind = "materialized view" if view.materialized else "view"
        how = "" if AUTH_USERS in view.relations else " (through another view)"
        yield Hit(
            object=f"{kind} {label}",
            message=(
                f"{kind} {label} reads auth.users{how} as its owner {view.owner or 'postgres'} "
                f"and {' and '.join(roles)} may select from it: {roles_text(roles)} can "
                "read every user's row of it through the Data API."
            ),
            **located_at(catalog, view.origin_key),
            fix=(
                f"-- revoke select on {label} from anon, authenticated;\n"
                "-- and serve what the app needs from a profiles table with RLS"
                + (
                    ""
                    if view.materialized
                    else f",\n-- or: alter view {label} set (security_invoker = true);"
                )
            ),
            data={"roles": roles, "kind": kind},
        )
