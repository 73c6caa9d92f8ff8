"""What several security rules share: exposed schemas and API grants, labels and
locations of tables and policies, RLS disables, the policy graph, per-row auth calls and
policy rewriting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pgvet.analysis.memo import memo
from pgvet.analysis.mentions import statements_mentioning
from pgvet.analysis.policy_graph import (
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
    walk,
)
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import (
    Catalog,
    Function,
    ObjectKey,
    Origin,
    Policy,
    QualifiedName,
    Table,
)
from pgvet.rules.registry import LintContext

if TYPE_CHECKING:
    from pgvet.replay.project import Project


DEFAULT_EXPOSED_SCHEMAS: tuple[str, ...] = ("public", "graphql_public")

API_ROLES: tuple[str, ...] = ("anon", "authenticated")

WRITE_PRIVILEGES = ("INSERT", "UPDATE", "DELETE")

AUTH_CALLS = frozenset({("auth", "uid"), ("auth", "jwt"), ("auth", "role"), ("auth", "email")})


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


def roles_text(roles: Iterable[str]) -> str:
    roles = set(roles)
    if {"anon", "public"} & roles:
        return "anyone with the anon key"
    return "any signed-in user"


def privileges_text(grants: dict[str, frozenset[str]]) -> str:
    privs = sorted(
        set().union(*grants.values()) & {"SELECT", *WRITE_PRIVILEGES},
        key=["SELECT", *WRITE_PRIVILEGES].index,
    )
    return ", ".join(privs)


def table_label(table: Table) -> str:
    return qualified(table.schema, table.name)


def policy_object(policy: Policy) -> str:
    return f"policy {ident(policy.name)} on {qualified(policy.schema, policy.table)}"


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


def located_at(catalog: Catalog, key: ObjectKey) -> dict[str, Any]:
    """``Hit`` location arguments pointing at the object's current definition."""
    file, line = current_location(catalog, key)
    return {"origin": key, "file": file, "line": line}


def is_rls_candidate(table: Table) -> bool:
    return table.kind in ("table", "partitioned") and table.extension is None


_DISABLE = re.compile(r"disable\s+row\s+level\s+security", re.I)


def last_rls_disable(ctx: LintContext, table: Table) -> tuple[str, int] | None:
    """File and line of the last migration statement that disabled RLS on ``table``."""
    project = ctx.project
    if project is None:
        return None
    return memo(project, "rls disables", lambda: _last_disables(project)).get(table.key)


def _last_disables(project: Project) -> dict[tuple[str, str | None], tuple[str, int]]:
    """File and line of the last statement disabling RLS, per table, in one pass."""
    found: dict[tuple[str, str | None], tuple[str, int]] = {}
    for stmt in statements_mentioning(project, "disable"):
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


def policy_expressions(policy: Policy) -> list[tuple[str, str]]:
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
    return close_paren(text, text.index(b"(", start))


def alter_policy_sql(policy: Policy, clauses: dict[str, str]) -> str:
    parts = [f"alter policy {ident(policy.name)} on {qualified(policy.schema, policy.table)}"]
    for clause in ("using", "with check"):
        if clause in clauses:
            parts.append(f"  {clause} ({clauses[clause]})")
    return "\n".join(parts) + ";"


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


def close_paren(data: bytes, open_at: int) -> int:
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


@dataclass(frozen=True)
class PerRowCall:
    """A call to ``auth.uid()`` & co. that PostgreSQL evaluates for every row."""

    clause: str
    text: str
    start: int  # byte offsets into the clause's expression text
    end: int


def call_name(node: Node) -> tuple[str | None, str]:
    parts = name_parts(node.get("funcname", []))
    return (parts[-2] if len(parts) >= 2 else None, parts[-1] if parts else "")


def _is_auth_call(node: Node) -> bool:
    schema, name = call_name(node)
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
    for clause, expr in policy_expressions(policy):
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


# --- what the API can call and read (S212-S218) ----------------------------------------

#: Relations whose rows are secrets: Vault's decrypted view and its table, pgsodium's
#: decrypted key view.
SECRET_RELATIONS = frozenset(
    {("vault", "decrypted_secrets"), ("vault", "secrets"), ("pgsodium", "decrypted_key")}
)


