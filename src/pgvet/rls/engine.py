"""One RLS test run over a connection: personas, expectations, fixture, isolation.

Order matters and is deliberate:

1. configured personas are resolved against the data as loaded (the seed, or the live
   disposable database), every table and view is read as each of them (recursion and
   broken functions show up here), and the declared expectations run;
2. then pgvet generates its two tenants and runs the automatic isolation checks, so its
   rows never disturb the counts the expectations declared.

Each phase runs in one transaction that is rolled back at the end, so a run leaves the
database exactly as it found it (a live disposable server too). The phases share no
uncommitted data, so with a second connection they run side by side.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg

from pgvet.catalog.model import Catalog, Table
from pgvet.config import Config
from pgvet.errors import InputError
from pgvet.rls.attacks import attack_checks
from pgvet.rls.checks import Context, count_rows
from pgvet.rls.coverage import Coverage, measure
from pgvet.rls.declared import tenancy_for
from pgvet.rls.evidence import Evidence, verify
from pgvet.rls.expectations import expectation_checks
from pgvet.rls.fixture import Fixture, build_fixture
from pgvet.rls.isolation import isolation_checks
from pgvet.rls.personas import ANON, SERVICE_ROLE, Persona
from pgvet.rls.results import CheckResult, PersonaInfo, RlsReport
from pgvet.rls.runner import Kind, Runner, plain
from pgvet.rls.settings import Expectation, RlsSettings
from pgvet.rls.tenancy import Tenancy
from pgvet.rls.users import read_signups

Progress = Callable[[str], None]


def run_rls_tests(
    conn: psycopg.Connection,
    catalog: Catalog,
    config: Config,
    settings: RlsSettings,
    *,
    source: str,
    seeded: bool,
    auto: bool | None = None,
    progress: Progress | None = None,
    second: psycopg.Connection | None = None,
) -> RlsReport:
    """Run every check; nothing is left behind (each phase is one transaction, rolled back).

    With ``second`` (another connection to the same database) the configured phase runs
    on it in a thread while this connection builds the fixture and runs the isolation
    checks: the two phases share no uncommitted data, so they need not wait for each
    other.
    """
    started = time.perf_counter()
    auto = settings.auto if auto is None else auto
    report = RlsReport(source=source, seeded=seeded, auto=auto)
    report.expectations = [_expectation_dict(e) for e in settings.expectations]
    say = progress or (lambda _msg: None)
    wants_configured = bool(settings.personas or settings.expectations)
    configured: Phase | None = None
    automatic: Phase | None = None
    if wants_configured and auto and second is not None:
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(_configured_phase, second, catalog, settings, say)
            try:
                automatic = _auto_phase(conn, catalog, config, settings, say)
            finally:
                configured = future.result()
    else:
        if wants_configured:
            configured = _configured_phase(conn, catalog, settings, say)
        if auto:
            automatic = _auto_phase(conn, catalog, config, settings, say)
    round_trips = 0
    for phase in (configured, automatic):
        if phase is not None:
            known = {p.name for p in report.personas}
            report.personas += [p for p in phase.personas if p.name not in known]
            report.results += phase.results
            round_trips += phase.round_trips
    if automatic is not None and automatic.fixture is not None:
        _describe(report, automatic.tenancy, automatic.fixture, catalog)
        report.coverage = automatic.coverage
    report.seconds = time.perf_counter() - started
    report.notes.append(f"{round_trips} round trips for checks")
    return report


@dataclass
class Phase:
    """What one phase produced."""

    personas: list[PersonaInfo] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    round_trips: int = 0
    tenancy: Tenancy | None = None
    fixture: Fixture | None = None
    coverage: Coverage | None = None


def _configured_phase(
    conn: psycopg.Connection, catalog: Catalog, settings: RlsSettings, say: Progress
) -> Phase:
    """Configured personas on the data as loaded: every table read, every expectation."""
    phase = Phase()
    with conn.transaction(force_rollback=True):
        ctx = Context(conn, catalog, Runner(conn))
        check_roles(conn, settings.personas, settings.source)
        configured = [p.resolve(conn) for p in settings.personas]
        by_name = {p.name: p for p in configured}
        by_name.setdefault("anon", ANON)
        by_name.setdefault("service_role", SERVICE_ROLE)
        phase.personas = [_info(p, "config") for p in configured]
        if configured:
            say(f"reading every table as {len(configured)} configured persona(s)")
            phase.results += read_checks(ctx, configured, _readable(catalog))
        if settings.expectations:
            say(f"checking {len(settings.expectations)} declared expectation(s)")
            phase.results += expectation_checks(ctx, by_name, list(settings.expectations))
        phase.round_trips = ctx.runner.round_trips
    return phase


def _auto_phase(
    conn: psycopg.Connection,
    catalog: Catalog,
    config: Config,
    settings: RlsSettings,
    say: Progress,
) -> Phase:
    """Two generated tenants, and tenant A's personas and anon against tenant B's rows."""
    phase = Phase()
    with conn.transaction(force_rollback=True):
        ctx = Context(conn, catalog, Runner(conn))
        say("discovering tenants and generating two of them")
        tenancy = tenancy_for(catalog, config.tenant_columns, read_signups(conn), settings)
        fixture = build_fixture(conn, catalog, tenancy)
        evidence = verify(conn, fixture)
        personas = _tenant_personas(conn, fixture, evidence)
        phase.personas = [_info(p, "generated") for p in personas] + [_info(ANON, "builtin")]
        say(f"isolation: {len(fixture.tested_tables)} tables × {len(personas) + 1} personas")
        if evidence.sound and personas:
            phase.results += isolation_checks(ctx, fixture, personas, ANON, settings.public_tables)
            leaking = frozenset(
                r.table for r in phase.results if r.command == "select" and r.status == "fail"
            )
            phase.results += attack_checks(ctx, fixture, personas, settings.public_tables, leaking)
        tested = set(fixture.tested_tables)
        rest = [t for t in _readable(catalog) if t.key not in tested]
        phase.results += read_checks(ctx, [*personas, ANON], rest)
        members = {p.name: evidence.members.get(p.user_id or "", "") for p in personas if p.user_id}
        for user in fixture.users.get("A", []):
            if user.id in evidence.strangers:
                members[f"A:{user.role} (left out)"] = evidence.strangers[user.id]
        phase.coverage = measure(
            catalog, fixture, evidence, phase.results, members, settings.min_coverage
        )
        phase.round_trips = ctx.runner.round_trips
        phase.tenancy, phase.fixture = tenancy, fixture
    return phase


def check_roles(conn: psycopg.Connection, personas: tuple[Persona, ...], source: Any) -> None:
    """Every persona's role exists and the connection may switch to it (SET ROLE)."""
    names = sorted({p.role for p in personas})
    if not names:
        return
    rows = conn.execute(
        "select r, exists (select from pg_roles where rolname = r),"
        " case when exists (select from pg_roles where rolname = r)"
        "   then pg_has_role(current_user, r, 'MEMBER') else false end"
        " from unnest(%s::text[]) r",
        (names,),
    ).fetchall()
    where = f"{source}: " if source else ""
    for role, exists, member in rows:
        who = ", ".join(p.name for p in personas if p.role == role)
        if not exists:
            raise InputError(
                f"{where}persona {who}: role {role} does not exist in this database",
                hint="PostgREST switches to anon, authenticated or service_role",
            )
        if not member:
            raise InputError(f"{where}persona {who}: the connection cannot SET ROLE {role}")


