"""I101 unindexed-foreign-key: Foreign key without an index that leads with its columns."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import psycopg

from pgvet.analysis.indexing import (
    create_index_fix,
    partial_fk_indexes,
    reviewed_tables,
    serving_index,
    unindexed_foreign_keys,
)
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.catalog.model import Catalog, Constraint, Index
from pgvet.rules.indexes.common import (
    column_list,
    column_location,
    index_hit,
    origin_location,
    table_location,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.sandbox import Sandbox

_USES = re.compile(r"(?:Index Scan|Index Only Scan) using (\S+)|Bitmap Index Scan on (\S+)")


def fk_location(ctx: LintContext, fk: Constraint) -> tuple[str, int] | None:
    """Where a foreign key is declared: its table-level clause or its column's line, else
    its named constraint's statement, else the table."""
    for name in ("fk:" + ",".join(fk.columns), *fk.columns[:1]):
        found = column_location(ctx, fk.schema, fk.table, name)
        if found is not None:
            return found
    return origin_location(ctx.catalog.origin_for(fk)) or table_location(ctx, fk.schema, fk.table)


@rule(
    "unindexed-foreign-key",
    "I101",
    "warn",
    "performance",
    "Foreign key without an index that leads with its columns",
    fixable=True,
)
def unindexed_foreign_key(ctx: LintContext) -> Iterator[Hit]:
    """PostgreSQL indexes the referenced side of a foreign key (its primary or unique key)
    but never the referencing columns. Without an index leading with them, every delete or
    key update on the parent table scans the whole child table to check or cascade the
    reference (under a lock), and joins from parent to children read every child row. An
    index serves the key when its first columns are exactly the key's columns, in any
    order. A partial index serves it too when its predicate says no more than ``fk IS NOT
    NULL`` (or than the table's NOT NULL columns guarantee): the check PostgreSQL runs for
    each parent row, ``SELECT 1 FROM ONLY child x WHERE fk = $1 FOR KEY SHARE OF x``,
    implies it. On the sandbox every such verdict is confirmed with EXPLAIN of that query
    (generic plan, sequential scans off): an index the plan uses serves the key, whatever
    pgvet read in its predicate; a partial index that cannot serve it is named.

    Bad:
    ```sql
    create table public.clinics (id uuid primary key default gen_random_uuid());
    create table public.appointments (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null references public.clinics (id) on delete cascade,
      starts_at timestamptz not null
    );
    ```
    Good:
    ```sql
    create table public.clinics (id uuid primary key default gen_random_uuid());
    create table public.appointments (
      id uuid primary key default gen_random_uuid(),
      clinic_id uuid not null references public.clinics (id) on delete cascade,
      starts_at timestamptz not null
    );
    create index idx_appointments_clinic_id_starts_at
      on public.appointments (clinic_id, starts_at);
    ```
    """
    catalog = ctx.catalog
    unindexed = {_key(fk) for fk in unindexed_foreign_keys(catalog)}
    for fk in _partially_served(catalog, unindexed):
        serving, _other = partial_fk_indexes(catalog, fk)
        plan = _check_plan(ctx.sandbox, catalog, fk)
        if plan is not None and not plan.uses(serving):
            yield _hit(ctx, fk, _partial_unused(serving, plan))
    for fk in unindexed_foreign_keys(catalog):
        _serving, other = partial_fk_indexes(catalog, fk)
        plan = _check_plan(ctx.sandbox, catalog, fk) if other else None
        if plan is not None and plan.uses(other):
            continue  # PostgreSQL uses the partial index for the check: it serves the key
        yield _hit(ctx, fk, _partial_unusable(other, plan) if other else "")


def _key(fk: Constraint) -> tuple[str, str, str]:
    return (fk.schema, fk.table, fk.name)


def _partially_served(catalog: Catalog, unindexed: set[tuple[str, str, str]]) -> list[Constraint]:
    """Reviewed foreign keys that only a partial index serves (to confirm on the sandbox)."""
    reviewed = {t.key for t in reviewed_tables(catalog)}
    return [
        fk
        for fk in catalog.foreign_keys
        if not fk.inherited
        and (fk.schema, fk.table) in reviewed
        and _key(fk) not in unindexed
        and serving_index(catalog, fk.schema, fk.table, fk.columns) is None
    ]


