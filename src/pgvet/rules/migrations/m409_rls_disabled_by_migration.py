"""M409 rls-disabled-by-migration:
Row level security disabled by a migration and never re-enabled.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import (
    History,
    Step,
    TableKey,
    Visitor,
    alter_commands,
    key_sql,
    names_key,
    rel_key,
)
from pgvet.rules.migrations.common import MIGRATIONS, catalog_knows
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "rls-disabled-by-migration",
    "M409",
    "error",
    "security",
    "Row level security disabled by a migration and never re-enabled",
    requires=MIGRATIONS,
    fixable=True,
)
def rls_disabled_by_migration(ctx: LintContext) -> Visitor:
    """``alter table ... disable row level security`` is the classic 3 a.m. fix for a broken
    (often recursive) policy, and the classic data leak: without RLS, every role with a
    table grant (on Supabase ``anon`` and ``authenticated`` usually have them) reads and
    writes every row through the Data API, and the policies no longer matter. pgvet reports
    each such statement whose table still has RLS off at the end of the migrations; a
    table re-enabled by a later migration (or dropped) is not reported. Fix the policy
    instead of switching RLS off, e.g. with a SECURITY DEFINER helper that breaks the
    recursion.

    Bad:
    ```sql
    -- file: 20240101000000_create_notes.sql
    create table public.notes (
      id bigint generated always as identity primary key,
      user_id uuid not null default auth.uid(),
      body text
    );
    alter table public.notes enable row level security;
    -- file: 20240301000000_hotfix_notes.sql
    alter table public.notes disable row level security;
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_notes.sql
    create table public.notes (
      id bigint generated always as identity primary key,
      user_id uuid not null default auth.uid(),
      body text
    );
    alter table public.notes enable row level security;
    -- file: 20240301000000_fix_notes_policy.sql
    create policy "owners read notes" on public.notes
      for select to authenticated using ((select auth.uid()) = user_id);
    ```
    """
    assert ctx.project is not None
    disabled: dict[TableKey, Step] = {}

    def visit(step: Step, _history: History) -> None:
        if step.kind == "DropStmt" and step.node.get("removeType") == "OBJECT_TABLE":
            for obj in step.node.get("objects", []):
                disabled.pop(names_key(obj.get("List", {}).get("items", [])), None)
        if step.kind == "RenameStmt" and step.node.get("renameType") == "OBJECT_TABLE":
            old = rel_key(step.node["relation"])
            if old in disabled:
                disabled[(old[0], step.node.get("newname", ""))] = disabled.pop(old)
        for table, sub in alter_commands(step):
            if sub.get("subtype") == "AT_DisableRowSecurity":
                disabled[table] = step
            elif sub.get("subtype") == "AT_EnableRowSecurity":
                disabled.pop(table, None)

    def finish() -> Iterator[Hit]:
        for table, step in disabled.items():
            found = ctx.catalog.find_table(*table)
            if found is not None and found.rls_enabled:
                continue  # re-enabled some way pgvet cannot follow (dynamic SQL)
            if found is None and catalog_knows(ctx.catalog, table[0]):
                continue  # the table is gone
            target = key_sql(table)
            policies = len(ctx.catalog.policies_of(*table))
            ignored = f" Its {policies} policies are ignored while RLS is off." if policies else ""
            yield Hit(
                object=target,
                message=(
                    f"this migration disables row level security on {target} and no later "
                    "migration turns it back on: every role with a grant on the table (on "
                    "Supabase usually anon and authenticated) reads and writes every row through "
                    f"the Data API.{ignored} Re-enable it and fix the policy that made you turn "
                    "it off."
                ),
                file=step.stmt.file,
                line=step.stmt.line,
                fix=f"alter table {target} enable row level security;",
            )

    return Visitor(
        ctx.project, visit, frozenset({"DropStmt", "RenameStmt", "AlterTableStmt"}), finish
    )
