"""S221 queue-exposed-without-rls: Queue readable through pgmq_public without row-level
security."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvet.analysis.memo import memo
from pgvet.analysis.mentions import statements_mentioning
from pgvet.analysis.sql.quote import qualified
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_grants,
    exposed_schemas,
    privileges_text,
    roles_text,
)

_CREATE = re.compile(r"pgmq\s*\.\s*create(?:_unlogged|_partitioned)?\s*\(\s*'([^']+)'", re.I)


def _created_at(ctx: LintContext) -> dict[str, tuple[str, int]]:
    """File and line of the ``pgmq.create('<queue>')`` call of each queue, in one pass."""
    project = ctx.project
    if project is None:
        return {}

    def compute() -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        for stmt in statements_mentioning(project, "pgmq"):
            for name in _CREATE.findall(stmt.text):
                found.setdefault(name.lower(), (stmt.file, stmt.line))
        return found

    return memo(project, "pgmq queues", compute)


@rule(
    "queue-exposed-without-rls",
    "S221",
    "error",
    "security",
    "Queue readable through pgmq_public without row-level security",
)
def queue_exposed_without_rls(ctx: LintContext) -> Iterator[Hit]:
    """Supabase Queues (pgmq) keep each queue's messages in a table ``pgmq.q_<queue>``.
    Exposing queues to the Data API creates the ``pgmq_public`` schema, whose ``send``,
    ``read`` and ``pop`` functions run with the caller's rights: what ``anon`` and
    ``authenticated`` may do with a queue is decided by their privileges on its table and
    by its row-level security. A queue table with privileges for an API role and RLS off
    lets anyone with the anon key (or any signed-in user) read, pop or send every
    message. Reported when the ``pgmq_public`` schema exists or is among ``[lint]
    exposed_schemas``. Enable row-level security on the queue table and add policies for
    who may read and write it, or revoke the API roles' privileges on it.

    Bad:
    ```sql
    create extension pgmq;
    select pgmq.create('emails');
    create schema pgmq_public;
    grant usage on schema pgmq_public to anon, authenticated;
    grant select, insert, update, delete on pgmq.q_emails to anon, authenticated;
    ```
    Good:
    ```sql
    create extension pgmq;
    select pgmq.create('emails');
    create schema pgmq_public;
    grant usage on schema pgmq_public to anon, authenticated;
    grant select, insert, update, delete on pgmq.q_emails to authenticated;
    alter table pgmq.q_emails enable row level security;
    create policy "Workers read emails" on pgmq.q_emails for select to authenticated
      using ((select auth.jwt() ->> 'user_role') = 'worker');
    ```
    """
    catalog = ctx.catalog
    if "pgmq_public" not in exposed_schemas(ctx) and "pgmq_public" not in catalog.schema_names():
        return
    created = _created_at(ctx)
    for table in catalog.tables:
        if table.schema != "pgmq" or not table.name.startswith("q_") or table.rls_enabled:
            continue
        if table.kind not in ("table", "partitioned"):
            continue
        grants = api_grants(catalog, table.schema, table.name)
        privileges = privileges_text(grants)
        if not privileges:
            continue
        label = qualified(table.schema, table.name)
        queue = table.name[2:]
        yield Hit(
            object=f"queue {queue}",
            message=(
                f"queue {queue} ({label}) has row-level security off and "
                f"{' and '.join(sorted(grants))} {'hold' if len(grants) > 1 else 'holds'} "
                f"{privileges} on it: through pgmq_public {roles_text(grants)} can read, pop "
                "or send any of its messages."
            ),
            origin=table.origin_key,
            file=created.get(queue, (None, None))[0],
            line=created.get(queue, (None, None))[1],
            fix=(
                f"-- alter table {label} enable row level security;\n"
                f"-- and add policies for who may read and send, or: revoke all on {label} "
                "from anon, authenticated;"
            ),
            data={"roles": sorted(grants), "privileges": privileges.split(", ")},
        )
