"""S210 security-definer-no-search-path: SECURITY DEFINER function without a fixed search_path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from pgvet.analysis.body_names import (
    BodyName,
    BodyNames,
    body_names,
    resolve_in_catalog,
    resolve_on_server,
    search_schemas,
)
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import Function
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.sandbox import Outcome, Sandbox, exercise
from pgvet.rules.security.common import located_at

#: whose search_path the function's names resolve with today: the API roles call it
CALLER_ROLE = "authenticated"
#: Supabase's default path, used without a sandbox (``lint --db``)
DEFAULT_PATH = '"$user", public, extensions'
#: failures that mean a name no longer resolves (relation, function, type, schema, operator)
_UNRESOLVED = frozenset({"42P01", "42883", "42704", "3F000", "42725"})
_ROLE_PATH = """
select coalesce(
  (select pg_catalog.substr(c, 13)
     from pg_catalog.pg_db_role_setting s cross join unnest(s.setconfig) c
    where s.setrole in (0, (select oid from pg_catalog.pg_roles where rolname = %(role)s))
      and s.setdatabase in (0, (select oid from pg_catalog.pg_database
                                 where datname = pg_catalog.current_database()))
      and c like 'search_path=%%'
    order by (s.setrole <> 0) desc, (s.setdatabase <> 0) desc
    limit 1),
  (select boot_val from pg_catalog.pg_settings where name = 'search_path'))
"""


@dataclass(frozen=True)
class _Path:
    """The search_path the body's names resolve with today, and whose it is."""

    value: str
    whose: str
    schemas: list[str]  # searched, in order, pg_catalog included; only those that exist


def _current_path(sandbox: Sandbox | None) -> _Path:
    if sandbox is None:
        schemas = [s for s in search_schemas(DEFAULT_PATH, CALLER_ROLE) if s != CALLER_ROLE]
        return _Path(DEFAULT_PATH, "Supabase's default search_path", schemas)
    conn = sandbox.conn
    value = conn.execute(_ROLE_PATH, {"role": CALLER_ROLE}).fetchone()[0]  # type: ignore[index]
    schemas = search_schemas(value, CALLER_ROLE)
    exist = {
        r[0]
        for r in conn.execute(
            "select nspname from pg_catalog.pg_namespace where nspname = any(%s)", (schemas,)
        )
    }
    return _Path(
        value,
        f"the search_path of {CALLER_ROLE} on the sandbox",
        [s for s in schemas if s in exist],
    )


def _needed(name: BodyName, found: list[str]) -> str | None:
    """The schema ``name`` must keep resolving from: the first one holding it for a
    relation or type; for an overloadable function or operator, the first schema outside
    pg_catalog only when pg_catalog has none (the run on the sandbox checks overloads)."""
    if not found:
        return None
    if name.kind in ("function", "operator"):
        return None if "pg_catalog" in found else found[0]
    return None if found[0] == "pg_catalog" else found[0]


@dataclass(frozen=True)
class _Proposal:
    path: str  # the search_path value to pin
    listed: str  # "profiles (public), my_helper() (public)"
    labels: list[str]  # the names that need a schema of the path
    missing: list[str]  # names found in no schema of the path
    dynamic: bool


def _propose(names: BodyNames, resolved: dict[BodyName, list[str]], path: _Path) -> _Proposal:
    schemas: list[str] = []
    listed, missing = [], []
    for name in names.names:
        found = resolved.get(name, [])
        if not found:
            if name.kind in ("relation", "function") and name.label not in missing:
                missing.append(name.label)
            continue
        schema = _needed(name, found)
        if schema is not None and f"{name.label} ({schema})" not in listed:
            schemas.append(schema)
            listed.append(f"{name.label} ({schema})")
    if names.dynamic:  # names pgvet cannot see: keep every schema the path has today
        schemas += [s for s in path.schemas if s not in ("pg_catalog", "pg_temp")]
    ordered = [s for s in path.schemas if s in set(schemas)]
    pinned = ", ".join([*(ident(s) for s in ordered), "pg_temp"]) if ordered else "''"
    labels = [item.rsplit(" (", 1)[0] for item in listed]
    return _Proposal(pinned, ", ".join(listed), labels, missing, names.dynamic)


@dataclass(frozen=True)
class _Check:
    """What running the function on the sandbox said about the proposed path: ``breaks``
    when it worked before and a name no longer resolves after."""

    text: str
    breaks: bool = False


def _confirm(
    sandbox: Sandbox | None, fn: Function, sql_signature: str, path: _Path, pinned: str
) -> _Check:
    """Run the function as its callers would (a trigger fired by a generated row, a call
    with generated arguments) before and after ``alter function ... set search_path``, in
    one rolled-back transaction on the sandbox."""
    if sandbox is None:
        return _Check("Not confirmed: no sandbox (a live database is never changed).")
    if not sandbox.take("security-definer-no-search-path"):
        return _Check(f"Not confirmed: pgvet runs at most {sandbox.cap} functions per lint.")
    try:
        with sandbox.rolled_back() as conn:
            conn.execute("select pg_catalog.set_config('search_path', 'pg_catalog', true)")
            run = exercise(conn, fn.schema, fn.name, fn.identity_args)
            if run.sql is None:
                return _Check(f"Not confirmed on the sandbox: {run.how}.")
            conn.execute("select pg_catalog.set_config('search_path', %s, true)", (path.value,))
            before = Sandbox.attempt(conn, run.sql)
            conn.execute(f"alter function {sql_signature} set search_path = {pinned}")
            after = Sandbox.attempt(conn, run.sql)
    except psycopg.Error as exc:  # the set-up itself failed: say so, claim nothing
        return _Check(f"Not confirmed on the sandbox: {exc.diag.message_primary or exc}.")
    return _verdict(run.how, before, after, pinned)


