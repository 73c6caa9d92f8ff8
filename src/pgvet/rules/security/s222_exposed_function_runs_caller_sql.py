"""S222 exposed-function-runs-caller-sql: API-callable SECURITY DEFINER function runs SQL
its caller writes."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_callers,
    exposed_schemas,
    function_sql,
    is_rpc,
    located_at,
    roles_text,
    runs_caller_sql,
)


@rule(
    "exposed-function-runs-caller-sql",
    "S222",
    "error",
    "security",
    "API-callable SECURITY DEFINER function runs SQL its caller writes",
)
def exposed_function_runs_caller_sql(ctx: LintContext) -> Iterator[Hit]:
    """A PL/pgSQL function that builds the text of an ``EXECUTE`` from its arguments
    (``execute query_text``, ``execute format('... %s ...', q)``, ``'select ... ' ||
    name``) runs whatever SQL the caller sends. As SECURITY DEFINER it runs it as its
    owner, ``postgres``: without row-level security, with every privilege of the project
    owner. Executable by ``anon`` or ``authenticated`` in an exposed schema, it turns
    ``/rest/v1/rpc/<name>`` into a SQL console for anyone with the anon key (or any
    signed-in user) - read every table, drop them, create roles. Values passed with
    ``USING``, ``quote_literal`` / ``quote_ident`` or ``format``'s ``%L`` / ``%I`` are
    quoted and do not count. Server-side tools that need dynamic SQL should connect with
    the service role; if such a function must exist, revoke EXECUTE from ``public``,
    ``anon`` and ``authenticated`` and keep it out of the exposed schemas. Reported
    instead of ``anon-security-definer-function`` /
    ``authenticated-security-definer-function``.

    Bad:
    ```sql
    create function public.exec_sql(query_text text) returns jsonb
      language plpgsql security definer set search_path = ''
      as $$
    declare result jsonb;
    begin
      execute format('select jsonb_agg(t) from (%s) t', query_text) into result;
      return result;
    end $$;
    ```
    Good:
    ```sql
    create table public.items (id bigint primary key, label text);
    create function public.items_by_label(wanted text) returns jsonb
      language plpgsql security definer set search_path = ''
      as $$
    declare result jsonb;
    begin
      execute 'select jsonb_agg(t) from public.items t where label = $1' into result
        using wanted;
      return result;
    end $$;
    ```
    """
    schemas = exposed_schemas(ctx)
    for fn in ctx.catalog.functions:
        if not fn.security_definer or not is_rpc(fn, schemas):
            continue
        callers = api_callers(fn)
        statement = runs_caller_sql(fn) if callers else None
        if statement is None:
            continue
        signature = function_sql(fn)
        yield Hit(
            object=f"function {fn.signature}",
            message=(
                f"SECURITY DEFINER function {fn.signature} runs SQL built from its arguments "
                f"({statement}) as {fn.owner or 'its owner'} and {' and '.join(callers)} "
                f"may execute it: {roles_text(callers)} can run any SQL as "
                f"{fn.owner or 'its owner'} through /rest/v1/rpc/{fn.name}."
            ),
            **located_at(ctx.catalog, fn.origin_key),
            fix=(
                f"-- revoke execute on function {signature} from public, anon, authenticated;\n"
                "-- and run dynamic SQL from the server with the service role instead"
            ),
            detail=fn.identity_args,
            data={"roles": callers, "statement": statement},
        )
