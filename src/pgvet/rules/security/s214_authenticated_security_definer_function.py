"""S214 authenticated-security-definer-function: SECURITY DEFINER function callable by
every signed-in user through the API."""

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
    "authenticated-security-definer-function",
    "S214",
    "info",
    "security",
    "SECURITY DEFINER function that any signed-in user can call through the API",
)
def authenticated_security_definer_function(ctx: LintContext) -> Iterator[Hit]:
    """A SECURITY DEFINER function that ``anon`` may not execute but ``authenticated``
    may: any signed-in user (sign-up is usually open) can call ``/rest/v1/rpc/<name>``
    with arguments of their choosing, and the function runs as its owner, without
    row-level security. That is often the point (a controlled write, a counter), so this
    is a reminder to check the function's own checks: it must verify ``auth.uid()``
    against the rows it touches. Functions anon may call are reported by
    ``anon-security-definer-function``, functions that read the Vault by
    ``exposed-function-reads-secrets``, functions that run SQL their caller writes by
    ``exposed-function-runs-caller-sql``.

    Bad:
    ```sql
    create table public.orders (id bigint primary key, owner uuid, total numeric);
    create function public.refund(order_id bigint) returns void
      language sql volatile security definer set search_path = ''
      as $$ update public.orders set total = 0 where id = order_id $$;
    revoke execute on function public.refund(bigint) from public, anon;
    grant execute on function public.refund(bigint) to authenticated;
    ```
    Good:
    ```sql
    create table public.orders (id bigint primary key, owner uuid, total numeric);
    create function public.refund(order_id bigint) returns void
      language sql volatile security definer set search_path = ''
      as $$ update public.orders set total = 0 where id = order_id $$;
    revoke execute on function public.refund(bigint) from public, anon, authenticated;
    grant execute on function public.refund(bigint) to service_role;
    ```
    """
    schemas = exposed_schemas(ctx)
    for fn in ctx.catalog.functions:
        if not fn.security_definer or not is_rpc(fn, schemas):
            continue
        if api_callers(fn) != ["authenticated"] or caller_chosen_secrets(fn):
            continue
        if runs_caller_sql(fn):
            continue
        signature = function_sql(fn)
        yield Hit(
            object=f"function {fn.signature}",
            message=(
                f"SECURITY DEFINER function {fn.signature} runs as {fn.owner or 'its owner'} "
                f"without row-level security and authenticated may execute it: any "
                f"signed-in user can call /rest/v1/rpc/{fn.name} with any arguments. Check "
                "that it verifies auth.uid() against what it reads or changes."
            ),
            **located_at(ctx.catalog, fn.origin_key),
            fix=(
                f"-- if only the server calls it:\n"
                f"-- revoke execute on function {signature} from authenticated;\n"
                f"-- grant execute on function {signature} to service_role;"
            ),
            detail=fn.identity_args,
            data={"roles": ["authenticated"]},
        )
