"""M413 replay-failed:
A migration file failed to replay: what PostgreSQL said, where, and pgvet's hint.
"""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.rules.migrations.common import MIGRATIONS
from pgvet.rules.registry import Hit, LintContext, rule


@rule(
    "replay-failed",
    "M413",
    "error",
    "correctness",
    "A migration file failed to replay",
    requires=(*MIGRATIONS, "replay"),
)
def replay_failed(ctx: LintContext) -> Iterator[Hit]:
    """A file that fails on a fresh database fails the same way in ``supabase db reset``,
    on a new branch and on every developer's machine, and everything after it never
    applies (the Supabase CLI stops at the first failure): the database the team tests is
    not the one the migrations describe. It is a finding like any other, with the file and
    line, the SQLSTATE, PostgreSQL's message and pgvet's hint, so ``--fail-on``, baselines
    and ignores apply to it: a legacy project with a broken history can accept today's
    failure in its baseline and still fail CI on a new one. The fingerprint is the file and
    the SQLSTATE, so the accepted failure stays accepted while its line moves.

    Bad:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (id bigint primary key, starts_at timestamptz not null);
    -- file: 20240301000000_index_bookings.sql
    -- expect: this file fails
    create index idx_bookings_customer_id on public.bookings (customer_id);
    ```
    Good:
    ```sql
    -- file: 20240101000000_create_bookings.sql
    create table public.bookings (id bigint primary key, starts_at timestamptz not null);
    -- file: 20240301000000_index_bookings.sql
    create index idx_bookings_starts_at on public.bookings (starts_at);
    ```
    """
    if ctx.replay is None:  # a live database, or a caller that ran the rule directly
        return
    not_run = sum(1 for f in ctx.replay.files if f.status == "not run")
    for result in ctx.replay.files:
        failure = result.failure
        if result.status != "failed" or failure is None:
            continue
        state = f" {failure.sqlstate}" if failure.sqlstate else ""
        message = f"did not replay: ERROR{state}: {failure.message}"
        if failure.detail:
            message += f" ({failure.detail})"
        if failure.pgvet_hint:
            message += f". pgvet: {failure.pgvet_hint}"
        elif failure.hint:
            message += f". Hint: {failure.hint}"
        if not_run and ctx.replay.strict:
            message += (
                f". {not_run} later file(s) were not run (the CLI stops at the first failure), "
                "so nothing they create was reviewed"
            )
        kind = "prelude file" if result.prelude else "migration"
        yield Hit(
            object=f"{kind} {result.filename}",
            message=message,
            file=failure.file,
            line=failure.line or failure.statement_line,
            detail=failure.sqlstate or "",
            data={
                "sqlstate": failure.sqlstate,
                "error": failure.message,
                "detail": failure.detail,
                "hint": failure.hint,
                "pgvet_hint": failure.pgvet_hint,
                "location": failure.location,
            },
        )
