"""Only proven fixes are written: the plan runs on a copy of the replayed project first.

The replayed database (with the project's seed) is kept as a template; each pass copies
it (``CREATE DATABASE … TEMPLATE``: milliseconds on the sandbox's tmpfs), applies the
planned fix files one by one as the Supabase CLI would (one transaction per file, a
history row each), lints the result with every rule, pgvet's own fix files included among
the migrations, and reads what anon and authenticated may reach. A fix is dropped, with
the reason, when a statement fails (PostgreSQL's message), when its finding is still
there, when a finding appears that it caused (a fix file tripping a migration rule, an
object it created), or when access widens (or changes at all, unless access changes are
asked for), or when a function it alters ran before and fails after (run as its callers
would, :mod:`pgvet.fixing.functions`). Dropping one fix changes what the others run on,
so the survivors run again on a fresh copy, until a pass drops nothing: the set written
is the set of the last pass.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg

from pgvet.catalog import read_catalog
from pgvet.config import Config
from pgvet.findings import Finding
from pgvet.fixing.access import Access, Change, compare, read_access
from pgvet.fixing.functions import behaviour, regressions, touched_functions
from pgvet.fixing.layout import FixFile, layout
from pgvet.fixing.plan import Plan, Unit
from pgvet.replay.apply import FileResult, ReplayResult, apply_file
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import MigrationFile, Project, read_migration
from pgvet.replay.session import Replayed
from pgvet.rules.engine import run_lint
from pgvet.rules.registry import LintContext
from pgvet.rules.sandbox import Sandbox

#: passes after which a plan that still drops fixes is given up (each pass drops at least
#: one fix, so this bounds the time on a project with many broken fixes)
MAX_PASSES = 6
_TEMPLATE = "pgvet_fix_base"


@dataclass
class Proof:
    """What the proof found: the plan's units now carry ``dropped`` reasons."""

    plan: Plan
    files: list[FixFile]
    passes: int = 0
    seconds: float = 0.0
    #: access changes of the written set (only with ``include_access_changes``)
    access_changes: list[Change] = field(default_factory=list)
    #: new findings and access changes of the last pass that no fix could be blamed for
    unexplained: list[str] = field(default_factory=list)
    seeded: list[str] = field(default_factory=list)


def lint_database(
    conn: psycopg.Connection, project: Project, result: ReplayResult, config: Config
) -> list[Finding]:
    """Every rule on the database ``conn`` holds, as ``pgvet lint`` runs them."""
    catalog = replace(read_catalog(conn), origins=compute_origins(result.applied_files))
    sandbox = Sandbox.beside(conn)
    try:
        ctx = LintContext(
            catalog=catalog, config=config, project=project, replay=result, sandbox=sandbox
        )
        return run_lint(ctx)
    finally:
        sandbox.close()


def prove(
    session: Replayed,
    plan: Plan,
    before: list[Finding],
    access_before: Access,
    config: Config,
    *,
    start: object,
    include_access_changes: bool = False,
    on_pass: Callable[[int, int], None] | None = None,
) -> Proof:
    """Run ``plan`` on copies of ``session``'s database until a pass drops nothing."""
    started = time.perf_counter()
    proof = Proof(plan, [])
    before_prints = {f.fingerprint for f in before}
    session.conn.close()  # a template must have no connections
    with session.server.admin("template1") as admin:
        admin.execute(f"drop database if exists {_TEMPLATE} with (force)")
        admin.execute(f"create database {_TEMPLATE} template postgres")
    try:
        while True:
            kept = plan.kept
            files = layout(kept, start)  # type: ignore[arg-type]
            proof.passes += 1
            if on_pass:
                on_pass(proof.passes, len(kept))
            if not kept:
                proof.files = []
                break
            with _copy(session, proof.passes) as conn:
                dropped = _one_pass(
                    conn, session, files, before_prints, access_before, config,
                    include_access_changes, proof,
                )  # fmt: skip
            if not dropped:
                proof.files = files
                break
            _propagate(plan)
            if proof.passes >= MAX_PASSES:
                for unit in plan.kept:
                    unit.dropped = f"not proven: the plan still changed after {MAX_PASSES} passes"
                proof.files = []
                break
    finally:
        with session.server.admin("template1") as admin:
            admin.execute(f"drop database if exists {_TEMPLATE} with (force)")
    proof.seconds = time.perf_counter() - started
    return proof


