"""S204 policy-recursion: Policy reads its own table back: queries fail (42P17 / 54001)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from pgvet.analysis.policy_graph import EXPRESSION_PREFIX, Cycle, Node, parse_expression, walk
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import (
    Catalog,
)
from pgvet.findings import Level
from pgvet.rls.acting import set_persona
from pgvet.rls.personas import Persona
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.sandbox import GENERATED_UUID, Outcome, Sandbox, insert_row_sql
from pgvet.rules.security.common import (
    alter_policy_sql,
    close_paren,
    correlation,
    exposed_schemas,
    located_at,
    policy_expressions,
    policy_graph,
)


def _cycle_message(cycle: Cycle) -> str:
    table = qualified(*cycle.table)
    roles = ", ".join(cycle.roles) or "the API roles"
    commands = "/".join(cycle.commands) or "queries"
    if cycle.sqlstate == "42P17":
        why = f"{commands} on {table} as {roles} fail with 42P17 ({cycle.error}): {cycle.path}."
        if cycle.reentry_policies:
            names = ", ".join(ident(n) for n in cycle.reentry_policies)
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


#: where the helper goes: a schema PostgREST does not serve, so the helper (which reads
#: the table without RLS) is never ``/rest/v1/rpc/<name>``
HELPER_SCHEMA = "private"


def _recursion_fix(
    cycle: Cycle, catalog: Catalog, exposed: tuple[str, ...] = ("public", "graphql_public")
) -> str | None:
    """For a policy whose EXISTS / IN / scalar sub-select reads the next table of the cycle
    and refers only to its own FROM items: move that sub-select into a SECURITY DEFINER
    function in the ``private`` schema and call it wrapped in ``(select ...)``.

    The helper reads the table as its owner, so anyone who may call it learns what the
    policy protects: in an exposed schema anon could call it through the API (S213). In
    ``private`` it is no endpoint. A policy runs as the querying role, which needs
    EXECUTE on the function but not USAGE on its schema (the policy holds the function's
    OID, the name is never looked up again: checked on PostgreSQL 15), so the schema gets
    no grant; EXECUTE goes to the roles the policy applies to and is revoked from
    everyone else (PUBLIC and anon included), unless the policy applies to every role.
    The body is the policy's own sub-select as PostgreSQL prints it with an empty
    search_path, so every name is qualified, and the helper pins ``search_path = ''``."""
    if HELPER_SCHEMA in exposed:
        return None  # the project serves a schema called private: no safe place
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
    while catalog.functions_named(HELPER_SCHEMA, fname):  # never replace an existing one
        fname = fname[:60] + "_"
    fsig = f"{qualified(HELPER_SCHEMA, fname)}()"
    clauses = {}
    function_sql = None
    for clause, expr in policy_expressions(policy):
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
    schema = ""
    if HELPER_SCHEMA not in catalog.schema_names():
        schema = (
            f"create schema if not exists {HELPER_SCHEMA};\n"
            f"revoke all on schema {HELPER_SCHEMA} from public, anon, authenticated;\n"
        )
    grants = ""
    if "public" not in policy.roles:
        grants = (
            f"revoke all on function {fsig} from public, anon, authenticated;\n"
            f"grant execute on function {fsig} to {', '.join(map(ident, policy.roles))};\n"
        )
    return f"{schema}{function_sql}\n{grants}{alter_policy_sql(policy, clauses)}"


def _sublink_bounds(expr: str, sublink: Node) -> tuple[bytes, int, int, int]:
    """``(data, start, open, close)`` in ``SELECT <expr>`` bytes: where the sub-link starts
    (``EXISTS`` / ``IN`` / ``(``), its sub-select's opening parenthesis, and just past the
    closing one."""
    data = (EXPRESSION_PREFIX + expr).encode()
    start = int(sublink.get("location", 0))
    open_at = data.index(b"(", start)
    return data, start, open_at, close_paren(data, open_at)


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
    The fix puts that function in a ``private`` schema the API does not serve: in
    ``public`` anyone could call it and read what the policy protects.

    A finding that says queries fail is confirmed on the sandbox before it is an error:
    the table is read (and, for the cycle's other commands, planned with EXPLAIN) as each
    role of the cycle, with JWT claims as PostgREST sets them, after a generated row of
    the persona's own is written, in a rolled-back transaction with a 2 s timeout (at most
    50 tables). 42P17 / 54001 from PostgreSQL makes it an error that quotes the error.
    Otherwise it is at most a warning that says "not confirmed", with one exception: a
    predicted 42P17 that the server did not raise for any of the cycle's roles and
    commands is dropped, because the rewriter decides 42P17 from the policies alone,
    whatever the rows, so a clean plan refutes it. A predicted 54001 that did not happen
    stays a warning: it depends on the rows and on which branch of the policy runs (a
    cheaper condition may skip the function for the generated row).

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
    create schema private;  -- not exposed: the helper is no API endpoint
    create function private.is_admin() returns boolean
      language sql stable security definer set search_path = ''
      as $$ select exists (select 1 from public.profiles p
                           where p.id = (select auth.uid()) and p.is_admin) $$;
    revoke all on function private.is_admin() from public, anon;
    grant execute on function private.is_admin() to authenticated;
    create policy "Admins read all profiles" on public.profiles
      for select to authenticated using ((select private.is_admin()));
    ```
    """
    _graph, cycles = policy_graph(ctx.catalog)
    for cycle in cycles:
        first = cycle.policy
        table = qualified(first.schema, first.table or "")
        proof = confirm_cycle(ctx.sandbox, ctx.catalog, cycle)
        if proof.refuted:
            continue  # the rewriter itself said no: pgvet's model was wrong
        message = _cycle_message(cycle)
        level = None
        if proof.confirmed:
            message = f"Confirmed on the sandbox: {proof.text}. {message}"
        else:
            message = (
                f"Possible recursion, not confirmed: {proof.text}. What pgvet reads in the "
                f"policies: {message}"
            )
            level = Level.warn
        yield Hit(
            object=f"policy {ident(first.name)} on {table}",
            message=message,
            **located_at(ctx.catalog, first.origin_key),
            fix=_recursion_fix(cycle, ctx.catalog, exposed_schemas(ctx)),
            detail=cycle.path,
            data={**cycle.to_dict(), "confirmed": proof.confirmed},
            level=level,
        )


#: the persona's user id (JWT ``sub``): the uuid pgvet writes into the generated row, so
#: that the row is the persona's own (owner, member, tenant): policies that only recurse
#: for a member's rows are exercised, not skipped by a cheaper condition that is false
PERSONA_USER = GENERATED_UUID
_RECURSION = frozenset({"42P17", "54001"})


@dataclass(frozen=True)
class Proof:
    """What the sandbox said about a predicted cycle: ``confirmed`` (PostgreSQL raised
    42P17 / 54001), ``refuted`` (a 42P17 prediction the rewriter did not raise for every
    role and command of the cycle), or neither (``text`` says why)."""

    text: str
    confirmed: bool = False
    refuted: bool = False


def _statements(table: str, column: str, commands: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(command, sql)`` for each command of the cycle: SELECT reads every row (so a
    policy's function runs for each); the others are planned only (EXPLAIN), which is
    where the rewriter applies the policies and raises 42P17."""
    out = [("SELECT", f"select count(*) from {table}")]
    plans = {
        "INSERT": f"explain (costs off) insert into {table} default values",
        "UPDATE": f"explain (costs off) update {table} set {column} = {column}",
        "DELETE": f"explain (costs off) delete from {table}",
    }
    out += [(c, plans[c]) for c in commands if c in plans]
    return out


def confirm_cycle(sandbox: Sandbox | None, catalog: Catalog, cycle: Cycle) -> Proof:
    """Read the cycle's table as each of its roles, the way PostgREST does (role and JWT
    claims set in the transaction, :func:`pgvet.rls.acting.set_persona`), with a generated
    row written first so that per-row policy functions run, all in a rolled-back
    transaction with the sandbox's check timeout."""
    if sandbox is None:
        return Proof("no sandbox to read the table on (a live database is never changed)")
    if not sandbox.take("policy-recursion"):
        return Proof(f"pgvet reads at most {sandbox.cap} tables per lint")
    table = qualified(*cycle.table)
    found = catalog.find_table(*cycle.table)
    if found is None or not found.columns:
        return Proof(f"{table} is not a table pgvet can read")
    updatable = [c for c in found.columns if c.identity is None and c.generated is None]
    column = ident((updatable or found.columns)[0].name)
    roles = [r for r in cycle.roles if r != "public"] or ["authenticated"]
    clean: list[str] = []
    for role in roles:
        for command, sql in _statements(table, column, cycle.commands):
            outcome, rows = _as_persona(sandbox, table, role, sql)
            if outcome.sqlstate in _RECURSION:
                return Proof(f"{command} on {table} as {role} failed with {outcome.error}", True)
            if not outcome.ok:
                return Proof(f"{command} on {table} as {role} failed with {outcome.error}")
            checked = (
                f" ({rows} row{'s' if rows != 1 else ''} checked)" if command == "SELECT" else ""
            )
            clean.append(f"{command} as {role}{checked}")
    said = f"PostgreSQL ran {', '.join(clean)} on {table} without error"
    return Proof(said, refuted=cycle.sqlstate == "42P17")


def _as_persona(sandbox: Sandbox, table: str, role: str, sql: str) -> tuple[Outcome, int]:
    """Run ``sql`` as ``role`` with a JWT, after writing one generated row of the persona's
    (every column filled, else only the required ones; skipped when the table refuses
    both) as the project role (the owner: RLS does not apply) with the persona's claims
    set; the outcome and the row count."""
    persona = Persona(role, role=role, user_id=PERSONA_USER, _user_row={})
    try:
        with sandbox.rolled_back() as conn:
            conn.execute(
                "select pg_catalog.set_config('request.jwt.claims', %s, true)",
                (persona.claims_json(),),
            )
            for every in (True, False):
                insert = insert_row_sql(conn, table, every=every)
                if insert is None:
                    continue
                try:
                    with conn.transaction():
                        conn.execute(insert)
                    break
                except psycopg.Error:
                    continue
            found = conn.execute(f"select count(*) from {table}").fetchone()
            rows = int(found[0]) if found else 0
            set_persona(conn, persona)
            return Sandbox.attempt(conn, sql), rows
    except psycopg.Error as exc:
        return Outcome(False, exc.diag.sqlstate or "", exc.diag.message_primary or str(exc)), 0