def _verdict(how: str, before: Outcome, after: Outcome, pinned: str) -> _Check:
    if before.ok and after.ok:
        return _Check(
            f"Confirmed on the sandbox: {how}, and it runs before and after pinning "
            f"search_path = {pinned}."
        )
    if after.sqlstate in _UNRESOLVED and after.error != before.error:
        today = "it runs today" if before.ok else f"today it fails with {before.error}"
        return _Check(
            f"Not proposed: on the sandbox {how}; {today}, but with search_path = {pinned} "
            f"it fails with {after.error}. Qualify the names it needs, in its body and in the "
            "functions it calls, instead.",
            breaks=True,
        )
    if before.ok:
        return _Check(
            f"Not confirmed: on the sandbox {how}; it runs today and fails after pinning "
            f"search_path = {pinned} with {after.error}."
        )
    if not after.ok and after.error == before.error:
        return _Check(
            f"Not confirmed: on the sandbox {how}, but it fails the same way before and "
            f"after the change ({before.error})."
        )
    if after.ok:
        return _Check(
            f"On the sandbox {how}: it fails today ({before.error}) and runs with "
            f"search_path = {pinned}."
        )
    return _Check(
        f"Not confirmed: on the sandbox {how}, but it fails before the change "
        f"({before.error}) and after it ({after.error})."
    )


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
    own) runs it as the owner. Pin the path. Any pinned value counts as fixed here (a
    caller cannot change it); functions of Supabase's own schemas and of extensions are
    skipped.

    Which path: every name the body leaves to search_path is listed - relations it reads
    or writes (``insert into profiles``), ``%ROWTYPE`` / ``%TYPE`` declarations, calls,
    casts, operators, ``nextval('seq')`` - and resolved on the sandbox with the API roles'
    current search_path; the fix pins the schemas they come from, in that order, then
    ``pg_temp`` (``public, pg_temp``), or ``''`` only when nothing is unqualified and the
    body runs no dynamic SQL (``EXECUTE``, whose names nobody can read before it runs: then
    every schema of the current path is kept). The fix is then tried on the sandbox: the
    function runs (a trigger function fired by a generated row written to its table,
    others called with generated arguments) before and after ``alter function ... set
    search_path`` in one rolled-back transaction, at most 50 functions, 2 s each. A path
    that turns a working function into "relation does not exist" is not proposed, and the
    finding says so; what could not be run is said to be "not confirmed".

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
    candidates = [
        fn
        for fn in catalog.functions
        if fn.security_definer
        and fn.search_path is None
        and not fn.is_internal_schema
        and fn.extension is None
    ]
    if not candidates:
        return
    path = _current_path(ctx.sandbox)
    for fn in candidates:
        names = body_names(fn)
        if ctx.sandbox is not None:
            resolved = resolve_on_server(ctx.sandbox.conn, names.names, path.schemas)
        else:
            resolved = resolve_in_catalog(catalog, names.names, path.schemas)
        proposal = _propose(names, resolved, path)
        sql_signature = f"{qualified(fn.schema, fn.name)}({fn.identity_args})"
        check = _confirm(ctx.sandbox, fn, sql_signature, path, proposal.path)
        yield _hit(ctx, fn, sql_signature, proposal, path, check)


def _hit(
    ctx: LintContext,
    fn: Function,
    sql_signature: str,
    proposal: _Proposal,
    path: _Path,
    check: _Check,
) -> Hit:
    callers = sorted(fn.executable_by & {"public", "anon", "authenticated"})
    reach = f"; executable by {', '.join(callers)}" if callers else ""
    owner = fn.owner or "its owner"
    parts = [
        f"SECURITY DEFINER function {fn.signature} runs as {owner} without a fixed "
        f"search_path{reach}: unqualified names resolve through the caller's search_path, "
        f"so a caller who can create objects on it runs code as {fn.owner or 'the owner'}."
    ]
    if proposal.listed:
        parts.append(
            f"Unqualified names and the schema each resolves from with {path.whose} "
            f"({path.value}): {proposal.listed}."
        )
    if proposal.missing:
        parts.append(f"Found in no schema of that path: {', '.join(proposal.missing)}.")
    if proposal.dynamic:
        parts.append(
            "The body runs dynamic SQL (EXECUTE), whose names cannot be read before it "
            "runs, so the path keeps every schema of the current one."
        )
    if proposal.path == "''":
        parts.append("Every name in the body is qualified or built in: search_path = ''.")
    elif not check.breaks:  # otherwise the check says what was tried and what failed
        parts.append(f"Pin search_path = {proposal.path}, or qualify the names and pin ''.")
    parts.append(check.text)
    fix = None
    if not check.breaks:
        fix = f"alter function {sql_signature} set search_path = {proposal.path};"
    return Hit(
        object=f"function {fn.signature}",
        message=" ".join(parts),
        **located_at(ctx.catalog, fn.origin_key),
        fix=fix,
        detail=fn.identity_args,
        data={
            "unqualified": proposal.labels,
            "search_path": proposal.path,
            "dynamic_sql": proposal.dynamic,
            "confirmed": check.text.startswith("Confirmed"),
        },
    )