@contextlib.contextmanager
def _copy(session: Replayed, n: int) -> Iterator[psycopg.Connection]:
    name = f"pgvet_fix_pass_{n}"
    with session.server.admin("template1") as admin:
        admin.execute(f"create database {name} template {_TEMPLATE}")
        admin.execute(f"grant all on database {name} to postgres")
    try:
        with session.watchdog.watch(session.server.connect(name)) as conn:
            yield conn
    finally:
        with session.server.admin("template1") as admin:
            admin.execute(f"drop database if exists {name} with (force)")


def _one_pass(
    conn: psycopg.Connection,
    session: Replayed,
    files: list[FixFile],
    before_prints: set[str],
    access_before: Access,
    config: Config,
    include_access_changes: bool,
    proof: Proof,
) -> bool:
    """Apply, lint, compare; True when a fix was dropped (another pass is needed)."""
    project = session.project
    dropped = False
    applied: list[tuple[FixFile, MigrationFile, FileResult]] = []
    runs_before = {
        (id(fix.unit), sig): behaviour(conn, sig)
        for fix in files
        for sig in touched_functions(fix.unit)
    }
    with tempfile.TemporaryDirectory(prefix="pgvet-fix-") as tmp:
        for fix in files:
            if fix.unit.dropped is not None:
                continue  # an earlier file of this unit failed
            path = Path(tmp) / fix.name
            path.write_text(fix.body, encoding="utf-8")
            version, name = fix.name.removesuffix(".sql").split("_", 1)
            migration = read_migration(path, version, name)
            assert isinstance(migration, MigrationFile)
            result = apply_file(conn, migration, project, session.watchdog)
            if result.status != "applied" and result.failure is not None:
                failure = result.failure
                fix.unit.dropped = (
                    f"fails: `{_short(failure.statement or fix.unit.sql)}`: "
                    f"{failure.sqlstate or ''} {failure.message}".replace("  ", " ")
                )
                dropped = True
                continue
            applied.append((fix, migration, result))
    for fix, _, _ in applied:
        for sig in touched_functions(fix.unit):
            before = runs_before.get((id(fix.unit), sig))
            if before is None or fix.unit.dropped is not None:
                continue
            after = behaviour(conn, sig, before.roles)
            broken = regressions(before, after) if after is not None else []
            fix.unit.data.setdefault("function_checks", {})[sig] = before.summary()
            if broken:
                fix.unit.dropped = f"breaks function {sig}: " + "; ".join(broken[:3])
                dropped = True
    fixed_project = replace(project, files=(*project.files, *(m for _, m, _ in applied)))
    fixed_result = replace(
        session.result,
        project=fixed_project,
        files=[*session.result.files, *(r for _, _, r in applied)],
        applied_order=[*session.result.applied_order, *(f.name for f, _, _ in applied)],
    )
    after = lint_database(conn, fixed_project, fixed_result, config)
    after_prints = {f.fingerprint for f in after}
    units = list({id(f.unit): f.unit for f, _, _ in applied}.values())
    for unit in units:
        stayed = [f for f in unit.findings if f.fingerprint in after_prints]
        if stayed and unit.dropped is None:
            unit.dropped = "its finding stays: " + "; ".join(f"{f.rule} {f.object}" for f in stayed)
            dropped = True
    proof.unexplained = []
    proof.access_changes = []
    for change in compare(access_before, read_access(conn)):
        suspects = _changed_by(units, change)
        if not suspects:
            proof.unexplained.append(f"access changed: {change}")
        elif change.widens is not True and include_access_changes:
            proof.access_changes.append(change)
            continue
        if any(u.dropped is not None for u in suspects):
            continue  # one suspect goes already: the next pass tells whether that was it
        reason = (
            f"widens access: {change}"
            if change.widens is True
            else f"changes access: {change} (written only with --include-access-changes)"
        )
        for unit in suspects:
            if unit.dropped is None:
                unit.dropped = reason
                dropped = True
    by_file = {f.name: f.unit for f, _, _ in applied}
    for finding in after:
        if finding.fingerprint in before_prints:
            continue
        what = f"new finding {finding.code} {finding.rule} on {finding.object}: {finding.message}"
        owner = by_file.get(finding.file or "")
        suspects = [owner] if owner is not None else suspects_of(units, finding)
        if not suspects:
            proof.unexplained.append(what)
        if any(u.dropped is not None for u in suspects):
            continue  # one suspect goes already: the next pass tells whether that was it
        # several suspects: the one with the widest effect goes first; if the finding is
        # still there in the next pass, the next one goes
        culprit = min(suspects, key=_reach)
        culprit.dropped = what
        dropped = True
    return dropped


