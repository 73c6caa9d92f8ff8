"""One RLS test run over a connection: personas, expectations, fixture, isolation.

Order matters and is deliberate:

1. configured personas are resolved against the data as loaded (the seed, or the live
   disposable database), every table and view is read as each of them (recursion and
   broken functions show up here), and the declared expectations run;
2. then pgvet generates its two tenants and runs the automatic isolation checks, so its
   rows never disturb the counts the expectations declared.

All of it happens inside one transaction that is rolled back at the end, so a run leaves
the database exactly as it found it (and a live disposable server too).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

from pgvet.catalog.model import Catalog, Table
from pgvet.config import Config
from pgvet.rls.checks import Context, count_rows
from pgvet.rls.expectations import expectation_checks
from pgvet.rls.fixture import Fixture, build_fixture
from pgvet.rls.isolation import isolation_checks
from pgvet.rls.personas import ANON, SERVICE_ROLE, Persona
from pgvet.rls.results import CheckResult, PersonaInfo, RlsReport
from pgvet.rls.runner import Kind, Runner, plain
from pgvet.rls.settings import RlsSettings
from pgvet.rls.tenancy import Tenancy, discover

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
) -> RlsReport:
    """Run every check; nothing is left behind (one transaction, rolled back)."""
    started = time.perf_counter()
    auto = settings.auto if auto is None else auto
    report = RlsReport(source=source, seeded=seeded, auto=auto)
    say = progress or (lambda _msg: None)
    with conn.transaction(force_rollback=True):
        ctx = Context(conn, catalog, Runner(conn))
        configured = [p.resolve(conn) for p in settings.personas]
        by_name = {p.name: p for p in configured}
        by_name.setdefault("anon", ANON)
        by_name.setdefault("service_role", SERVICE_ROLE)
        readers = list(configured)
        for info in configured:
            report.personas.append(_info(info, "config"))
        if configured:
            say(f"reading every table as {len(readers)} configured persona(s)")
            report.results += read_checks(ctx, readers, _readable(catalog))
        if settings.expectations:
            say(f"checking {len(settings.expectations)} declared expectation(s)")
            report.results += expectation_checks(ctx, by_name, list(settings.expectations))
        if auto:
            say("discovering tenants and generating two of them")
            tenancy = discover(
                catalog, config.tenant_columns, settings.tenant_roots, settings.membership
            )
            fixture = build_fixture(conn, catalog, tenancy)
            personas = _tenant_personas(conn, fixture)
            anon = ANON
            report.personas += [_info(p, "generated") for p in personas]
            report.personas.append(_info(anon, "builtin"))
            say(f"isolation: {len(fixture.tested_tables)} tables × {len(personas) + 1} personas")
            report.results += isolation_checks(ctx, fixture, personas, anon)
            rest = [t for t in _readable(catalog) if t.key not in set(fixture.tested_tables)]
            report.results += read_checks(ctx, [*personas, anon], rest)
            _describe(report, tenancy, fixture)
    report.seconds = time.perf_counter() - started
    report.notes.append(f"{ctx.runner.round_trips} round trips for checks")
    return report


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


def _tenant_personas(conn: psycopg.Connection, fixture: Fixture) -> list[Persona]:
    """One persona per generated user of tenant A, plus one who forged ``user_metadata``.

    ``user_metadata`` is writable by its user (``supabase.auth.updateUser``), so a policy
    that trusts it trusts the attacker: the forged persona is tenant A's least privileged
    user claiming tenant B's ids there.
    """
    out = []
    users = fixture.users.get("A", [])
    for user in users:
        label = "user" if fixture.tenancy.mode == "user" else user.role
        persona = Persona(
            name=f"A:{label}",
            role="authenticated",
            user_id=user.id,
            tenant="A",
            description=f"generated {label} of tenant A",
        )
        out.append(persona.resolve(conn))
    forged = fixture.tenant_values.get("B", {})
    if users and forged:
        base = out[-1]
        out.append(
            Persona(
                name=f"{base.name}+forged-metadata",
                role="authenticated",
                claims={"user_metadata": dict(forged)},
                user_id=base.user_id,
                tenant="A",
                description=f"{base.description}, with tenant B's ids written into its own "
                "user_metadata (which any user can change)",
            ).resolve(conn)
        )
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


def _describe(report: RlsReport, tenancy: Tenancy, fixture: Fixture) -> None:
    report.tenancy = tenancy.describe()
    report.tested_tables = [".".join(t) for t in fixture.tested_tables]
    report.unfilled = {".".join(k): v for k, v in sorted(fixture.unfilled.items())}
    report.shared = [".".join(t) for t in tenancy.shared]
    missing = [
        ".".join(k)
        for k in sorted(tenancy.scoped)
        if k not in fixture.unfilled and k not in set(fixture.tested_tables) and k[0] != "auth"
    ]
    for name in missing:
        report.unfilled.setdefault(name, "rows exist in only one tenant (not testable)")
    if not tenancy.scoped:
        report.notes.append(
            "no tenant-scoped table found: nothing references auth.users or a tenant"
        )
