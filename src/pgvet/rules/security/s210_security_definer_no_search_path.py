"""S210 security-definer-no-search-path: SECURITY DEFINER function without a fixed search_path."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgvet.analysis.policy_graph import (
    function_references,
)
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import (
    Catalog,
    Function,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import located_at


def _unqualified_names(fn: Function, catalog: Catalog) -> list[str]:
    """Names in the body that only resolve through search_path: project relations,
    functions (extension ones too) and enum types referenced without a schema."""
    refs = function_references(fn)
    path = ("public", "extensions")
    names = []
    for rel in refs.relations:
        if rel.schema is None and any(catalog.find_table(s, rel.name) for s in path):
            names.append(rel.name)
    for call in refs.calls:
        if call.schema is None and any(catalog.functions_named(s, call.name) for s in path):
            names.append(f"{call.name}()")
    for enum in catalog.enums:
        if enum.schema in path and re.search(
            rf"::\s*{re.escape(enum.name)}\b|\s{re.escape(enum.name)}\s*;", fn.body
        ):
            names.append(enum.name)
    return sorted(set(names))


@rule(
    "security-definer-no-search-path",
    "S210",
    "warn",
    "security",
    "SECURITY DEFINER function without a fixed search_path",
    fixable=True,
)
def security_definer_no_search_path(ctx: LintContext) -> Iterator[Hit]:
    """A SECURITY DEFINER function runs with its owner's rights (usually postgres) but
    resolves unqualified names with the *caller's* search_path: whoever can put an object
    earlier on that path (a temporary table in ``pg_temp``, a function in a schema they
    own) runs it as the owner. Pin the path with ``set search_path = ''`` and qualify names
    (``public.users``, ``auth.uid()``). Any pinned value counts as fixed here (a caller
    cannot change it); functions of Supabase's own schemas and of extensions are skipped.
    The fix pins ``''`` when every name in the body is qualified, otherwise
    ``public, pg_temp`` (temporary objects last) and lists the names to qualify.

    Bad:
    ```sql
    create table public.members (user_id uuid, org_id bigint);
    create function public.my_orgs() returns setof bigint
      language sql stable security definer
      as $$ select org_id from members where user_id = auth.uid() $$;
    ```
    Good:
    ```sql
    create table public.members (user_id uuid, org_id bigint);
    create function public.my_orgs() returns setof bigint
      language sql stable security definer set search_path = ''
      as $$ select org_id from public.members where user_id = auth.uid() $$;
    ```
    """
    catalog = ctx.catalog
    for fn in catalog.functions:
        if not fn.security_definer or fn.search_path is not None:
            continue
        if fn.is_internal_schema or fn.extension is not None:
            continue
        unqualified = _unqualified_names(fn, catalog)
        sql_signature = f"{qualified(fn.schema, fn.name)}({fn.identity_args})"
        callers = sorted(fn.executable_by & {"public", "anon", "authenticated"})
        reach = f"; executable by {', '.join(callers)}" if callers else ""
        if unqualified:
            fix = (
                f"alter function {sql_signature} set search_path = public, pg_temp;\n"
                f"-- better: qualify {', '.join(unqualified[:6])} in the body and use "
                "set search_path = ''"
            )
            qualify = f" Qualify {', '.join(unqualified[:6])} and pin search_path = ''."
        else:
            fix = f"alter function {sql_signature} set search_path = '';"
            qualify = " Every name in the body is qualified, so search_path = '' is safe."
        yield Hit(
            object=f"function {fn.signature}",
            message=(
                f"SECURITY DEFINER function {fn.signature} runs as {fn.owner or 'its owner'} "
                f"without a fixed search_path{reach}: unqualified names resolve through the "
                f"caller's search_path, so a caller who can create objects on it runs code "
                f"as {fn.owner or 'the owner'}.{qualify}"
            ),
            **located_at(ctx.catalog, fn.origin_key),
            fix=fix,
            detail=fn.identity_args,
            data={"unqualified": unqualified},
        )