def _readable(catalog: Catalog) -> list[Table]:
    return [t for t in catalog.tables if t.extension is None and t.parent is None]


def read_checks(ctx: Context, personas: list[Persona], tables: list[Table]) -> list[CheckResult]:
    """Read every table as every persona: recursion and failing functions surface here."""
    out: list[CheckResult] = []
    statements: list[tuple[Kind, str]] = [("q", count_rows(ctx, t)) for t in tables]
    compiled = ctx.runner.compile(statements)
    for persona in sorted(personas, key=lambda p: p.role):  # one role at a time: plans reused
        outcomes = ctx.runner.run_compiled(compiled, persona, "select")
        for table, (_k, text), outcome in zip(tables, statements, outcomes, strict=True):
            base = {
                "persona": persona.name,
                "table": f"{table.schema}.{table.name}",
                "command": "select",
                "kind": "read",
                "query": plain(text),
            }
            if outcome.ok:
                out.append(
                    CheckResult(**base, status="pass", summary=f"reads {outcome.result} row(s)")
                )  # type: ignore[arg-type]
            elif outcome.sqlstate == "42501":
                out.append(
                    CheckResult(
                        **base,  # type: ignore[arg-type]
                        status="denied",
                        summary="permission denied (no grant)",
                        sqlstate=outcome.sqlstate,
                        error=outcome.message,
                    )
                )
            else:
                cycle = (
                    ctx.recursion_path(table, outcome.message)
                    if outcome.sqlstate == "42P17"
                    else None
                )
                what = "policy recursion (42P17)" if outcome.sqlstate == "42P17" else "query failed"
                detail = cycle or f"{outcome.sqlstate} {outcome.message}"
                out.append(
                    CheckResult(
                        **base,  # type: ignore[arg-type]
                        status="error",
                        summary=f"{what}: {detail}",
                        sqlstate=outcome.sqlstate,
                        error=outcome.message,
                        cycle=cycle,
                    )
                )
    return out


