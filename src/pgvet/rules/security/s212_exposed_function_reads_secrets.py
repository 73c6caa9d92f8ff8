"""S212 exposed-function-reads-secrets: API-callable SECURITY DEFINER function reads the
Vault secret its caller names."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_callers,
    caller_chosen_secrets,
    exposed_schemas,
    function_sql,
    is_rpc,
    located_at,
    roles_text,
)


@rule(
    "exposed-function-reads-secrets",
    "S212",
    "error",
    "security",
    "API-callable SECURITY DEFINER function reads the Vault secret its caller names",
)
def exposed_function_reads_secrets(ctx: LintContext) -> Iterator[Hit]:
    """Vault keeps secrets (service keys, webhook tokens) where the API roles cannot read
    them; only ``postgres`` can select ``vault.decrypted_secrets``. A SECURITY DEFINER
    function runs as its owner, so one that reads the Vault and that ``anon`` or
    ``authenticated`` may execute, in an exposed schema, hands the secrets to whoever calls
    ``/rest/v1/rpc/<name>`` - with the anon key, which ships in the web app, that is
    anyone. Functions are executable by PUBLIC unless revoked, and Supabase's default
    privileges grant EXECUTE to both API roles, so ``create function`` alone is enough.
    Keep such functions out of the exposed schemas (a ``private`` schema) or revoke
    EXECUTE from ``public``, ``anon`` and ``authenticated``; callers that need them
    (``service_role``, triggers, cron jobs) keep working. Reported when a statement that
    uses the Vault also uses a parameter (``where name = secret_name``,
    ``vault.update_secret(secret_id, ...)``), so the caller picks the secret; a function
    that only uses a fixed secret (dbdev signs tokens with one) is reported as any other
    callable SECURITY DEFINER function by ``anon-security-definer-function`` /
    ``authenticated-security-definer-function``, which this rule replaces.

    Bad:
    ```sql
    create function public.read_secret(secret_name text) returns text
      language plpgsql stable security definer set search_path = ''
      as $$
    begin
      return (select decrypted_secret from vault.decrypted_secrets where name = secret_name);
    end $$;
    ```
    Good:
    ```sql
    create schema private;
    create function private.read_secret(secret_name text) returns text
      language plpgsql stable security definer set search_path = ''
      as $$
    begin
      return (select decrypted_secret from vault.decrypted_secrets where name = secret_name);
    end $$;
    revoke execute on function private.read_secret(text) from public, anon, authenticated;
    ```
    """
    schemas = exposed_schemas(ctx)
    for fn in ctx.catalog.functions:
        if not fn.security_definer or not is_rpc(fn, schemas):
            continue
        callers = api_callers(fn)
        secrets = caller_chosen_secrets(fn) if callers else []
        if not secrets:
            continue
        signature = function_sql(fn)
        yield Hit(
            object=f"function {fn.signature}",
            message=(
                f"SECURITY DEFINER function {fn.signature} uses {', '.join(secrets)} as "
                f"{fn.owner or 'its owner'} for a secret its arguments name, and "
                f"{' and '.join(callers)} may execute it: {roles_text(callers)} can reach "
                f"any secret of the Vault through /rest/v1/rpc/{fn.name}."
            ),
            **located_at(ctx.catalog, fn.origin_key),
            fix=(
                f"-- revoke execute on function {signature} from public, anon, authenticated;\n"
                f"-- and move it out of the exposed schemas: "
                f"alter function {signature} set schema private;"
            ),
            detail=fn.identity_args,
            data={"roles": callers, "reads": secrets},
        )
