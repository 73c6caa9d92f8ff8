"""The whole of ``pgvet advise``: fill, run the workload, propose, screen, build, measure,
choose, and measure the chosen set together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console

from pgvet.advise import candidates as proposals
from pgvet.advise.choose import Choice, choose
from pgvet.advise.include import from_index_scans
from pgvet.advise.measure import Measured, insert_rate, measure
from pgvet.advise.policies import PolicyMeasured, measure_rewrite, rewrites, tables_read
from pgvet.advise.review import MigrationEffect, effect, without_file
from pgvet.advise.screen import Screening, hypopg_schema, screen
from pgvet.analysis.sql.quote import ident
from pgvet.config import Config
from pgvet.data.plan import Scale
from pgvet.data.session import Filled, filled_project
from pgvet.errors import InputError
from pgvet.replay.limits import Limits
from pgvet.replay.project import Project
from pgvet.sandbox.platform import PROJECT_ROLE
from pgvet.workload.run import Prepared, WorkloadRun, prepare, run_workload

#: a partial candidate is tried when its predicate keeps at most this share of the rows
PARTIAL_SHARE = 0.25


@dataclass
class Advice:
    before: WorkloadRun
    screening: Screening
    measured: list[Measured]
    choice: Choice
    after: WorkloadRun | None
    #: relation → insert rows/s before and with the whole chosen set
    writes: dict[str, tuple[float, float]]
    migration: MigrationEffect | None
    rows: int
    #: policy rewrites, each applied alone and measured (``--policies``)
    policies: list[PolicyMeasured] = field(default_factory=list)
    #: query → its error as its own persona, for the queries advised as ``postgres``
    bypassed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    iterations: int
    concurrency: int
    seed: int = 0
    pg_version: int | None = None
    policies: bool = True


def advise(
    path: Path,
    project: Project,
    config: Config,
    scale: Scale,
    limits: Limits,
    settings: Settings,
    *,
    migration: str | None = None,
    console: Console | None = None,
    then: Callable[[Filled, Advice], None] | None = None,
) -> Advice:
    """``then`` (a bench's referee) runs on the filled sandbox at the end, the chosen set
    still built."""
    without = None
    if migration is not None:
        reduced = without_file(project, migration)
        with _filled(path, reduced, config, scale, limits, settings, console) as filled:
            without = _run(filled, config, settings, console, f"without {migration}")[3]
    with _filled(path, project, config, scale, limits, settings, console) as filled:
        own, as_persona, prepared, first = _run(filled, config, settings, console, "workload")
        bypassed = {q.name: q.error for q in as_persona.queries if q.error}
        server, catalog = filled.session.server, filled.session.catalog
        found = proposals.merged(
            proposals.from_lint(catalog, config, project)
            + proposals.from_plans(first, {p.name: p.text for p in prepared}),
            catalog,
        )
        with server.admin() as admin, server.connect() as conn:
            policies = (
                _policy_rewrites(admin, server.connect, catalog, own, as_persona, settings, console)
                if settings.policies
                else []
            )
            found = proposals.merged(
                found + from_index_scans(conn, catalog, prepared, first), catalog
            )
            shares = {c.key: proposals.partial_share(admin, c) for c in found if c.predicate}
            wide = [c for c in found if shares.get(c.key, 0.0) > PARTIAL_SHARE]
            found = [c for c in found if c not in wide]
            screening = screen(conn, hypopg_schema(admin), found, prepared, first)
            screening.dropped += [
                (c, f"partial, its predicate keeps {shares[c.key]:.0%} of the rows") for c in wide
            ]
            measured = [
                measure(
                    admin,
                    server.connect,
                    c,
                    _serving(prepared, screening, c.name),
                    iterations=settings.iterations,
                    concurrency=settings.concurrency,
                    console=console,
                )
                for c in screening.kept
            ]
            choice = choose(measured)
            tables = {(m.candidate.schema, m.candidate.table) for m in choice.chosen}
            writes = {f"{s}.{t}": (insert_rate(admin, s, t), 0.0) for s, t in sorted(tables)}
            before, after = first, None
            if choice.chosen:
                # the baseline again, next in time to the run with the set (load drifts)
                before = run_workload(
                    server.connect,
                    prepared,
                    iterations=settings.iterations,
                    concurrency=settings.concurrency,
                    console=console,
                    label="before the set",
                )
                for item in choice.chosen:
                    admin.execute(item.candidate.sql)
                for schema, table in sorted(tables):
                    admin.execute(f"analyze {ident(schema)}.{ident(table)}")
                    key = f"{schema}.{table}"
                    writes[key] = (writes[key][0], insert_rate(admin, schema, table))
                after = run_workload(
                    server.connect,
                    prepared,
                    iterations=settings.iterations,
                    concurrency=settings.concurrency,
                    console=console,
                    label="chosen set",
                )
            review = None
            if migration is not None and without is not None:
                review = effect(admin, project, migration, without, first)
        advice = Advice(
            before,
            screening,
            measured,
            choice,
            after,
            writes,
            review,
            filled.result.rows,
            policies,
            bypassed,
        )
        if then is not None:
            then(filled, advice)
        return advice


def _policy_rewrites(admin, connect, catalog, prepared, first, settings, console):
    """Each policy rewrite on a table the workload reads, applied alone and measured on
    the queries that read that table."""
    reads = tables_read(catalog, first, prepared)
    tables = set().union(*reads.values()) if reads else set()
    out = []
    for rewrite in rewrites(catalog, tables):
        key = (rewrite.policy.schema, rewrite.policy.table)
        affected = [p for p in prepared if key in reads.get(p.name, set())]
        if affected:
            out.append(
                measure_rewrite(
                    admin,
                    connect,
                    rewrite,
                    affected,
                    iterations=settings.iterations,
                    concurrency=settings.concurrency,
                    console=console,
                )
            )
    return out


def _serving(prepared: list[Prepared], screening: Screening, name: str) -> list[Prepared]:
    """The queries a candidate may serve: those whose hypothetical plan used it, or all."""
    users = screening.used_by.get(name)
    return [p for p in prepared if p.name in users] if users else prepared


def _filled(path, project, config, scale, limits, settings, console):
    return filled_project(
        path,
        project,
        config,
        scale,
        limits=limits,
        pg_version=settings.pg_version,
        seed=settings.seed,
        console=console,
    )


def bypassing_rls(item: Prepared) -> Prepared:
    """``item`` run as ``postgres`` (the tables' owner, BYPASSRLS: RLS off, as the SQL
    editor runs it), with the same parameters and claims."""
    persona = replace(item.acting.persona, name=PROJECT_ROLE, role=PROJECT_ROLE)
    return replace(item, acting=replace(item.acting, persona=persona))


def _run(
    filled: Filled, config: Config, settings: Settings, console: Console | None, label: str
) -> tuple[list[Prepared], WorkloadRun, list[Prepared], WorkloadRun]:
    """The workload as its personas; then the queries that failed (42P17 in a policy, say)
    once more as ``postgres``, RLS bypassed, so their own plans still yield candidates and
    measurements: (as personas, their run, with the failing ones bypassed, its run)."""
    if filled.workload is None:
        raise InputError(
            f"{filled.session.project.root}: no workload file",
            hint="write workload.sql (queries named by `-- name: x`) or set [lint] workload",
        )
    server = filled.session.server
    with server.connect() as conn:
        prepared = prepare(conn, filled.session.catalog, config, filled.workload)
    run = run_workload(
        server.connect,
        prepared,
        iterations=settings.iterations,
        concurrency=settings.concurrency,
        console=console,
        label=label,
    )
    failing = {q.name for q in run.queries if q.error}
    if not failing:
        return prepared, run, prepared, run
    swapped = [bypassing_rls(p) if p.name in failing else p for p in prepared]
    again = run_workload(
        server.connect,
        [p for p in swapped if p.name in failing],
        iterations=settings.iterations,
        concurrency=settings.concurrency,
        console=console,
        label=f"{label}: failing queries as {PROJECT_ROLE}",
    )
    redone = {q.name: q for q in again.queries}
    merged = replace(
        run,
        queries=[redone.get(q.name, q) for q in run.queries],
        seconds=run.seconds + again.seconds,
    )
    return prepared, run, swapped, merged
