"""S218 extension-in-public: Extension installed in the public schema."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.memo import memo
from pgvet.analysis.policy_graph import parse_statements
from pgvet.analysis.sql.quote import ident
from pgvet.rules.registry import Hit, LintContext, rule

#: Installed in public by PostgreSQL itself, outside the project's control.
_BUILT_IN = frozenset({"plpgsql"})


def _created_at(ctx: LintContext) -> dict[str, tuple[str, int]]:
    """File and line of the last ``CREATE EXTENSION`` (or ``ALTER EXTENSION ... SET
    SCHEMA``) of each extension in the migrations, in one pass."""
    project = ctx.project
    if project is None:
        return {}

    def compute() -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        for stmt in project.statements:
            if "extension" not in stmt.text.lower():
                continue
            for node in parse_statements(stmt.text) or []:
                create = node.get("CreateExtensionStmt")
                move = node.get("AlterObjectSchemaStmt")
                if create:
                    found[create.get("extname", "")] = (stmt.file, stmt.line)
                elif move and move.get("objectType") == "OBJECT_EXTENSION":
                    name = move.get("object", {}).get("String", {}).get("sval", "")
                    found[name] = (stmt.file, stmt.line)
        return found

    return memo(project, "extension statements", compute)


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

    Bad:
    ```sql
    create extension pg_trgm;
    ```
    Good:
    ```sql
    create extension pg_trgm schema extensions;
    ```
    """
    created = _created_at(ctx)
    for ext in ctx.catalog.extensions:
        if ext.schema != "public" or ext.name in _BUILT_IN:
            continue
        name = ident(ext.name)
        how = (
            f"drop extension {name};  -- and what depends on it\n"
            f"-- create extension {name} schema extensions;"
        )
        yield Hit(
            object=f"extension {ext.name}",
            message=(
                f"extension {ext.name} {ext.version} is installed in public, the schema the "
                f"Data API serves: its functions are API endpoints and its names mix with "
                f"the project's. Create it in the extensions schema instead."
            ),
            file=created.get(ext.name, (None, None))[0],
            line=created.get(ext.name, (None, None))[1],
            fix=f"-- after checking what calls public.<its functions>:\n-- {how}",
            data={"relocatable": ext.relocatable},
        )
