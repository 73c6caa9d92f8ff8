"""S213 anon-security-definer-function: SECURITY DEFINER function callable by anon through
the API."""

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
    runs_caller_sql,
)


@rule(
    "anon-security-definer-function",
    "S213",
    "warn",
    "security",
    "SECURITY DEFINER function that anyone can call through the API",
)
def anon_security_definer_function(ctx: LintContext) -> Iterator[Hit]:
    """A SECURITY DEFINER function runs as its owner (``postgres``), so it skips the
    row-level security of every table it touches. PostgREST serves every function of an
    exposed schema as ``/rest/v1/rpc/<name>``, and functions are executable by PUBLIC
    unless revoked (Supabase's default privileges also grant EXECUTE to ``anon``): anyone
    with the anon key can call it with arguments of their choosing. Helpers written for
    policies (``is_member_of(org_id)``) then answer questions about any user to anyone.
    Revoke EXECUTE from ``public`` and ``anon`` (and grant it to ``authenticated`` if
    signed-in users need it), or move the function to a schema the API does not expose.
    Trigger functions, procedures and extensions' functions are not reported (PostgREST
    cannot call them); functions that read the Vault secret their caller names are
    reported by ``exposed-function-reads-secrets`` and functions that run SQL their caller
    writes by ``exposed-function-runs-caller-sql`` instead.

    Bad:
    ```sql
    create table public.members (user_id uuid, org_id bigint);
    create function public.is_member(org bigint, who uuid) returns boolean
      language sql stable security definer set search_path = ''
      as $$ select exists (select 1 from public.members where org_id = org and user_id = who) $$;
    ```
    Good:
    ```sql
    create table public.members (user_id uuid, org_id bigint);
    create function public.is_member(org bigint, who uuid) returns boolean
      language sql stable security definer set search_path = ''
      as $$ select exists (select 1 from public.members where org_id = org and user_id = who) $$;
    revoke execute on function public.is_member(bigint, uuid) from public, anon;
    grant execute on function public.is_member(bigint, uuid) to authenticated;
    ```
    """
    schemas = exposed_schemas(ctx)
    for fn in ctx.catalog.functions:
        if not fn.security_definer or not is_rpc(fn, schemas):
            continue
        callers = api_callers(fn)
        if "anon" not in callers or caller_chosen_secrets(fn) or runs_caller_sql(fn):
            continue
        signature = function_sql(fn)
        via = "PUBLIC" if "public" in fn.executable_by else "a grant to anon"
        yield Hit(
            object=f"function {fn.signature}",
            message=(
                f"SECURITY DEFINER function {fn.signature} runs as {fn.owner or 'its owner'} "
                f"without row-level security and anon may execute it ({via}): anyone with "
                f"the anon key can call /rest/v1/rpc/{fn.name} with any arguments."
            ),
            **located_at(ctx.catalog, fn.origin_key),
            fix=(
                f"-- if only signed-in users call it:\n"
                f"-- revoke execute on function {signature} from public, anon;\n"
                f"-- grant execute on function {signature} to authenticated;\n"
                f"-- if only policies, triggers or the server call it, move it to a schema "
                f"the API does not expose"
            ),
            detail=fn.identity_args,
            data={"roles": callers},
        )
