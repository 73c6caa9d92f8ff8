"""S220 extension-version-outdated: Extension older than the version the server ships."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.sql.quote import ident
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import extension_statements


@rule(
    "extension-version-outdated",
    "S220",
    "warn",
    "security",
    "Extension older than the version the server ships",
    fixable=True,
)
def extension_version_outdated(ctx: LintContext) -> Iterator[Hit]:
    """An extension stays at the version it was created with (``create extension x
    version '1.0'``, or whatever was current when the project began) until someone runs
    ``alter extension x update``; the server's newer version - with its security and bug
    fixes - is installed on disk but not in the database. The update runs the
    extension's own upgrade scripts and keeps its objects and data. On a replayed
    project the finding means a migration pins an old version; on a live database
    (``--db``) it means the project was never updated after a platform upgrade.

    Bad:
    ```sql
    create extension pg_trgm version '1.5' schema extensions;
    ```
    Good:
    ```sql
    create extension pg_trgm schema extensions;
    ```
    """
    created = extension_statements(ctx)
    for ext in ctx.catalog.extensions:
        if ext.default_version is None or ext.version == ext.default_version:
            continue
        yield Hit(
            object=f"extension {ext.name}",
            message=(
                f"extension {ext.name} is at version {ext.version}, but the server ships "
                f"{ext.default_version}: the fixes made since are not in this database. "
                "ALTER EXTENSION ... UPDATE runs its upgrade scripts."
            ),
            file=created.get(ext.name, (None, None))[0],
            line=created.get(ext.name, (None, None))[1],
            fix=f"alter extension {ident(ext.name)} update;",
            data={"installed": ext.version, "default": ext.default_version},
        )