def _tenant_personas(
    conn: psycopg.Connection, fixture: Fixture, evidence: Evidence
) -> list[Persona]:
    """One persona per generated user of tenant A that really is a member of tenant A,
    plus one who forged ``user_metadata``.

    ``user_metadata`` is writable by its user (``supabase.auth.updateUser``), so a policy
    that trusts it trusts the attacker: the forged persona is tenant A's least privileged
    user claiming tenant B's ids there. With value tenancy the personas carry the tenant
    claim (``tenant_id``) the helpers read.
    """
    out = []
    users = [u for u in fixture.users.get("A", []) if u.id not in evidence.strangers]
    tenancy = fixture.tenancy
    claims: dict[str, str] = {}
    if tenancy.claim:
        claims[tenancy.claim] = fixture.tenant_values.get("A", {}).get(
            next(iter(tenancy.value_columns.values()), ""), ""
        )
    for user in users:
        label = "user" if tenancy.mode == "user" else user.role
        persona = Persona(
            name=f"A:{label}",
            role="authenticated",
            claims=dict(claims),
            user_id=user.id,
            tenant="A",
            description=f"generated {label} of tenant A ({evidence.members.get(user.id, '')})",
        )
        out.append(persona.resolve(conn))
    forged = fixture.tenant_values.get("B", {})
    if users and forged:
        base = out[-1]
        out.append(
            Persona(
                name=f"{base.name}+forged-metadata",
                role="authenticated",
                claims={**claims, "user_metadata": dict(forged)},
                user_id=base.user_id,
                tenant="A",
                description=f"{base.description}, with tenant B's ids written into its own "
                "user_metadata (which any user can change)",
            ).resolve(conn)
        )
    return out


def _expectation_dict(exp: Expectation) -> dict[str, Any]:
    out: dict[str, Any] = {"persona": exp.persona, "table": exp.qualified}
    for key in ("visible", "count", "target", "description"):
        value = getattr(exp, key)
        if value not in (None, ""):
            out[key] = value
    out["allow"] = list(exp.allow)
    out["deny"] = list(exp.deny)
    return out


def _info(persona: Persona, source: str) -> PersonaInfo:
    return PersonaInfo(
        persona.name,
        persona.role,
        persona.summary(),
        persona.description,
        persona.tenant,
        source,
    )


def _describe(
    report: RlsReport, tenancy: Tenancy | None, fixture: Fixture, catalog: Catalog
) -> None:
    assert tenancy is not None
    report.tenancy = tenancy.describe()
    report.tested_tables = [".".join(t) for t in fixture.tested_tables]
    report.unfilled = {".".join(k): v for k, v in sorted(fixture.unfilled.items())}
    report.shared = [".".join(t) for t in tenancy.shared]
    report.notes += fixture.notes
    partitions = {t.key for t in catalog.tables if t.parent is not None}
    tested = set(fixture.tested_tables)
    missing = [
        ".".join(k)
        for k in sorted(tenancy.scoped)
        if k not in fixture.unfilled and k not in tested and k[0] != "auth" and k not in partitions
    ]
    for name in missing:
        report.unfilled.setdefault(name, "rows exist in only one tenant (not testable)")
    if not tenancy.scoped:
        report.notes.append(
            "no tenant-scoped table found: nothing references auth.users or a tenant"
        )
