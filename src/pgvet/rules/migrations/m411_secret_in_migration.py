"""M411 secret-in-migration: Service key or password written into a migration."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.history import History, Step, Visitor
from pgvet.analysis.secrets import PASSWORD_STATEMENTS, Secret, statement_secrets, text_secrets
from pgvet.replay.ddl import touches
from pgvet.replay.project import MigrationFile
from pgvet.rules.migrations.common import MIGRATIONS
from pgvet.rules.registry import Hit, LintContext, rule


def _object_at(migration: MigrationFile, offset: int) -> str:
    stmt = migration.statement_at(offset)
    if stmt is not None and stmt.start <= offset <= stmt.end:
        for touch in touches(stmt):
            if touch.created or touch.kind in ("function", "table"):
                return f"{touch.kind} {touch.schema}.{touch.name}"
    return migration.filename


@rule(
    "secret-in-migration",
    "M411",
    "error",
    "security",
    "Service key or password written into a migration",
    requires=MIGRATIONS,
)
def secret_in_migration(ctx: LintContext) -> Visitor:
    """A migration lives in git forever, is copied to every clone, CI log and laptop, and
    its statements are stored in ``supabase_migrations.schema_migrations`` of every
    database it touches. A ``service_role`` key in it (a JWT whose payload says
    ``"role":"service_role"``, or an ``sb_secret_`` key) bypasses every RLS policy of the
    project; a password in ``create role ... password``, ``alter role ... password``, a user
    mapping or a ``postgres://user:password@`` URL opens the database. Rotate the secret (it
    is in the history now) and read it at run time from Vault. pgvet decodes each JWT's
    payload: ``anon`` keys are public by design, and the demo keys of ``supabase start``
    (signed with its public local secret) are not secrets either; neither is reported.
    The secret itself is never printed.

    Bad:
    ```sql
    create function public.purge_storage_object(object_path text)
    returns void
    language plpgsql
    security definer
    set search_path = ''
    as $$
    declare
      service_key text := 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImFiY2RlZmdoaWprbG1ub3BxcnN0Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ.bm90LWEtcmVhbC1zaWduYXR1cmUtanVzdC1hbi1leGFtcGxl';
    begin
      perform net.http_delete(
        url := 'https://abcdefghijklmnopqrst.supabase.co/storage/v1/object/' || object_path,
        headers := jsonb_build_object('Authorization', 'Bearer ' || service_key)
      );
    end;
    $$;
    ```
    Good:
    ```sql
    create function public.purge_storage_object(object_path text)
    returns void
    language plpgsql
    security definer
    set search_path = ''
    as $$
    declare
      service_key text := (
        select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key'
      );
    begin
      perform net.http_delete(
        url := 'https://abcdefghijklmnopqrst.supabase.co/storage/v1/object/' || object_path,
        headers := jsonb_build_object('Authorization', 'Bearer ' || service_key)
      );
    end;
    $$;
    ```
    """  # noqa: E501
    assert ctx.project is not None
    found: list[tuple[MigrationFile, Secret, str]] = []
    for migration in ctx.project.files:
        found += [
            (migration, s, _object_at(migration, s.offset)) for s in text_secrets(migration.text)
        ]

    def visit(step: Step, _history: History) -> None:
        found.extend((step.file, secret, obj) for secret, obj in statement_secrets(step))

    def finish() -> Iterator[Hit]:
        seen: dict[tuple[str, str], int] = {}
        for migration, secret, obj in found:
            # the fingerprint must not derive from the secret (a hash of a weak password
            # can be brute-forced), so findings of one kind on one object are told apart
            # by order
            count = seen[(obj, secret.kind)] = seen.get((obj, secret.kind), 0) + 1
            yield _secret_hit(migration, secret, obj, f"{secret.kind}#{count}")

    return Visitor(ctx.project, visit, PASSWORD_STATEMENTS, finish)


def _secret_hit(migration: MigrationFile, secret: Secret, obj: str, detail: str) -> Hit:
    line, _ = migration.line_col(secret.offset)
    if secret.kind in ("jwt", "sb_secret"):
        advice = "Rotate the key now and read it at run time from Vault instead."
        fix = (
            "-- rotate the key (it is in the git history), then read it at run time:\n"
            "select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key';"
        )
    elif secret.kind == "password" and obj.startswith("role "):
        role = obj.removeprefix("role ")
        advice = "Rotate it, and set role passwords outside migrations."
        fix = (
            f"-- rotate the password; create the role without one here and set it outside git "
            f"(psql: \\password {role})"
        )
    else:
        advice = "Rotate it now and keep it in Vault, not in git."
        fix = "-- rotate the password and store it with vault.create_secret(), outside git"
    return Hit(
        object=obj,
        message=(
            f"{secret.description} is written into this migration: it stays in the git "
            "history and in supabase_migrations.schema_migrations of every database the "
            f"migration ran on. {advice}"
        ),
        file=migration.filename,
        line=line,
        fix=fix,
        detail=detail,
    )
