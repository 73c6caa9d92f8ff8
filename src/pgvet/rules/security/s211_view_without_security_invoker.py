"""S211 view-without-security-invoker: Exposed view bypasses the RLS of the tables it reads."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.policy_graph import PolicyGraph, name_parts, parse_statements
from pgvet.analysis.sql.quote import qualified
from pgvet.catalog.model import (
    View,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import (
    api_grants,
    exposed_schemas,
    graph_of,
    located_at,
    roles_text,
)


def count_only(view: View) -> bool:
    """A view returning one row of ``count(...)`` values (no GROUP BY): it reveals how
    many rows exist, not what they hold (atomic-crm's ``init_state`` tells the login page
    whether the CRM was set up)."""
    stmts = parse_statements(view.definition)
    if not stmts or len(stmts) != 1:
        return False
    select = stmts[0].get("SelectStmt", {})
    if select.get("op", "SETOP_NONE") != "SETOP_NONE" or select.get("groupClause"):
        return False
    targets = select.get("targetList", [])
    for target in targets:
        call = target.get("ResTarget", {}).get("val", {}).get("FuncCall")
        if call is None or name_parts(call.get("funcname", []))[-1:] != ("count",):
            return False
    return bool(targets)


def _bypassed_tables(graph: PolicyGraph, view: View) -> list[str]:
    """RLS-enabled tables the view reads with its owner's rights that skip their policies."""
    reads = graph.reads_of_view(view)
    out = []
    for read in reads:
        if read.runtime:
            continue
        table = graph.catalog.find_table(*read.relation)
        if table is None or not table.rls_enabled:
            continue
        role = read.role or view.owner
        if not graph.rls_applies(read.relation, role):
            out.append(qualified(*read.relation))
    return sorted(set(out))


@rule(
    "view-without-security-invoker",
    "S211",
    "error",
    "security",
    "Exposed view bypasses the RLS of the tables it reads",
    fixable=True,
)
def view_without_security_invoker(ctx: LintContext) -> Iterator[Hit]:
    """A view runs with its owner's rights unless it has ``security_invoker = true``
    (PostgreSQL 15+). Owned by ``postgres`` - as every view created in a migration is - it
    reads its tables without their row-level security, so an API role that may select from
    the view sees every row of tables whose policies would have hidden them. Reported for
    views in exposed schemas that ``anon`` or ``authenticated`` may read and that read a
    table with RLS enabled which the owner bypasses; views over tables without RLS, views
    the API roles cannot read, and views that only return ``count(...)`` values (they tell
    how many rows exist, not what is in them) are left alone.

    Bad:
    ```sql
    create table public.accounts (id uuid primary key, email text, balance numeric);
    alter table public.accounts enable row level security;
    create view public.account_balances as select id, balance from public.accounts;
    ```
    Good:
    ```sql
    create table public.accounts (id uuid primary key, email text, balance numeric);
    alter table public.accounts enable row level security;
    create view public.account_balances with (security_invoker = true) as
      select id, balance from public.accounts;
    ```
    """
    catalog = ctx.catalog
    if catalog.server_version and catalog.server_version < 150000:
        return
    schemas = exposed_schemas(ctx)
    graph = graph_of(catalog)
    for view in catalog.views:
        if view.materialized or view.security_invoker or view.extension is not None:
            continue
        if view.schema not in schemas:
            continue
        grants = {
            role: privs
            for role, privs in api_grants(catalog, view.schema, view.name).items()
            if "SELECT" in privs
        }
        if not grants:
            continue
        tables = _bypassed_tables(graph, view)
        if not tables or count_only(view):
            continue
        label = qualified(view.schema, view.name)
        yield Hit(
            object=f"view {label}",
            message=(
                f"view {label} runs as its owner {view.owner} and reads {', '.join(tables)} "
                f"without their row-level security; {' and '.join(sorted(grants))} can "
                f"select from it, so {roles_text(grants)} sees every row those policies would "
                "hide. Make it security_invoker (PostgreSQL 15+) so the caller's policies "
                "apply."
            ),
            **located_at(ctx.catalog, view.origin_key),
            fix=(
                f"alter view {label} set (security_invoker = true);\n"
                f"-- the API roles then need SELECT on {', '.join(tables)} and their "
                "policies decide which rows they see"
            ),
            data={"tables": tables},
        )