def api_callers(fn: Function) -> list[str]:
    """The API roles that may EXECUTE ``fn`` (directly or through PUBLIC), sorted."""
    return [r for r in API_ROLES if {r, "public"} & fn.executable_by]


def is_rpc(fn: Function, schemas: Iterable[str]) -> bool:
    """Whether PostgREST serves ``fn`` as ``/rest/v1/rpc/<name>``: a function (not a
    procedure or aggregate) of an exposed schema, not a trigger function, not an
    extension's."""
    return (
        fn.kind == "function"
        and fn.schema in schemas
        and fn.extension is None
        and not fn.is_internal_schema
        and (fn.result or "") not in ("trigger", "event_trigger")
    )


def secrets_read(fn: Function) -> list[str]:
    """Secret stores the body reads: ``vault.decrypted_secrets`` & co. and calls of
    ``vault.*`` / ``pgsodium.*decrypt*`` functions, as ``schema.name``."""
    refs = function_references(fn)
    found = {
        f"{r.schema}.{r.name}" for r in refs.relations if (r.schema, r.name) in SECRET_RELATIONS
    }
    for call in refs.calls:
        if call.schema == "vault" or (call.schema == "pgsodium" and "decrypt" in call.name):
            found.add(f"{call.schema}.{call.name}()")
    return sorted(found)


_SECRET_TEXT = re.compile(r"\bvault\s*\.|\bdecrypted_secrets\b|\bpgsodium\s*\.\s*\w*decrypt", re.I)
_ARG_MODES = frozenset({"in", "out", "inout", "variadic"})


def parameter_names(fn: Function) -> list[str]:
    """Names of the function's named input parameters, from its identity arguments."""
    names = []
    for arg in re.split(r",(?![^(]*\))", fn.identity_args):
        words = arg.split()
        if words and words[0].lower() in _ARG_MODES:
            if words[0].lower() == "out":
                continue
            words = words[1:]
        if len(words) >= 2:
            names.append(words[0].strip('"'))
    return names


def caller_chosen_secrets(fn: Function) -> list[str]:
    """The secret stores :func:`secrets_read` finds, when a statement of the body that
    uses them also uses a parameter (``where name = secret_name``, ``$1``): the caller
    then picks which secret is read or written. Empty when the body only uses fixed
    secrets (a JWT signing key read to sign a token)."""
    if not _SECRET_TEXT.search(fn.body):
        return []  # no parse for the bodies that never name the Vault
    secrets = secrets_read(fn)
    if not secrets:
        return []
    params = parameter_names(fn)
    for statement in fn.body.split(";"):
        if not _SECRET_TEXT.search(statement):
            continue
        if re.search(r"\$\d", statement) or any(
            re.search(rf"(?<![\w.]){re.escape(p)}\b", statement) for p in params
        ):
            return secrets
    return []


def function_sql(fn: Function) -> str:
    """``schema.name(identity args)`` quoted for SQL."""
    return f"{qualified(fn.schema, fn.name)}({fn.identity_args})"


def select_grants(catalog: Catalog, schema: str, name: str) -> list[str]:
    """API roles that may SELECT the relation, sorted."""
    return sorted(r for r, privs in api_grants(catalog, schema, name).items() if "SELECT" in privs)


AUTH_USERS: QualifiedName = ("auth", "users")


def reads_auth_users(catalog: Catalog) -> frozenset[QualifiedName]:
    """Views and materialized views whose definition reads ``auth.users``, directly or
    through other views (computed once per catalog)."""

    def compute() -> frozenset[QualifiedName]:
        views = {(v.schema, v.name): v for v in catalog.views}
        found: set[QualifiedName] = set()
        changed = True
        while changed:  # a fixpoint: views over views over auth.users
            changed = False
            for key, view in views.items():
                if key not in found and any(
                    rel == AUTH_USERS or rel in found for rel in view.relations
                ):
                    found.add(key)
                    changed = True
        return frozenset(found)

    return memo(catalog, "views reading auth.users", compute)


