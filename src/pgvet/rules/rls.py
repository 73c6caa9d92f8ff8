"""RLS and security rules: exposure, policy gaps, recursion, per-row calls, trust.

What "exposed" means here: a relation in an exposed schema (``public`` and
``graphql_public`` unless ``[lint] exposed_schemas`` says otherwise) on which ``anon``,
``authenticated`` or PUBLIC hold a privilege. Supabase's default privileges grant
everything on new ``public`` tables to both API roles; a migration that revokes them makes
the table unreachable through the API, and then these rules stay quiet (splinter does not
look at grants and reports such tables anyway).

Policy expressions are read from the catalog (``pg_get_expr`` text, names qualified) and
parsed with pglast, never matched with regular expressions, so a call inside
``(select auth.uid())`` is told apart from one evaluated per row and fixes are built by
splicing the original expression text at the parser's locations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pgvet.analysis.memo import memo
from pgvet.analysis.policy_graph import (
    COMMANDS,
    EXPRESSION_PREFIX,
    Cycle,
    Node,
    PolicyGraph,
    build_policy_graph,
    find_cycles,
    function_references,
    name_parts,
    parse_expression,
    parse_statements,
    qualified,
    quote_ident,
    walk,
)
from pgvet.catalog.model import (
    Catalog,
    ColumnPrivilege,
    Function,
    ObjectKey,
    Origin,
    Policy,
    Table,
    View,
)
from pgvet.rules.registry import Hit, LintContext, rule

if TYPE_CHECKING:
    from pgvet.replay.project import Project


DEFAULT_EXPOSED_SCHEMAS: tuple[str, ...] = ("public", "graphql_public")
API_ROLES: tuple[str, ...] = ("anon", "authenticated")
WRITE_PRIVILEGES = ("INSERT", "UPDATE", "DELETE")
AUTH_CALLS = frozenset({("auth", "uid"), ("auth", "jwt"), ("auth", "role"), ("auth", "email")})
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "character varying", "char", "name"})
_SENSITIVE = re.compile(
    r"(^|_)(e?mail|phone|mobile|password|passwd|secret|token|api_?key|ssn|national_id|"
    r"id_card|passport|birth|dob|address|salary|iban|card|diagnosis|medical)(_|$)",
    re.I,
)


# --- shared helpers ------------------------------------------------------------------------


def exposed_schemas(ctx: LintContext) -> tuple[str, ...]:
    """Schemas PostgREST serves: ``[lint] exposed_schemas`` or public + graphql_public."""
    lint = ctx.config.raw.get("lint", {}) if isinstance(ctx.config.raw, dict) else {}
    value = lint.get("exposed_schemas") if isinstance(lint, dict) else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return DEFAULT_EXPOSED_SCHEMAS


def api_grants(catalog: Catalog, schema: str, name: str) -> dict[str, frozenset[str]]:
    """Privileges anon and authenticated hold on a relation (directly or via PUBLIC),
    only the roles that hold any."""
    out = {}
    for role in API_ROLES:
        privs = catalog.table_privileges(schema, name, role)
        if privs:
            out[role] = privs
    return out


def _who(roles: Iterable[str]) -> str:
    roles = set(roles)
    if {"anon", "public"} & roles:
        return "anyone with the anon key"
    return "any signed-in user"


def _priv_text(grants: dict[str, frozenset[str]]) -> str:
    privs = sorted(
        set().union(*grants.values()) & {"SELECT", *WRITE_PRIVILEGES},
        key=["SELECT", *WRITE_PRIVILEGES].index,
    )
    return ", ".join(privs)


def table_label(table: Table) -> str:
    return qualified(table.schema, table.name)


def policy_object(policy: Policy) -> str:
    return f"policy {quote_ident(policy.name)} on {qualified(policy.schema, policy.table)}"


def current_location(catalog: Catalog, key: ObjectKey) -> tuple[str | None, int | None]:
    """Where the object's current definition comes from: the last statement that
    re-created or altered it (``create or replace``, ``alter policy``, a policy dropped and
    created again), else the one that created it. For policies and functions that is the
    text whose expression the finding is about."""
    origin = catalog.origins.get(key) or _renamed_policy_origin(catalog, key)
    if origin is None:
        return None, None
    if origin.last_altered_file is not None:
        return origin.last_altered_file, origin.last_altered_line
    return origin.file, origin.line


def _renamed_policy_origin(catalog: Catalog, key: ObjectKey) -> Origin | None:
    """A policy created on a table that was renamed since (``alter table "contactNotes"
    rename to contact_notes``): origins know it under the old table name. Used when exactly
    one policy of that name sits on a table that no longer exists."""
    kind, schema, name = key
    if kind != "policy":
        return None
    policy_name = name.split(".", 1)[1] if "." in name else name
    orphans = memo(catalog, "orphan policy origins", lambda: _orphan_policy_origins(catalog))
    found = orphans.get((schema, policy_name), [])
    return found[0] if len(found) == 1 else None


def _orphan_policy_origins(catalog: Catalog) -> dict[tuple[str, str], list[Origin]]:
    """Policy origins under a table name that is not in the catalog, by ``(schema, policy
    name)`` for every way of reading ``"<table>.<policy>"`` (either may contain dots):
    one pass over the origins instead of one per policy asked about."""
    out: dict[tuple[str, str], list[Origin]] = {}
    for (kind, schema, name), origin in catalog.origins.items():
        if kind != "policy":
            continue
        for i, char in enumerate(name):
            if char == "." and catalog.find_table(schema, name[:i]) is None:
                out.setdefault((schema, name[i + 1 :]), []).append(origin)
    return out


def _at(catalog: Catalog, key: ObjectKey) -> dict[str, Any]:
    """``Hit`` location arguments pointing at the object's current definition."""
    file, line = current_location(catalog, key)
    return {"origin": key, "file": file, "line": line}


def _is_candidate_table(table: Table) -> bool:
    return table.kind in ("table", "partitioned") and table.extension is None


_DISABLE = re.compile(r"disable\s+row\s+level\s+security", re.I)


def _last_disable(ctx: LintContext, table: Table) -> tuple[str, int] | None:
    """File and line of the last migration statement that disabled RLS on ``table``."""
    project = ctx.project
    if project is None:
        return None
    return memo(project, "rls disables", lambda: _last_disables(project)).get(table.key)


def _last_disables(project: Project) -> dict[tuple[str, str | None], tuple[str, int]]:
    """File and line of the last statement disabling RLS, per table, in one pass."""
    found: dict[tuple[str, str | None], tuple[str, int]] = {}
    for stmt in project.statements:
        if not _DISABLE.search(stmt.text):
            continue
        for node in parse_statements(stmt.text) or []:
            body = node.get("AlterTableStmt")
            if not body:
                continue
            rel = body.get("relation", {})
            cmds = [c.get("AlterTableCmd", {}).get("subtype") for c in body.get("cmds", [])]
            if "AT_DisableRowSecurity" in cmds:
                found[(rel.get("schemaname", "public"), rel.get("relname"))] = (
                    stmt.file,
                    stmt.line,
                )
    return found


