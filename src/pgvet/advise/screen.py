"""Screen candidates with hypopg: keep those some workload plan would use.

A hypothetical index costs nothing to create, so every candidate is tried alone and each
query's plan (EXPLAIN without ANALYZE, as its persona) is read for it. Only the real hypopg
lets the planner see them; pgvet's SQL stand-in (servers without the package) records them
and nothing more, so there the screening is skipped and said so, and every candidate on a
table the workload reads is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import psycopg

from pgvet.advise.candidates import Candidate
from pgvet.analysis.sql.quote import ident
from pgvet.rls.acting import set_persona
from pgvet.workload.run import Prepared, WorkloadRun


@dataclass
class Screening:
    """What survived, what was dropped and why, and how (hypopg or not at all)."""

    kept: list[Candidate]
    dropped: list[tuple[Candidate, str]] = field(default_factory=list)
    method: str = ""
    #: candidate name → queries whose hypothetical plan used it
    used_by: dict[str, list[str]] = field(default_factory=dict)
    #: candidate name → why it was built without screening
    unscreened: dict[str, str] = field(default_factory=dict)


def hypopg_schema(admin: psycopg.Connection) -> str | None:
    """Install the real hypopg if the server has it; its schema, or None (absent or the
    stand-in, which the planner cannot see)."""
    row = admin.execute(
        "select comment from pg_available_extensions where name = 'hypopg'"
    ).fetchone()
    if row is None or "stand-in" in (row[0] or ""):
        return None
    admin.execute("create extension if not exists hypopg")
    found = admin.execute(
        "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace "
        "where e.extname = 'hypopg'"
    ).fetchone()
    return found[0] if found else None


def screen(
    conn: psycopg.Connection,
    schema: str | None,
    candidates: list[Candidate],
    prepared: list[Prepared],
    before: WorkloadRun,
) -> Screening:
    """Keep the candidates a plan uses (hypopg), or those on a table the workload reads."""
    read = {rel for q in before.queries if q.plan for rel in q.plan.relations}
    runnable = [(p, q) for p, q in zip(prepared, before.queries, strict=True) if q.error is None]
    if schema is None:
        out = Screening(
            [],
            method="not screened: hypopg is not installed for this server "
            "(pgvet's stand-in cannot show the planner a hypothetical index); "
            "every candidate on a table the workload reads is built",
        )
        for c in candidates:
            if c.table in read:
                out.kept.append(c)
            else:
                out.dropped.append((c, "the workload never reads this table"))
        return out
    out = Screening([], method=f"hypopg ({schema}): each candidate alone, every query's plan")
    create = f"select indexname from {ident(schema)}.hypopg_create_index(%s)"
    reset = f"select {ident(schema)}.hypopg_reset()"
    for candidate in candidates:
        users: list[str] = []
        try:
            row = conn.execute(create, (candidate.sql,)).fetchone()
        except psycopg.Error as exc:
            if candidate.table in read:  # gin, say: built and measured unscreened
                out.kept.append(candidate)
                out.unscreened[candidate.name] = f"hypopg cannot model it: {_first(exc)}"
            else:
                out.dropped.append((candidate, "the workload never reads this table"))
            continue
        hypothetical = row[0] if row else ""
        for item, query in runnable:
            if hypothetical in _plan_indexes(conn, item, query.params):
                users.append(item.name)
        conn.execute(reset)
        if users:
            out.kept.append(candidate)
            out.used_by[candidate.name] = users
        else:
            out.dropped.append((candidate, "no workload plan uses it (hypopg)"))
    return out


def _plan_indexes(conn: psycopg.Connection, item: Prepared, params: dict) -> set[str]:
    try:
        with conn.transaction(force_rollback=True):
            set_persona(conn, item.acting.persona)
            row = conn.execute(
                "explain (format json) " + item.text,
                params,  # type: ignore[arg-type]
            ).fetchone()
    except psycopg.Error:
        return set()
    document = (
        row[0] if row and not isinstance(row[0], str) else json.loads(row[0] if row else "[]")
    )
    found: set[str] = set()
    stack = [document[0]["Plan"]] if document else []
    while stack:
        node = stack.pop()
        if node.get("Index Name"):
            found.add(node["Index Name"])
        stack.extend(node.get("Plans", []))
    return found


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