def extension_statements(ctx: LintContext) -> dict[str, tuple[str, int]]:
    """File and line of the last ``CREATE EXTENSION`` (or ``ALTER EXTENSION ... SET
    SCHEMA``) of each extension in the migrations, in one pass."""
    project = ctx.project
    if project is None:
        return {}

    def compute() -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        for stmt in statements_mentioning(project, "extension"):
            for node in parse_statements(stmt.text) or []:
                create = node.get("CreateExtensionStmt")
                move = node.get("AlterObjectSchemaStmt")
                if create:
                    found[create.get("extname", "")] = (stmt.file, stmt.line)
                elif move and move.get("objectType") == "OBJECT_EXTENSION":
                    name = move.get("object", {}).get("String", {}).get("sval", "")
                    found[name] = (stmt.file, stmt.line)
        return found

    return memo(project, "extension statements", compute)


_SELECT_INTO = re.compile(r"\binto\s+(?:strict\s+)?([a-z_][\w$]*(?:\s*,\s*[a-z_][\w$]*)*)", re.I)
_EXECUTE_WORD = re.compile(r"\bexecute\b", re.I)
_BLOCK_WORDS = frozenset({"declare", "begin", "then", "else", "loop"})
_EXECUTE = re.compile(r"\bexecute\s+(?!function\b|procedure\b)(.*)$", re.I | re.S)
_QUOTED = re.compile(r"quote_(?:literal|ident|nullable)\s*\(\s*$", re.I)
_FORMAT = re.compile(r"^\s*format\s*\(\s*'((?:[^']|'')*)'", re.I)


def _mentions(text: str, names: Iterable[str]) -> list[re.Match[str]]:
    return [
        m for n in names for m in re.finditer(rf"(?<![\w.$]){re.escape(n)}(?![\w$])", text, re.I)
    ]


def _tainted(fn: Function) -> tuple[set[str], list[str]]:
    """The parameters and the variables assigned from them (a fixpoint over the body's
    statements), and the statements."""
    body = re.sub(r"--[^\n]*", "", fn.body)
    statements = [s for s in body.split(";") if s.strip()]
    tainted = {p.lower() for p in parameter_names(fn)}
    changed = True
    while changed:
        changed = False
        for statement in statements:
            targets: list[str] = []
            source = statement
            if ":=" in statement:  # `x := expr`, or a declaration `x text := expr`
                before, source = statement.split(":=", 1)
                lines = before.strip().splitlines()
                words = re.findall(r"[a-z_][\w$]*", lines[-1] if lines else "", re.I)
                while words and words[0].lower() in _BLOCK_WORDS:
                    words = words[1:]
                targets = words[:1]
            else:
                into = _SELECT_INTO.search(statement)
                if into:
                    targets = [t.strip() for t in into.group(1).split(",")]
            if not targets or not _mentions(source, tainted):
                continue
            for target in targets:
                if target.lower() not in tainted:
                    tainted.add(target.lower())
                    changed = True
    return tainted, statements


def runs_caller_sql(fn: Function) -> str | None:
    """The ``EXECUTE`` statement of a PL/pgSQL body whose SQL text is built from the
    function's arguments without quoting (``execute query_text``, ``format('%s', q)``,
    ``'select ... ' || q``), or None. Values passed with ``USING``, through
    ``quote_literal`` / ``quote_ident`` / ``quote_nullable`` or ``format``'s ``%L`` /
    ``%I`` are quoted and do not count."""
    if fn.language.lower() != "plpgsql" or not _EXECUTE_WORD.search(fn.body):
        return None
    tainted, statements = _tainted(fn)
    if not tainted:
        return None
    for statement in statements:
        found = _EXECUTE.search(statement)
        if not found:
            continue
        template = _FORMAT.match(found.group(1))
        # literals blanked (same length), so that words inside them are not names
        code = re.sub(
            r"'(?:[^']|'')*'", lambda m: "'" + " " * (len(m.group()) - 2) + "'", found.group(1)
        )
        sql = re.split(r"\b(?:into|using)\b", code, maxsplit=1, flags=re.I)[0]
        hits = _mentions(sql, tainted)
        if not hits:
            continue
        if template and not re.search(r"%[0-9$]*s", template.group(1)):
            continue  # format() with %I / %L only
        if all(_QUOTED.search(sql[: m.start()]) for m in hits):
            continue
        shown = " ".join(found.group(0).split())
        return shown if len(shown) <= 120 else shown[:117] + "..."
    return None