#: statements that change who may reach what
_ACCESS_SQL = re.compile(
    r"\b(row level security|policy|grant|revoke|security_invoker|security definer|"
    r"search_path|owner to)\b",
    re.I,
)
_INDEX_SQL = re.compile(r"\bindex\b", re.I)


def _mentions(sql: str, name: str) -> bool:
    return bool(re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", sql))


def suspects_of(units: list[Unit], finding: Finding) -> list[Unit]:
    """The fixes that may have caused ``finding``: those that create or drop an object it
    names (the new index a redundant-index finding quotes); else those that touch its
    table, narrowed to the kind of change its rule looks at (a security finding: a fix
    that changes access; an index finding: a fix that builds or drops an index). Every
    suspect is dropped: a fix written must add no finding."""
    text = f"{finding.object} {finding.message}"
    named = [u for u in units if any(_mentions(text, n.name) for n in (*u.creates, *u.drops))]
    if named:
        return named
    target = finding.object.split(" on ")[-1].split(" ")[-1]
    schema, _, table = target.rpartition(".")
    return _by_table(
        units,
        (schema.strip('"') or "public", table.strip('"')),
        access=finding.code.startswith("S"),
        index=finding.code.startswith("I"),
    )


def _changed_by(units: list[Unit], change: Change) -> list[Unit]:
    """The fixes that may have made an access change: those naming the policy it is about,
    or turning RLS or security_invoker on or off, on its table."""
    touching = _by_table(units, change.table, access=True)
    if not touching:
        # reached through a view or a function (a policy of another table, a helper):
        # the fix changing access that reaches widest goes first, the next pass tells
        wide = [u for u in units if _ACCESS_SQL.search(u.sql)]
        return [min(wide, key=_reach)] if wide else []
    if change.policy is not None:
        named = [u for u in touching if change.policy in u.sql]
        return named or touching
    if " gains " in change.what or " loses " in change.what:
        verb = "grant" if " gains " in change.what else "revoke"
        role = change.what.split(" ")[0]
        return [
            u
            for u in touching
            if re.search(rf"\b{verb}\b", u.sql, re.I)
            and re.search(rf"\b({role}|public|all)\b", u.sql, re.I)
        ] or touching
    setting = "security_invoker" if "security_invoker" in change.what else "row level security"
    return [u for u in touching if setting in u.sql.lower()] or touching


#: how much of what a role may reach a statement changes, widest first
_REACH = (
    re.compile(r"row level security|\bgrant\b|\brevoke\b|security_invoker", re.I),
    re.compile(r"\b(create|drop)\s+policy\b", re.I),
    re.compile(r"\balter\s+policy\b", re.I),
)


def _reach(unit: Unit) -> int:
    return next((n for n, pattern in enumerate(_REACH) if pattern.search(unit.sql)), len(_REACH))


def _by_table(
    units: list[Unit], table: tuple[str, str], *, access: bool = False, index: bool = False
) -> list[Unit]:
    touching = [u for u in units if _mentions(u.sql, table[1])]
    kind = _ACCESS_SQL if access else _INDEX_SQL if index else None
    narrowed = [u for u in touching if kind is None or kind.search(u.sql)]
    return narrowed or touching


def _propagate(plan: Plan) -> None:
    """A fix that needs an index another (now dropped) fix creates goes too."""
    creators = {(n.schema, n.name): u for u in plan.units for n in u.creates}
    for unit in plan.units:
        for used in unit.uses:
            other = creators.get((used.schema, used.name))
            if other is not None and other.dropped is not None and unit.dropped is None:
                unit.dropped = f"needs {used}, whose fix is not written ({other.dropped})"


def _short(sql: str, limit: int = 160) -> str:
    one = " ".join(sql.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def load_seeds(conn: psycopg.Connection, project: Project) -> tuple[list[str], list[str]]:
    """The project's seed files, each in a transaction, as ``supabase db reset`` loads
    them; ``(loaded, warnings)``: a seed that fails is left out, with PostgreSQL's message
    (the fixes are still proven, on the schema without that data)."""
    loaded, warnings = [], []
    for path in project.seed_paths:
        try:
            text = path.read_text(encoding="utf-8")
            with conn.transaction():
                conn.execute(text.encode())
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{path.name}: cannot read the seed: {exc}")
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            warnings.append(
                f"{path.name}: the seed failed ({exc.sqlstate} {first}); proven without it"
            )
        else:
            loaded.append(path.name)
    return loaded, warnings
