"""M412 redundant-create-index:
CREATE INDEX IF NOT EXISTS repeats an index that already exists (a no-op).
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import History, Step, Visitor, index_shape, rel_key
from pgvet.rules.migrations.common import MIGRATIONS
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "redundant-create-index",
    "M412",
    "info",
    "correctness",
    "CREATE INDEX IF NOT EXISTS repeats an index that already exists (a no-op)",
    requires=MIGRATIONS,
    history=True,
)
def redundant_create_index(ctx: LintContext) -> Visitor:
    """A ``create index if not exists`` with the same name *and* the same definition as an
    index an earlier statement created does nothing but print a notice. It is harmless for
    the schema, but it misleads a reader into thinking the index is new here, and it still
    takes the table's SHARE lock before finding out (see index-without-concurrently).
    Remove the statement.

    Bad:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    -- file: 20240301000000_skin_analyses_indexes.sql
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses(user_id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_skin_analyses.sql
    create table public.skin_analyses (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null
    );
    create index if not exists idx_skin_analyses_user_id on public.skin_analyses (user_id);
    ```
    """
    assert ctx.project is not None

    def visit(step: Step, history: History) -> Iterator[Hit]:
        if step.kind != "IndexStmt":
            return
        node = step.node
        if not node.get("if_not_exists") or not node.get("idxname"):
            return
        table = rel_key(node["relation"])
        earlier = history.indexes.get((table[0], node["idxname"]))
        if earlier is None or earlier.shape != index_shape(node):
            return
        yield Hit(
            object=f"index {table[0]}.{node['idxname']}",
            message=(
                f"this `create index if not exists` repeats {table[0]}.{node['idxname']}, "
                f"created with the same definition at {earlier.stmt.location}: PostgreSQL "
                "skips it. Remove the statement."
            ),
            file=step.stmt.file,
            line=step.stmt.line,
        )

    return Visitor(ctx.project, visit, frozenset({"IndexStmt"}))