def graph_of(catalog: Catalog) -> PolicyGraph:
    """The policy graph, built once per catalog."""
    return memo(catalog, "policy graph", lambda: build_policy_graph(catalog))


def policy_graph(catalog: Catalog) -> tuple[PolicyGraph, list[Cycle]]:
    """The policy graph and its cycles, computed once per catalog (the cycles only when
    asked for)."""
    graph = graph_of(catalog)
    return graph, memo(catalog, "policy cycles", lambda: find_cycles(graph))


def _expressions(policy: Policy) -> list[tuple[str, str]]:
    """``[("using", text), ("with check", text)]`` for the clauses the policy has."""
    out = []
    if policy.using:
        out.append(("using", policy.using))
    if policy.with_check:
        out.append(("with check", policy.with_check))
    return out


def _span_end(text: bytes, start: int) -> int:
    """End (exclusive) of the function call starting at byte ``start``: past the ``)``
    that closes its argument list (quotes and nested parentheses respected)."""
    return _close_paren(text, text.index(b"(", start))


def splice(expr: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Replace byte spans ``(start, end, new_text)`` of ``expr`` (pglast locations are
    byte offsets into the UTF-8 text)."""
    data = expr.encode()
    for start, end, new in sorted(spans, reverse=True):
        data = data[:start] + new.encode() + data[end:]
    return data.decode()


def _alter_policy(policy: Policy, clauses: dict[str, str]) -> str:
    parts = [f"alter policy {quote_ident(policy.name)} on {qualified(policy.schema, policy.table)}"]
    for clause in ("using", "with check"):
        if clause in clauses:
            parts.append(f"  {clause} ({clauses[clause]})")
    return "\n".join(parts) + ";"


# --- S201..S203: exposure and RLS state ----------------------------------------------------


@rule(
    "rls-disabled-in-public",
    "S201",
    "error",
    "security",
    "Table exposed to the API with row-level security off",
    fixable=True,
)
def rls_disabled_in_public(ctx: LintContext) -> Iterator[Hit]:
    """A table in an exposed schema that ``anon`` or ``authenticated`` may read or write,
    with row-level security off, is open to everyone through the Data API: the anon key is
    public (it ships in the web app), so every row can be read and changed with ``curl``.
    Supabase grants all privileges on new ``public`` tables to both API roles by default.
    Tables whose grants were revoked are not reported (they are not reachable), and tables
    that have policies are reported by ``policy-exists-rls-disabled`` instead.

    Bad:
    ```sql
    create table public.patients (id bigint primary key, name text, diagnosis text);
    ```
    Good:
    ```sql
    create table public.patients (id bigint primary key, name text, diagnosis text);
    alter table public.patients enable row level security;
    create policy "Staff read patients" on public.patients
      for select to authenticated using (true);
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    for table in catalog.base_tables:
        if table.schema not in schemas or not _is_candidate_table(table) or table.rls_enabled:
            continue
        if catalog.policies_of(*table.key):
            continue
        grants = api_grants(catalog, *table.key)
        if not grants:
            continue
        label = table_label(table)
        where = _last_disable(ctx, table)
        disabled = " (disabled by a later migration)" if where else ""
        partition = ""
        if table.parent is not None:
            parent = qualified(*table.parent)
            partition = (
                f" It is a partition of {parent}: querying it directly skips the parent's policies."
            )
        yield Hit(
            object=label,
            message=(
                f"{label} has row-level security off{disabled} and "
                f"{' and '.join(sorted(grants))} hold {_priv_text(grants)} on it: "
                f"{_who(grants)} can use those on every row through the Data API.{partition}"
            ),
            origin=table.origin_key,
            file=where[0] if where else None,
            line=where[1] if where else None,
            fix=(
                f"alter table {label} enable row level security;\n"
                f"-- then add policies for what the API roles may do, or, if the API should "
                f"not see the table at all:\n"
                f"-- revoke all on {label} from anon, authenticated;"
            ),
            data={"roles": sorted(grants), "privileges": _priv_text(grants).split(", ")},
        )


@rule(
    "policy-exists-rls-disabled",
    "S202",
    "error",
    "security",
    "Policies exist but row-level security is off",
    fixable=True,
)
def policy_exists_rls_disabled(ctx: LintContext) -> Iterator[Hit]:
    """Policies do nothing until ``enable row level security`` is run on the table: the
    author clearly meant rows to be filtered, but every role with a grant sees and changes
    every row. The usual story is an emergency ``disable row level security`` that was
    never undone; the finding points at that statement when a migration did it.

    Bad:
    ```sql
    create table public.notes (id bigint primary key, owner uuid not null, body text);
    create policy "Owners read notes" on public.notes
      for select to authenticated using ((select auth.uid()) = owner);
    ```
    Good:
    ```sql
    create table public.notes (id bigint primary key, owner uuid not null, body text);
    alter table public.notes enable row level security;
    create policy "Owners read notes" on public.notes
      for select to authenticated using ((select auth.uid()) = owner);
    ```
    """
    catalog = ctx.catalog
    for table in catalog.base_tables:
        if table.rls_enabled or not _is_candidate_table(table):
            continue
        policies = catalog.policies_of(*table.key)
        if not policies:
            continue
        label = table_label(table)
        grants = api_grants(catalog, *table.key)
        where = _last_disable(ctx, table)
        exposure = (
            f" {' and '.join(sorted(grants))} hold {_priv_text(grants)}, so {_who(grants)} "
            "can use those on every row."
            if grants and table.schema in exposed_schemas(ctx)
            else ""
        )
        names = ", ".join(quote_ident(p.name) for p in policies[:3])
        more = f" and {len(policies) - 3} more" if len(policies) > 3 else ""
        yield Hit(
            object=label,
            message=(
                f"{label} has {len(policies)} polic{'y' if len(policies) == 1 else 'ies'} "
                f"({names}{more}) but row-level security is "
                f"{'disabled by a later migration' if where else 'off'}: "
                f"none of them is applied.{exposure}"
            ),
            origin=table.origin_key,
            file=where[0] if where else None,
            line=where[1] if where else None,
            fix=f"alter table {label} enable row level security;",
            data={"policies": [p.name for p in policies]},
        )


@rule(
    "rls-enabled-no-policy",
    "S203",
    "info",
    "security",
    "RLS is on but no policy: the API roles see nothing",
    fixable=True,
)
def rls_enabled_no_policy(ctx: LintContext) -> Iterator[Hit]:
    """With row-level security on and no policy, every query by ``anon`` or
    ``authenticated`` returns no rows and every write is refused (deny-all). That is the
    right state for a table only the server (``service_role``) touches, but then the grants
    to the API roles are misleading; if the app is meant to read it, a policy is missing.
    Reported only when the API roles hold privileges on the table (partitions, which are
    read through their parent, are skipped).

    Bad:
    ```sql
    create table public.invoices (id bigint primary key, total numeric);
    alter table public.invoices enable row level security;
    ```
    Good:
    ```sql
    create table public.invoices (id bigint primary key, total numeric);
    alter table public.invoices enable row level security;
    revoke all on public.invoices from anon, authenticated;
    ```
    """
    catalog = ctx.catalog
    schemas = exposed_schemas(ctx)
    for table in catalog.base_tables:
        if table.schema not in schemas or not _is_candidate_table(table):
            continue
        if not table.rls_enabled or table.parent is not None or catalog.policies_of(*table.key):
            continue
        grants = api_grants(catalog, *table.key)
        if not grants:
            continue
        label = table_label(table)
        yield Hit(
            object=label,
            message=(
                f"{label} has row-level security on and no policy, so "
                f"{' and '.join(sorted(grants))} see no rows and cannot write (deny-all), "
                f"although they hold {_priv_text(grants)}. Fine if only the server "
                "(service_role) uses it: then revoke the grants to say so; otherwise add "
                "the policies the app needs."
            ),
            origin=table.origin_key,
            fix=f"revoke all on {label} from anon, authenticated;  -- if server-only",
        )


# --- S204: recursion -----------------------------------------------------------------------


def _cycle_message(cycle: Cycle) -> str:
    table = qualified(*cycle.table)
    roles = ", ".join(cycle.roles) or "the API roles"
    commands = "/".join(cycle.commands) or "queries"
    if cycle.sqlstate == "42P17":
        why = f"{commands} on {table} as {roles} fail with 42P17 ({cycle.error}): {cycle.path}."
        if cycle.reentry_policies:
            names = ", ".join(quote_ident(n) for n in cycle.reentry_policies)
            why += (
                f" The policy reads {qualified(*cycle.table)} in a sub-select and the "
                f"SELECT polic{'y' if len(cycle.reentry_policies) == 1 else 'ies'} {names} "
                "there contain a sub-select too, so PostgreSQL stops."
            )
        else:
            why += " The policy re-applies itself inside its own sub-select."
    else:
        funcs = ", ".join(s.label.removeprefix("function ") for s in cycle.functions)
        why = (
            f"{commands} on {table} as {roles} recurse until 54001 ({cycle.error}) as soon "
            f"as a row is checked: {cycle.path}. {funcs} reads the table with RLS applied, "
            "which calls the policy, which calls the function again."
        )
    return (
        why + " Read the table in a SECURITY DEFINER function owned by a role that bypasses "
        "RLS (e.g. postgres) and call that from the policy."
    )


def correlation(select: Node, catalog: Catalog) -> bool | None:
    """Whether a sub-select refers to the row outside it: True (a column that none of its
    FROM items has), False (every column resolves inside), None (cannot tell: a FROM item
    whose columns are unknown, such as a function or a CTE)."""
    aliases: set[str] = set()
    columns: set[str] = set()
    unknown = False
    for kind, node, _ in walk(select):
        if kind == "RangeVar":
            aliases.add(node.get("alias", {}).get("aliasname") or node.get("relname", ""))
            table = catalog.find_table(node.get("schemaname", "public"), node.get("relname", ""))
            if table is None:
                unknown = True
            else:
                columns |= set(table.column_names)
        elif kind in ("RangeSubselect", "RangeFunction", "RangeTableFunc"):
            alias = node.get("alias", {}).get("aliasname")
            if alias:
                aliases.add(alias)
            unknown = True
    result: bool | None = False
    for kind, node, _ in walk(select):
        if kind != "ColumnRef":
            continue
        fields = [f["String"]["sval"] for f in node.get("fields", []) if "String" in f]
        if len(fields) >= 2:
            if fields[-2] not in aliases:
                return True
        elif len(fields) == 1 and fields[0] not in columns:
            if not unknown:
                return True
            result = None
    return result


def _recursion_fix(cycle: Cycle, catalog: Catalog) -> str | None:
    """For a policy whose EXISTS / IN / scalar sub-select reads the next table of the cycle
    and refers only to its own FROM items: move that sub-select into a SECURITY DEFINER
    function and call it wrapped in ``(select ...)``."""
    first = cycle.policy
    policy = next(
        (p for p in catalog.policies_of(first.schema, first.table or "") if p.name == first.name),
        None,
    )
    if policy is None:
        return None
    index = cycle.steps.index(first)
    if index + 1 >= len(cycle.steps) or cycle.steps[index + 1].kind != "table":
        return None  # through a view or function: no mechanical rewrite
    target = (cycle.steps[index + 1].schema, cycle.steps[index + 1].name)
    fname = re.sub(r"[^a-z0-9]+", "_", f"{policy.table}_{policy.name}".lower()).strip("_")
    fname = (fname[:50] + "_check").strip("_")
    while catalog.functions_named(policy.schema, fname):  # never replace an existing one
        fname = fname[:60] + "_"
    fsig = f"{qualified(policy.schema, fname)}()"
    clauses = {}
    function_sql = None
    for clause, expr in _expressions(policy):
        node = parse_expression(expr)
        if node is None:
            return None
        for kind, sub, _parents in walk(node):
            if kind != "SubLink" or "subselect" not in sub:
                continue
            select = sub["subselect"].get("SelectStmt", {})
            reads = {
                (n.get("schemaname", "public"), n.get("relname"))
                for k, n, _ in walk(select)
                if k == "RangeVar"
            }
            if target not in reads or correlation(select, catalog) is not False:
                continue
            link = sub.get("subLinkType")
            call = f"(select {fsig})"
            inner, rewritten = _replace_sublink(expr, sub, call)
            if link == "EXISTS_SUBLINK":
                returns, body = "boolean", f"select exists ({inner})"
            elif link in ("ANY_SUBLINK", "EXPR_SUBLINK"):
                coltype = _output_type(select, catalog)
                if coltype is None:
                    return None
                returns = f"setof {coltype}" if link == "ANY_SUBLINK" else coltype
                body = inner
            else:
                return None
            function_sql = (
                f"create or replace function {fsig}\n"
                f"returns {returns} language sql stable security definer set search_path = ''\n"
                f"as $$ {body} $$;"
            )
            clauses[clause] = rewritten
            break
    if function_sql is None or not clauses:
        return None
    grantees = [r for r in policy.roles if r != "public"]
    grant = f"grant execute on function {fsig} to {', '.join(grantees)};\n" if grantees else ""
    return f"{function_sql}\n{grant}{_alter_policy(policy, clauses)}"


def _sublink_bounds(expr: str, sublink: Node) -> tuple[bytes, int, int, int]:
    """``(data, start, open, close)`` in ``SELECT <expr>`` bytes: where the sub-link starts
    (``EXISTS`` / ``IN`` / ``(``), its sub-select's opening parenthesis, and just past the
    closing one."""
    data = (EXPRESSION_PREFIX + expr).encode()
    start = int(sublink.get("location", 0))
    open_at = data.index(b"(", start)
    return data, start, open_at, _close_paren(data, open_at)


def _close_paren(data: bytes, open_at: int) -> int:
    """Just past the parenthesis closing the one at ``open_at`` (quotes respected)."""
    depth = 0
    i = open_at
    quote: bytes | None = None
    while i < len(data):
        ch = data[i : i + 1]
        if quote:
            if ch == quote:
                quote = None
        elif ch in (b"'", b'"'):
            quote = ch
        elif ch == b"(":
            depth += 1
        elif ch == b")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(data)


def _replace_sublink(expr: str, sublink: Node, call: str) -> tuple[str, str]:
    """``(sub-select text, expr with the sub-link replaced by call)``."""
    data, start, open_at, close = _sublink_bounds(expr, sublink)
    inner = data[open_at + 1 : close - 1].decode().strip()
    cut = start if sublink.get("subLinkType") == "EXISTS_SUBLINK" else open_at
    new = data[:cut] + call.encode() + data[close:]
    return inner, new.decode()[len(EXPRESSION_PREFIX) :]


def _output_type(select: Node, catalog: Catalog) -> str | None:
    targets = select.get("targetList", [])
    if len(targets) != 1:
        return None
    val = targets[0].get("ResTarget", {}).get("val", {})
    ref = val.get("ColumnRef")
    if ref is None:
        return None
    fields = [f["String"]["sval"] for f in ref.get("fields", []) if "String" in f]
    for _, node, _ in walk(select.get("fromClause", [])):
        table = catalog.find_table(node.get("schemaname", "public"), node.get("relname", ""))
        if table is None:
            continue
        alias = node.get("alias", {}).get("aliasname") or node.get("relname")
        if len(fields) == 2 and fields[0] != alias:
            continue
        column = table.column(fields[-1])
        if column is not None:
            return column.type
    return None


@rule(
    "policy-recursion",
    "S204",
    "error",
    "correctness",
    "Policy reads its own table back: queries fail (42P17 / 54001)",
    fixable=True,
)
def policy_recursion(ctx: LintContext) -> Iterator[Hit]:
    """A policy that reads the table it protects - directly in a sub-select, through
    another table whose policy reads back, through a ``security_invoker`` view, or through
    a function that is not SECURITY DEFINER - makes PostgreSQL apply the policy inside
    itself. The rewriter stops with 42P17 "infinite recursion detected in policy"; through a
    function it recurses at run time until "stack depth limit exceeded". Either way every
    query on the table fails for the affected roles, usually discovered in production. The
    analysis follows what PostgreSQL does: the roles each policy applies to, the commands
    (``ALL`` counts for each, sub-selects read with SELECT policies), SECURITY DEFINER
    functions and views owned by a role that bypasses RLS end the path (the standard fix).

    Bad:
    ```sql
    create table public.profiles (id uuid primary key, is_admin boolean not null default false);
    alter table public.profiles enable row level security;
    create policy "Admins read all profiles" on public.profiles
      for select to authenticated using (
        exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_admin)
      );
    ```
    Good:
    ```sql
    create table public.profiles (id uuid primary key, is_admin boolean not null default false);
    alter table public.profiles enable row level security;
    create function public.is_admin() returns boolean
      language sql stable security definer set search_path = ''
      as $$ select exists (select 1 from public.profiles p
                           where p.id = (select auth.uid()) and p.is_admin) $$;
    create policy "Admins read all profiles" on public.profiles
      for select to authenticated using ((select public.is_admin()));
    ```
    """
    _graph, cycles = policy_graph(ctx.catalog)
    for cycle in cycles:
        first = cycle.policy
        table = qualified(first.schema, first.table or "")
        yield Hit(
            object=f"policy {quote_ident(first.name)} on {table}",
            message=_cycle_message(cycle),
            **_at(ctx.catalog, first.origin_key),
            fix=_recursion_fix(cycle, ctx.catalog),
            detail=cycle.path,
            data=cycle.to_dict(),
        )


# --- S205: auth functions evaluated per row ---------------------------------------------


@dataclass(frozen=True)
class PerRowCall:
    """A call to ``auth.uid()`` & co. that PostgreSQL evaluates for every row."""

    clause: str
    text: str
    start: int  # byte offsets into the clause's expression text
    end: int


def _call_name(node: Node) -> tuple[str | None, str]:
    parts = name_parts(node.get("funcname", []))
    return (parts[-2] if len(parts) >= 2 else None, parts[-1] if parts else "")


def _is_auth_call(node: Node) -> bool:
    schema, name = _call_name(node)
    if (schema, name) in AUTH_CALLS:
        return True
    return name == "current_setting" and schema in (None, "pg_catalog")


def _per_outer_row(parents: tuple[tuple[str, Node], ...], catalog: Catalog) -> bool:
    """Whether a call is evaluated for every row the policy checks.

    * Inside an uncorrelated sub-select without FROM - ``(select auth.uid())`` - it runs
      once per statement (an InitPlan, cached even inside other sub-plans).
    * Otherwise it is per row when it is outside any sub-select, or when any sub-select
      around it is correlated with the row outside: that sub-plan re-runs per row, and
      uncorrelated ``IN (...)`` inside it are flattened into it (measured on PG 15).
    * Inside uncorrelated sub-selects only (``x in (select ... where user_id =
      auth.uid())``) it runs once per statement, as a hashed SubPlan.
    """
    selects = [node for kind, node in parents if kind == "SelectStmt"]
    for node in reversed(selects):
        if not node.get("fromClause") and correlation(node, catalog) is False:
            return False
    if not selects:
        return True
    return any(correlation(node, catalog) is True for node in selects)


def per_row_calls(
    policy: Policy, catalog: Catalog, by_text: dict[str, list[tuple[str, int, int]]] | None = None
) -> list[PerRowCall]:
    """Calls of auth.uid() / auth.jwt() / auth.role() / auth.email() / current_setting()
    in a policy that are evaluated per row (see :func:`_per_outer_row`). They depend on the
    expression text and the catalog only: ``by_text`` (expression → calls) lets a caller
    that checks every policy of one catalog analyse each distinct expression once."""
    out = []
    for clause, expr in _expressions(policy):
        spans = by_text.get(expr) if by_text is not None else None
        if spans is None:
            spans = _per_row_spans(expr, catalog)
            if by_text is not None:
                by_text[expr] = spans
        out += [PerRowCall(clause, text, start, end) for text, start, end in spans]
    return out


def _per_row_spans(expr: str, catalog: Catalog) -> list[tuple[str, int, int]]:
    """``(call text, start, end)`` of the per-row auth calls in one expression."""
    node = parse_expression(expr)
    if node is None:
        return []
    out = []
    prefix = len(EXPRESSION_PREFIX.encode())
    data = (EXPRESSION_PREFIX + expr).encode()
    for kind, call, parents in walk(node):
        if kind != "FuncCall" or not _is_auth_call(call):
            continue
        if not _per_outer_row(parents, catalog):
            continue
        if any(k == "FuncCall" and _is_auth_call(n) for k, n in parents):
            continue  # the outer call is reported and wrapped
        start = int(call.get("location", -1))
        if start < prefix:
            continue
        end = _span_end(data, start)
        out.append((data[start:end].decode(), start - prefix, end - prefix))
    return out


def wrap_per_row_calls(policy: Policy, calls: list[PerRowCall]) -> dict[str, str]:
    """The policy's clauses with each per-row call wrapped as ``(select call)``."""
    out = {}
    for clause, expr in _expressions(policy):
        spans = [(c.start, c.end, f"(select {c.text})") for c in calls if c.clause == clause]
        if spans:
            out[clause] = splice(expr, spans)
    return out


def _recursion_after_wrapping(catalog: Catalog, policies: list[Policy]) -> dict[ObjectKey, Cycle]:
    """Cycles that would appear if these policies gained a sub-select: wrapping a call in
    ``(select ...)`` adds one, and PostgreSQL's recursion check looks for any sub-select."""
    graph, cycles = policy_graph(catalog)
    wrapped = [p for p in policies if not graph.policy_has_sublink(p)]
    if not wrapped:
        return {}
    before = {(c.sqlstate, c.path) for c in cycles}
    what_if = graph.assuming_sublink(p.origin_key for p in wrapped)
    out: dict[ObjectKey, Cycle] = {}
    for cycle in find_cycles(what_if):
        if (cycle.sqlstate, cycle.path) in before:
            continue
        for p in wrapped:
            if p.name in cycle.reentry_policies and (p.schema, p.table) == cycle.table:
                out.setdefault(p.origin_key, cycle)
    return out


@rule(
    "auth-function-per-row",
    "S205",
    "warn",
    "performance",
    "auth.uid() / auth.jwt() / current_setting() evaluated for every row",
    fixable=True,
)
def auth_function_per_row(ctx: LintContext) -> Iterator[Hit]:
    """``auth.uid()``, ``auth.jwt()``, ``auth.role()``, ``auth.email()`` and
    ``current_setting()`` are STABLE functions: called directly in a policy, PostgreSQL runs
    them once per row scanned (each parses the JWT claims from a setting). Wrapped in a
    scalar sub-select, ``(select auth.uid())``, the planner runs them once per statement
    (an InitPlan) and can use an index on the compared column; Supabase measured 100x+ on
    large tables. Calls inside an EXISTS sub-select's WHERE are per row of that sub-select.
    The fix rewrites the policy with the calls wrapped and warns when the new sub-select
    would make PostgreSQL's recursion check fire (it triggers on any sub-select).

    Bad:
    ```sql
    create table public.todos (id bigint primary key, user_id uuid not null, task text);
    alter table public.todos enable row level security;
    create policy "Own todos" on public.todos
      for select to authenticated using (auth.uid() = user_id);
    ```
    Good:
    ```sql
    create table public.todos (id bigint primary key, user_id uuid not null, task text);
    alter table public.todos enable row level security;
    create policy "Own todos" on public.todos
      for select to authenticated using ((select auth.uid()) = user_id);
    ```
    """
    catalog = ctx.catalog
    by_text: dict[str, list[tuple[str, int, int]]] = {}  # many tables share a policy text
    found = [(p, per_row_calls(p, catalog, by_text)) for p in catalog.policies]
    found = [(p, calls) for p, calls in found if calls]
    risky = _recursion_after_wrapping(catalog, [p for p, _ in found])
    for policy, calls in found:
        names = sorted({c.text for c in calls})
        rewritten = wrap_per_row_calls(policy, calls)
        fix = _alter_policy(policy, rewritten)
        message = (
            f"{policy_object(policy)} calls {', '.join(names)} for every row "
            f"({len(calls)} call{'s' if len(calls) > 1 else ''}); wrap "
            f"{'them' if len(calls) > 1 else 'it'} as (select ...) so PostgreSQL evaluates "
            "it once per statement."
        )
        cycle = risky.get(policy.origin_key)
        if cycle is not None:
            message += (
                f" Careful: with a sub-select in this policy, {cycle.path} would fail with "
                "42P17; move that read into a SECURITY DEFINER function first."
            )
            fix = f"-- first break: {cycle.path}\n{fix}"
        yield Hit(
            object=policy_object(policy),
            message=message,
            **_at(ctx.catalog, policy.origin_key),
            fix=fix,
            data={"calls": [c.text for c in calls]},
        )


# --- S206: several permissive policies ---------------------------------------------------


def _is_role_check(node: Node) -> bool:
    """``auth.role()``, ``auth.jwt() ->> 'role'``, ``current_setting('role')``, ``current_user``."""
    for kind, sub, _ in walk({"root": node}):
        if kind == "FuncCall" and _call_name(sub) in (("auth", "role"), ("auth", "jwt")):
            return True
        if kind == "FuncCall" and _call_name(sub)[1] == "current_setting":
            return True
        if kind == "SQLValueFunction" and "USER" in str(sub.get("op", "")):
            return True
    return False


def _uncast(node: Node) -> Node:
    """The expression under any ``::type`` casts."""
    while "TypeCast" in node:
        node = node["TypeCast"].get("arg", {})
    return node


def service_role_only(policy: Policy) -> bool:
    """A policy whose every clause is ``<role check> = 'service_role'``: a no-op, since
    service_role bypasses RLS, and never true for anon / authenticated."""
    clauses = _expressions(policy)
    if not clauses:
        return False
    for _, expr in clauses:
        if "service_role" not in expr:  # the constant is spelled out in the text
            return False
        node = parse_expression(expr)
        body = node.get("A_Expr") if node else None
        if not body or name_parts(body.get("name", [])) != ("=",):
            return False
        sides = [_uncast(body.get("lexpr", {})), _uncast(body.get("rexpr", {}))]
        consts = [s.get("A_Const", {}).get("sval", {}).get("sval") for s in sides]
        if "service_role" not in consts:
            return False
        other = sides[1 - consts.index("service_role")]
        if not _is_role_check(other):
            return False
    return True


def _policy_roles(catalog: Catalog) -> tuple[str, ...]:
    named = {r for p in catalog.policies for r in p.roles if r != "public"}
    out = []
    for name in sorted(set(API_ROLES) | named):
        role = catalog.role(name)
        if role is not None and (role.superuser or role.bypass_rls):
            continue
        out.append(name)
    return tuple(out)


@rule(
    "multiple-permissive-policies",
    "S206",
    "warn",
    "performance",
    "Several permissive policies for one role and command",
    fixable=False,
)
def multiple_permissive_policies(ctx: LintContext) -> Iterator[Hit]:
    """Permissive policies are OR-ed: for every row PostgreSQL evaluates each policy that
    applies to the querying role and command (a ``FOR ALL`` policy counts for each command,
    a policy ``TO public`` for every role), so two policies with sub-selects cost two
    sub-selects per row and the planner cannot use one index for both. One policy with the
    conditions OR-ed together is as strict and cheaper. Reported once per table and set of
    policies, with the roles and commands concerned (splinter reports each role and command
    separately). Policies that only test ``auth.role() = 'service_role'`` are left out: they
    are no-ops (service_role bypasses RLS) rather than alternatives to merge.

    Bad:
    ```sql
    create table public.docs (id bigint primary key, owner uuid not null, published boolean);
    alter table public.docs enable row level security;
    create policy "Owners read" on public.docs
      for select to authenticated using ((select auth.uid()) = owner);
    create policy "Published readable" on public.docs
      for select to authenticated using (published);
    ```
    Good:
    ```sql
    create table public.docs (id bigint primary key, owner uuid not null, published boolean);
    alter table public.docs enable row level security;
    create policy "Owners or published" on public.docs
      for select to authenticated using (published or (select auth.uid()) = owner);
    ```
    """
    catalog = ctx.catalog
    roles = _policy_roles(catalog)
    for table in catalog.base_tables:
        if not table.rls_enabled:
            continue
        permissive = [
            p for p in catalog.policies_of(*table.key) if p.permissive and not service_role_only(p)
        ]
        if len(permissive) < 2:
            continue
        groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for role in roles:
            for command in COMMANDS:
                names = tuple(
                    p.name
                    for p in permissive
                    if p.command in (command, "ALL") and p.applies_to(role)
                )
                if len(names) > 1:
                    groups.setdefault(names, []).append((role, command))
        for names, combos in groups.items():
            if any(set(names) < set(other) for other in groups):
                continue  # a larger set on the same table says it already
            group_roles = sorted({r for r, _ in combos})
            commands = [c for c in COMMANDS if any(cmd == c for _, cmd in combos)]
            first = next(p for p in permissive if p.name == names[0])
            label = table_label(table)
            yield Hit(
                object=label,
                message=(
                    f"{label} has {len(names)} permissive policies "
                    f"({', '.join(quote_ident(n) for n in names)}) that all apply to "
                    f"{', '.join(group_roles)} for {', '.join(commands)}: each is evaluated "
                    "for every row. Merge them into one policy with the conditions OR-ed."
                ),
                **_at(ctx.catalog, first.origin_key),
                detail=",".join(names),
                data={"policies": list(names), "roles": group_roles, "commands": commands},
            )


# --- S207: always-true policies --------------------------------------------------------


def _is_true(expr: str | None) -> bool:
    if expr is None or "true" not in expr.lower():  # either way the text says true
        return False
    node = parse_expression(expr)
    if node is None:
        return expr.strip().strip("()").strip().lower() == "true"
    const = node.get("A_Const", {})
    return bool(const.get("boolval", {}).get("boolval"))


def _non_bypass(catalog: Catalog, roles: Iterable[str]) -> list[str]:
    out = []
    for name in roles:
        role = catalog.role(name)
        if role is not None and (role.superuser or role.bypass_rls):
            continue
        out.append(name)
    return out


_OWNER_COLUMNS = frozenset(
    {
        "user_id",
        "owner_id",
        "owner",
        "created_by",
        "creator_id",
        "author_id",
        "profile_id",
        "sender_id",
        "uploaded_by",
    }
)
_PRIVILEGE = {
    "INSERT": ("INSERT",),
    "UPDATE": ("UPDATE",),
    "DELETE": ("DELETE",),
    "ALL": ("INSERT", "UPDATE", "DELETE"),
}


def _holds(
    catalog: Catalog, table: Table, roles: Iterable[str], privilege: str, column: str | None = None
) -> bool:
    """Whether one of ``roles`` may use ``privilege`` on the table (or, with ``column``,
    on that column). Only anon / authenticated / PUBLIC grants are read; other roles are
    assumed to hold it."""
    for role in roles:
        for r in API_ROLES if role == "public" else (role,):
            if r not in API_ROLES:
                return True
            if privilege in catalog.table_privileges(table.schema, table.name, r):
                return True
            for cp in _column_privileges(catalog).get(table.key, ()):
                if cp.role not in (r, "public"):
                    continue
                if privilege in cp.privileges and column in (None, cp.column):
                    return True
    return False


def _column_privileges(catalog: Catalog) -> dict[tuple[str, str], list[ColumnPrivilege]]:
    """Column grants by table, in catalog order (read for every role and privilege)."""

    def group() -> dict[tuple[str, str], list[ColumnPrivilege]]:
        out: dict[tuple[str, str], list[ColumnPrivilege]] = {}
        for cp in catalog.column_privileges:
            out.setdefault((cp.schema, cp.table), []).append(cp)
        return out

    return memo(catalog, "column privileges", group)


def owner_columns(ctx: LintContext, table: Table) -> list[str]:
    """Columns that say whose a row is: foreign keys to ``auth.users``, the usual owner
    names and the configured tenant columns."""
    names = set(_OWNER_COLUMNS) | set(ctx.config.tenant_columns)
    out = {c.name for c in table.columns if c.name in names}
    for fk in ctx.catalog.foreign_keys_of(*table.key):
        if (fk.ref_schema, fk.ref_table) == ("auth", "users"):
            out |= set(fk.columns)
    return sorted(out)


def _true_write_hit(
    ctx: LintContext, policy: Policy, table: Table, roles: list[str], clauses: list[str]
) -> Hit | None:
    """A write policy that is ``true``: USING (true) lets the role touch every row;
    WITH CHECK (true) alone matters when the role can write an owner / tenant column."""
    catalog = ctx.catalog
    label = table_label(table)
    privileges = [p for p in _PRIVILEGE[policy.command] if _holds(catalog, table, roles, p)]
    if not privileges:
        return None  # the roles cannot write the table at all
    if "using" in clauses and policy.command != "INSERT":
        verbs = {
            "UPDATE": "change every row",
            "DELETE": "delete every row",
            "ALL": "read, change and delete every row",
        }[policy.command]
        problem = f"{_who(roles)} can {verbs} of {label}"
    else:
        writable = [
            c
            for c in owner_columns(ctx, table)
            if any(_holds(catalog, table, roles, p, c) for p in ("INSERT", "UPDATE"))
        ]
        if not writable:
            return None  # any row, but no row can claim to be someone else's
        problem = (
            f"{_who(roles)} can write rows of {label} with any {', '.join(writable)} "
            "(on behalf of another user or tenant)"
        )
    shown = " and ".join(f"{c.upper()} (true)" for c in clauses)
    return Hit(
        object=policy_object(policy),
        message=(
            f"{policy_object(policy)} is {policy.command} {shown} for {', '.join(roles)}: "
            f"{problem}. Restrict it to the rows the user owns, e.g. "
            "(select auth.uid()) = user_id, unless every signed-in user is trusted staff "
            "(sign-ups closed)."
        ),
        **_at(catalog, policy.origin_key),
        data={"command": policy.command, "clauses": clauses},
    )


@rule(
    "permissive-true-policy",
    "S207",
    "error",
    "security",
    "Policy lets every row through for writes, or for anon on sensitive data",
    fixable=False,
)
def permissive_true_policy(ctx: LintContext) -> Iterator[Hit]:
    """``using (true)`` / ``with check (true)`` on a permissive policy means "any row":
    for INSERT, UPDATE, DELETE or ALL that is every API user writing, changing or deleting
    everyone's rows (and, for INSERT, choosing any owner column value). Reported:

    * UPDATE / DELETE / ALL policies with ``using (true)`` for a role that holds the
      privilege (and does not bypass RLS anyway): every row can be changed or deleted;
    * INSERT / UPDATE / ALL policies with ``with check (true)`` when the role can write a
      column that says whose the row is (a foreign key to ``auth.users``, ``user_id``,
      ``owner_id``, ``created_by``..., the configured tenant columns): rows can be created
      on behalf of someone else. Without such a column (dbdev's "anyone may create an
      organization") a true check is a deliberate choice and is not reported;
    * SELECT ``using (true)`` applying to ``anon`` (or PUBLIC) when the table has columns
      that look personal (email, phone, birth date, address, token...).

    A read-only ``using (true)`` for a catalog-like table (services, price lists) is a
    normal choice and is not reported; neither are restrictive policies.

    Bad:
    ```sql
    create table public.orders (id bigint primary key, user_id uuid not null, total numeric);
    alter table public.orders enable row level security;
    create policy "Anyone can update orders" on public.orders
      for update to authenticated using (true);
    ```
    Good:
    ```sql
    create table public.orders (id bigint primary key, user_id uuid not null, total numeric);
    alter table public.orders enable row level security;
    create policy "Owners update orders" on public.orders
      for update to authenticated
      using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
    ```
    """
    catalog = ctx.catalog
    for policy in catalog.policies:
        if not policy.permissive:
            continue
        table = catalog.find_table(policy.schema, policy.table)
        if table is None or not table.rls_enabled:
            continue
        roles = _non_bypass(catalog, policy.roles)
        if not roles:
            continue
        true_clauses = [c for c, e in _expressions(policy) if _is_true(e)]
        if not true_clauses:
            continue
        label = qualified(policy.schema, policy.table)
        if policy.command != "SELECT":
            hit = _true_write_hit(ctx, policy, table, roles, true_clauses)
            if hit is not None:
                yield hit
            continue
        if not {"anon", "public"} & set(roles):
            continue
        sensitive = [c.name for c in table.columns if _SENSITIVE.search(c.name)]
        if sensitive:
            yield Hit(
                object=policy_object(policy),
                message=(
                    f"{policy_object(policy)} lets anon read every row of {label}, "
                    f"including {', '.join(sensitive[:5])}: anyone with the anon key can "
                    "download them. Limit it to authenticated users or to the rows that "
                    "are meant to be public, or expose a view without those columns."
                ),
                **_at(ctx.catalog, policy.origin_key),
                detail="select",
                data={"columns": sensitive},
            )


# --- S208: user_metadata -----------------------------------------------------------------


def _reads_user_metadata(tree: Any) -> bool:
    for kind, node, _ in walk(tree):
        if kind == "A_Const" and node.get("sval", {}).get("sval") == "user_metadata":
            return True
        if kind == "ColumnRef":
            fields = [f.get("String", {}).get("sval") for f in node.get("fields", [])]
            if "raw_user_meta_data" in fields:
                return True
    return False


def _expression_reads_user_metadata(expr: str) -> bool:
    # both spellings appear verbatim in pg_get_expr text: most expressions need no walk
    if "user_metadata" not in expr and "raw_user_meta_data" not in expr:
        return False
    node = parse_expression(expr)
    return node is not None and _reads_user_metadata(node)


def _function_reads_user_metadata(fn: Function) -> bool:
    body = fn.body
    if "user_metadata" not in body and "raw_user_meta_data" not in body:
        return False
    return bool(re.search(r"'user_metadata'|\braw_user_meta_data\b", body))


@rule(
    "policy-trusts-user-metadata",
    "S208",
    "error",
    "security",
    "Policy trusts user_metadata, which users can edit",
    fixable=False,
)
def policy_trusts_user_metadata(ctx: LintContext) -> Iterator[Hit]:
    """``user_metadata`` in the JWT (``raw_user_meta_data`` in ``auth.users``) is written
    by the user: ``supabase.auth.updateUser({ data: { role: 'admin' } })`` works from the
    browser. A policy that decides access from it lets any user grant themselves that
    access. ``app_metadata`` (``raw_app_meta_data``) is only writable with the service key
    and is the place for roles and tenant ids. Also found through the functions a policy
    calls.

    Bad:
    ```sql
    create table public.reports (id bigint primary key, clinic_id uuid not null);
    alter table public.reports enable row level security;
    create policy "Clinic reads reports" on public.reports
      for select to authenticated
      using (clinic_id = ((select auth.jwt()) -> 'user_metadata' ->> 'clinic_id')::uuid);
    ```
    Good:
    ```sql
    create table public.reports (id bigint primary key, clinic_id uuid not null);
    alter table public.reports enable row level security;
    create policy "Clinic reads reports" on public.reports
      for select to authenticated
      using (clinic_id = ((select auth.jwt()) -> 'app_metadata' ->> 'clinic_id')::uuid);
    ```
    """
    catalog = ctx.catalog
    graph = graph_of(catalog)
    for policy in catalog.policies:
        direct = any(_expression_reads_user_metadata(e) for _, e in _expressions(policy))
        via = (
            []
            if direct
            else [f for f in graph.functions_called(policy) if _function_reads_user_metadata(f)]
        )
        if not direct and not via:
            continue
        where = "" if direct else f" (through {', '.join(f.signature for f in via)})"
        yield Hit(
            object=policy_object(policy),
            message=(
                f"{policy_object(policy)} decides access from user_metadata{where}, which "
                "every user can change for themselves with supabase.auth.updateUser(): "
                "anyone can grant themselves this access. Keep roles and tenant ids in "
                "app_metadata (raw_app_meta_data) or in a table the user cannot write."
            ),
            **_at(ctx.catalog, policy.origin_key),
            data={"functions": [f.signature for f in via]},
        )


# --- S209: uuid compared as text -----------------------------------------------------------


_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})


def _type_name(type_node: Node) -> str:
    parts = name_parts(type_node.get("names", []))
    return parts[-1] if parts else ""


def _column_type(
    ref: Node, parents: tuple[tuple[str, Node], ...], table: Table, catalog: Catalog
) -> str | None:
    """The type of a column reference: the policy's table, or a FROM item of an enclosing
    sub-select (by alias or name)."""
    fields = [f["String"]["sval"] for f in ref.get("fields", []) if "String" in f]
    if not fields:
        return None
    column = fields[-1]
    qualifier = fields[-2] if len(fields) >= 2 else None
    for kind, node in reversed(parents):
        if kind != "SelectStmt":
            continue
        for k, rv, _ in walk(node.get("fromClause", [])):
            if k != "RangeVar":
                continue
            alias = rv.get("alias", {}).get("aliasname") or rv.get("relname")
            if qualifier not in (None, alias):
                continue
            inner = catalog.find_table(rv.get("schemaname", "public"), rv.get("relname", ""))
            col = inner.column(column) if inner else None
            if col is not None:
                return col.type_name
    if qualifier in (None, table.name):
        col = table.column(column)
        return col.type_name if col is not None else None
    return None


def _may_cast_to_text(expr: str) -> bool:
    """Whether the text can hold a cast to one of :data:`_TEXT_TYPES` (``x::text``,
    ``cast(x as varchar)``, ``::bpchar``, ``::name``): most policies need no walk."""
    lowered = expr.lower()
    if "::" not in expr and "cast" not in lowered:
        return False
    return "text" in lowered or "char" in lowered or "name" in lowered


def uuid_text_casts(policy: Policy, catalog: Catalog) -> list[str]:
    """Columns of type uuid cast to text where they are compared, in a policy."""
    table = catalog.find_table(policy.schema, policy.table)
    if table is None:
        return []
    out = []
    for _, expr in _expressions(policy):
        node = parse_expression(expr) if _may_cast_to_text(expr) else None
        if node is None:
            continue
        for kind, cast, parents in walk(node):
            if kind != "TypeCast" or _type_name(cast.get("typeName", {})) not in _TEXT_TYPES:
                continue
            ref = cast.get("arg", {}).get("ColumnRef")
            if ref is None or not parents:
                continue
            parent_kind, parent = parents[-1]
            if parent_kind != "A_Expr":
                continue
            op = name_parts(parent.get("name", []))
            if parent.get("kind") == "AEXPR_OP" and (not op or op[-1] not in _COMPARISONS):
                continue
            if _column_type(ref, parents, table, catalog) == "uuid":
                fields = [f["String"]["sval"] for f in ref["fields"] if "String" in f]
                out.append(".".join(fields))
    return sorted(set(out))


@rule(
    "uuid-compared-as-text",
    "S209",
    "warn",
    "performance",
    "Policy casts a uuid column to text to compare it",
    fixable=False,
)
def uuid_compared_as_text(ctx: LintContext) -> Iterator[Hit]:
    """``user_id::text = auth.uid()::text`` works but compares strings: the index on the
    uuid column cannot be used, so the policy scans and casts every row. (Without casts,
    ``uuid = text`` fails outright, which is why people add them on both sides.) Compare
    uuid with uuid: ``user_id = (select auth.uid())``, or cast the text side,
    ``user_id = ((select auth.jwt()) ->> 'sub')::uuid``. Casting ``auth.uid()`` to text to
    compare with a genuinely text column (storage paths) is fine and not reported.

    Bad:
    ```sql
    create table public.files (id bigint primary key, owner_id uuid not null);
    alter table public.files enable row level security;
    create policy "Own files" on public.files
      for select to authenticated using (owner_id::text = (select auth.uid())::text);
    ```
    Good:
    ```sql
    create table public.files (id bigint primary key, owner_id uuid not null);
    alter table public.files enable row level security;
    create policy "Own files" on public.files
      for select to authenticated using (owner_id = (select auth.uid()));
    ```
    """
    catalog = ctx.catalog
    for policy in catalog.policies:
        columns = uuid_text_casts(policy, catalog)
        if not columns:
            continue
        yield Hit(
            object=policy_object(policy),
            message=(
                f"{policy_object(policy)} casts the uuid column{'s' if len(columns) > 1 else ''} "
                f"{', '.join(columns)} to text to compare: no index on "
                f"{'them' if len(columns) > 1 else 'it'} can be used and every row is cast. "
                "Compare as uuid, e.g. "
                f"{columns[0].split('.')[-1]} = (select auth.uid())."
            ),
            **_at(ctx.catalog, policy.origin_key),
            data={"columns": columns},
        )


# --- S210: SECURITY DEFINER without search_path ---------------------------------------


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
        callers = sorted(fn.executable_by & {"public", "anon", "authenticated"})
        reach = f"; executable by {', '.join(callers)}" if callers else ""
        if unqualified:
            fix = (
                f"alter function {fn.signature} set search_path = public, pg_temp;\n"
                f"-- better: qualify {', '.join(unqualified[:6])} in the body and use "
                "set search_path = ''"
            )
            qualify = f" Qualify {', '.join(unqualified[:6])} and pin search_path = ''."
        else:
            fix = f"alter function {fn.signature} set search_path = '';"
            qualify = " Every name in the body is qualified, so search_path = '' is safe."
        yield Hit(
            object=f"function {fn.signature}",
            message=(
                f"SECURITY DEFINER function {fn.signature} runs as {fn.owner or 'its owner'} "
                f"without a fixed search_path{reach}: unqualified names resolve through the "
                f"caller's search_path, so a caller who can create objects on it runs code "
                f"as {fn.owner or 'the owner'}.{qualify}"
            ),
            **_at(ctx.catalog, fn.origin_key),
            fix=fix,
            detail=fn.identity_args,
            data={"unqualified": unqualified},
        )


# --- S211: views that bypass RLS ---------------------------------------------------------


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
                f"select from it, so {_who(grants)} sees every row those policies would "
                "hide. Make it security_invoker (PostgreSQL 15+) so the caller's policies "
                "apply."
            ),
            **_at(ctx.catalog, view.origin_key),
            fix=(
                f"alter view {label} set (security_invoker = true);\n"
                f"-- the API roles then need SELECT on {', '.join(tables)} and their "
                "policies decide which rows they see"
            ),
            data={"tables": tables},
        )