@dataclass(frozen=True)
class _Plan:
    """The sandbox's plan of the reference check: the indexes it reads, its first line."""

    indexes: tuple[str, ...]
    summary: str

    def uses(self, indexes: Sequence[Index]) -> bool:
        return any(i.name in self.indexes or ident(i.name) in self.indexes for i in indexes)


def _check_plan(sandbox: Sandbox | None, catalog: Catalog, fk: Constraint) -> _Plan | None:
    """EXPLAIN of the query PostgreSQL's RI trigger runs on the referencing table for each
    deleted or re-keyed parent row (ri_triggers.c, RI_PLAN_CHECK_LOOKUPPK's mirror for the
    referencing side): a generic plan with sequential scans off, so any index that can
    serve it is chosen. None without a sandbox, past the cap, or when it cannot run."""
    table = catalog.find_table(fk.schema, fk.table)
    if sandbox is None or table is None or not sandbox.take("unindexed-foreign-key"):
        return None
    types = [table.column(c).type if table.column(c) else None for c in fk.columns]
    if None in types:
        return None
    only = "" if table.kind == "partitioned" else "only "
    where = " and ".join(f"x.{ident(c)} = ${n}" for n, c in enumerate(fk.columns, start=1))
    prepare = (
        f"prepare pgvet_fk_check ({', '.join(str(t) for t in types)}) as select 1 from "
        f"{only}{qualified(fk.schema, fk.table)} x where {where} for key share of x"
    )
    nulls = ", ".join("null" for _ in fk.columns)
    try:
        with sandbox.rolled_back() as conn:
            conn.execute("set local plan_cache_mode = force_generic_plan")
            conn.execute("set local enable_seqscan = off")
            conn.execute(prepare)
            rows = conn.execute(f"explain (costs off) execute pgvet_fk_check ({nulls})")
            lines = [r[0] for r in rows.fetchall()]
    except psycopg.Error:
        return None
    finally:
        sandbox.conn.execute("deallocate all")  # prepared statements outlive a rollback
    used = tuple(a or b for line in lines for a, b in _USES.findall(line))
    scan = next((ln.strip().lstrip("-> ").strip() for ln in lines if "Scan" in ln), lines[0])
    return _Plan(used, scan)


def _predicates(indexes: Sequence[Index]) -> str:
    return ", ".join(f"{ident(i.name)} (where {i.predicate})" for i in indexes)


def _partial_unused(serving: Sequence[Index], plan: _Plan) -> str:
    return (
        f"; partial index {_predicates(serving)} leads with these columns and its predicate "
        f"is implied by the check, but PostgreSQL does not use it for the check on the "
        f"sandbox (plan: {plan.summary})"
    )


def _partial_unusable(other: Sequence[Index], plan: _Plan | None) -> str:
    what = "partial index" if len(other) == 1 else "partial indexes"
    evidence = (
        f"; confirmed on the sandbox: the check's plan reads {plan.summary}"
        if plan is not None
        else " (not confirmed on a server: no sandbox, or past pgvet's cap of checks)"
    )
    return (
        f"; {what} {_predicates(other)} lead{'s' if len(other) == 1 else ''} with these "
        f"columns but cannot serve the check, which does not imply the predicate{evidence}"
    )


def _hit(ctx: LintContext, fk: Constraint, partial: str) -> Hit:
    catalog = ctx.catalog
    cols = column_list(fk.columns)
    parent = f"{fk.ref_schema}.{fk.ref_table}"
    message = (
        f"foreign key {fk.name} ({cols}) references {parent} but no index on "
        f"{fk.schema}.{fk.table} leads with ({cols}){partial}: each delete or key update "
        f"on {parent} scans {fk.table} to check the reference, and joins on it cannot "
        "use an index"
    )
    return index_hit(
        f"{fk.schema}.{fk.table}",
        message,
        fk_location(ctx, fk),
        create_index_fix(catalog, fk.schema, fk.table, fk.columns),
        detail=",".join(fk.columns),
        constraint=fk.name,
        columns=list(fk.columns),
        references=parent,
    )
