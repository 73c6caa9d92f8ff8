"""S218 extension-in-public: Extension installed in the public schema."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import ident
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import extension_statements

#: Installed in public by PostgreSQL itself, outside the project's control.
_BUILT_IN = frozenset({"plpgsql"})


def _objects(functions: int, relations: int) -> str:
    parts = []
    if functions:
        parts.append(f"{functions} function{'s' if functions > 1 else ''}")
    if relations:
        parts.append(
            f"{relations} table{'s' if relations > 1 else ''} or view{'s' if relations > 1 else ''}"
        )
    return " and ".join(parts)


@rule(
    "extension-in-public",
    "S218",
    "warn",
    "security",
    "Extension installed in the public schema",
)
def extension_in_public(ctx: LintContext) -> Iterator[Hit]:
    """``create extension x`` without ``schema`` puts the extension's functions, types and
    tables in ``public``, the schema the Data API serves: its functions become
    ``/rest/v1/rpc/<name>`` endpoints executable by ``anon`` (``http_get`` of the http
    extension lets anyone send requests from the database), its tables and views become
    API resources, and its names mix with the project's (a later extension or table of the
    same name collides). Supabase installs extensions in the ``extensions`` schema, which
    is on the API roles' search_path. Moving one changes where unqualified references
    resolve (functions pinned to ``search_path = ''`` that call ``public.x()`` break), so
    the advice is to move it in a migration of its own, after checking the callers. It is
    moved by dropping it and creating it again in ``extensions``: ``ALTER EXTENSION ... SET
    SCHEMA`` needs ownership of the extension's objects, which the platform's superuser
    keeps (``must be owner of type citext`` for ``postgres``, confirmed on the sandbox).
    Extensions registered in ``public`` whose objects live in a schema of their own
    (``pg_cron`` in ``cron``, ``pg_net`` in ``net``) expose nothing and are not reported.

    Bad:
    ```sql
    create extension pg_trgm;
    ```
    Good:
    ```sql
    create extension pg_trgm schema extensions;
    ```
    """
    catalog = ctx.catalog
    created = extension_statements(ctx)
    for ext in catalog.extensions:
        if ext.schema != "public" or ext.name in _BUILT_IN:
            continue
        functions = sum(
            1 for f in catalog.functions if f.extension == ext.name and f.schema == "public"
        )
        relations = sum(
            1 for t in catalog.tables if t.extension == ext.name and t.schema == "public"
        )
        if not functions and not relations:
            continue  # pg_cron, pg_net: registered in public, objects in a schema of their own
        name = ident(ext.name)
        how = (
            f"drop extension {name};  -- and what depends on it\n"
            f"-- create extension {name} schema extensions;"
        )
        yield Hit(
            object=f"extension {ext.name}",
            message=(
                f"extension {ext.name} {ext.version} is installed in public, the schema the "
                f"Data API serves: its {_objects(functions, relations)} are API endpoints and "
                "its names mix with the project's. Create it in the extensions schema "
                "instead."
            ),
            file=created.get(ext.name, (None, None))[0],
            line=created.get(ext.name, (None, None))[1],
            fix=f"-- after checking what calls public.<its functions>:\n-- {how}",
            data={"relocatable": ext.relocatable},
        )
