"""C304 autovacuum-disabled: Table with autovacuum turned off."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.memo import memo
from pgvet.analysis.mentions import statements_mentioning
from pgvet.analysis.policy_graph import parse_statements
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.introspect import parse_pg_bool, reloptions
from pgvet.catalog.model import QualifiedName
from pgvet.rules.registry import Hit, LintContext, rule


def _settings(ctx: LintContext) -> dict[QualifiedName, tuple[str, int]]:
    """File and line of the last ``ALTER TABLE ... SET (autovacuum_enabled = ...)`` of each
    relation in the migrations, in one pass (unqualified names taken as ``public``)."""
    project = ctx.project
    if project is None:
        return {}

    def compute() -> dict[QualifiedName, tuple[str, int]]:
        found: dict[QualifiedName, tuple[str, int]] = {}
        for stmt in statements_mentioning(project, "autovacuum_enabled"):
            for node in parse_statements(stmt.text) or []:
                body = node.get("AlterTableStmt")
                if not body:
                    continue
                for cmd in body.get("cmds", []):
                    sub = cmd.get("AlterTableCmd", {})
                    items = sub.get("def", {}).get("List", {}).get("items", [])
                    if sub.get("subtype") == "AT_SetRelOptions" and any(
                        i.get("DefElem", {}).get("defname") == "autovacuum_enabled" for i in items
                    ):
                        rel = body["relation"]
                        key = (rel.get("schemaname", "public"), rel["relname"])
                        found[key] = (stmt.file, stmt.line)
        return found

    return memo(project, "autovacuum settings", compute)


@rule(
    "autovacuum-disabled",
    "C304",
    "warn",
    "safety",
    "Table with autovacuum turned off",
    fixable=True,
)
def autovacuum_disabled(ctx: LintContext) -> Iterator[Hit]:
    """``alter table ... set (autovacuum_enabled = false)`` stops autovacuum from removing
    dead rows and refreshing the planner's statistics for that table: every update and
    delete leaves garbage behind, the table and its indexes bloat, and plans go stale.
    Only the anti-wraparound vacuum still runs, late and all at once. It is sometimes
    set for a bulk load and then forgotten. Reset it, and tune the thresholds
    (``autovacuum_vacuum_scale_factor``) instead if autovacuum runs too often. A table
    that is truly append-only and truncated regularly is the exception: ignore the
    finding for it in ``[lint] ignore_objects``.

    Bad:
    ```sql
    create table public.events (id bigint primary key, payload jsonb);
    alter table public.events set (autovacuum_enabled = false);
    ```
    Good:
    ```sql
    create table public.events (id bigint primary key, payload jsonb);
    alter table public.events set (autovacuum_vacuum_scale_factor = 0.02);
    ```
    """
    settings = _settings(ctx)
    for table in ctx.catalog.tables:
        if table.kind not in ("table", "materialized_view") or table.extension is not None:
            continue
        value = reloptions(table.options).get("autovacuum_enabled")
        if value is None or parse_pg_bool(value) is not False:
            continue
        label = qualified(table.schema, table.name)
        kind = "materialized view" if table.kind == "materialized_view" else "table"
        yield Hit(
            object=f"{kind} {label}",
            message=(
                f"{kind} {label} has autovacuum_enabled = {value}: dead rows are never "
                "cleaned up and its statistics never refreshed by autovacuum, so it bloats "
                "and its plans go stale."
            ),
            origin=table.origin_key,
            file=settings.get(table.key, (None, None))[0],
            line=settings.get(table.key, (None, None))[1],
            fix=(
                f"alter {'materialized view' if kind != 'table' else 'table'} {label} "
                "reset (autovacuum_enabled);"
            ),
        )
