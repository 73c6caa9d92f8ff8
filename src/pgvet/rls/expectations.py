"""Declared expectations: what automation cannot infer, written down per persona and table.

The predicates in ``visible`` and ``target`` are evaluated by the superuser **with the
persona's JWT claims set**, so they may use ``auth.uid()`` / ``auth.jwt()`` and read any
table without RLS getting in the way: they describe the truth the policies should match.
The persona then runs the real queries, and the two row sets are compared by key:

* ``visible`` — the persona sees exactly the rows the predicate selects;
* ``count`` — the persona sees exactly this many rows;
* ``allow`` / ``deny`` — on the ``target`` rows (default: the visible ones): SELECT sees
  all / none of them, UPDATE and DELETE touch all / none, INSERT of a copy of one of them
  succeeds / is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgvet.errors import InputError
from pgvet.rls.attribution import attribute, describe_row, describe_rows
from pgvet.rls.checks import (
    Context,
    copy_row,
    insert_copy,
    keys_of,
    read_keys,
    write_keys,
    write_verdict,
)
from pgvet.rls.personas import Persona
from pgvet.rls.results import CheckResult
from pgvet.rls.runner import Kind, Outcome, plain
from pgvet.rls.settings import Expectation, predicate_sql


@dataclass
class _Truth:
    expected: list[str] | None  # keys the persona should see (None: not declared)
    target: list[str]
    sample: dict[str, Any] | None


def _truth(ctx: Context, persona: Persona, exp: Expectation) -> _Truth:
    """Evaluate the predicates as the superuser with the persona's claims."""
    table = ctx.catalog.find_table(exp.schema, exp.table)
    assert table is not None
    spec = ctx.spec(table)

    def keys(predicate: str) -> list[str]:
        query = sql.SQL(
            "select coalesce(json_agg(k), '[]') from (select {} as k from {} where ({})) s"
        ).format(spec.expr(), spec.ident, sql.SQL(predicate))  # type: ignore[arg-type]
        try:
            with ctx.conn.transaction(force_rollback=True):
                ctx.conn.execute(
                    "select set_config('request.jwt.claims', %s, true)", (persona.claims_json(),)
                )
                row = ctx.conn.execute(query).fetchone()
        except psycopg.Error as exc:
            raise InputError(
                f"{exp.where}: the predicate for {exp.qualified} failed: "
                f"{str(exc).strip().splitlines()[0]}",
                hint=f"predicate: {predicate}",
            ) from exc
        return [str(k) for k in (row[0] if row else [])]

    expected = keys(predicate_sql(exp.visible)) if exp.visible is not None else None
    target = keys(exp.target_predicate)
    sample = None
    if target and "insert" in (*exp.allow, *exp.deny):
        row = ctx.conn.execute(
            sql.SQL("select to_jsonb({}) from {} as {} where {} limit 1").format(
                sql.Identifier(table.name),
                spec.ident,
                sql.Identifier(table.name),
                spec.matches(target[:1]),
            )
        ).fetchone()
        sample = dict(row[0]) if row else None
    return _Truth(expected, target, sample)


def expectation_checks(
    ctx: Context, personas: dict[str, Persona], expectations: list[Expectation]
) -> list[CheckResult]:
    """Run every declared expectation; one result per expectation and command."""
    results: list[CheckResult] = []
    for exp in expectations:
        table = ctx.catalog.find_table(exp.schema, exp.table)
        if table is None:
            raise InputError(
                f"{exp.where}: no table {exp.qualified}",
                hint="tables are schema.name; the schema defaults to public",
            )
    by_persona: dict[str, list[Expectation]] = {}
    for exp in expectations:
        by_persona.setdefault(exp.persona, []).append(exp)
    for name, items in by_persona.items():
        persona = personas[name]
        truths = [_truth(ctx, persona, e) for e in items]
        for command in ("select", "insert", "update", "delete"):
            planned: list[tuple[Expectation, _Truth, Kind, str, dict | None]] = []
            for exp, truth in zip(items, truths, strict=True):
                planned += _plan(ctx, exp, truth, command)
            outcomes = ctx.runner.run(persona, [(k, s) for _, _, k, s, _ in planned], command)
            for (exp, truth, _k, text, row), outcome in zip(planned, outcomes, strict=True):
                results += _judge(ctx, persona, exp, truth, command, text, row, outcome)
    return results


def _plan(
    ctx: Context, exp: Expectation, truth: _Truth, command: str
) -> list[tuple[Expectation, _Truth, Kind, str, dict | None]]:
    table = ctx.catalog.table(exp.schema, exp.table)
    wants_visibility = exp.visible is not None or exp.count is not None
    if command == "select":
        if wants_visibility or "select" in (*exp.allow, *exp.deny):
            return [(exp, truth, "q", read_keys(ctx, table), None)]
        return []
    if command not in (*exp.allow, *exp.deny):
        return []
    if command == "insert":
        if truth.sample is None:
            return [(exp, truth, "q", "", None)]
        row = copy_row(ctx, table, truth.sample)
        return [(exp, truth, "w", insert_copy(ctx, table, row), row)]
    if not truth.target:
        return [(exp, truth, "q", "", None)]
    return [(exp, truth, "q", write_keys(ctx, table, command, truth.target), None)]


def _judge(
    ctx: Context,
    persona: Persona,
    exp: Expectation,
    truth: _Truth,
    command: str,
    text: str,
    row: dict | None,
    outcome: Outcome,
) -> list[CheckResult]:
    table = ctx.catalog.table(exp.schema, exp.table)
    base: dict[str, Any] = {
        "persona": persona.name,
        "table": exp.qualified,
        "command": command,
        "kind": "expectation",
        "query": plain(text) or None,
        "where": exp.where,
    }
    if not text:
        return [
            CheckResult(
                **base,
                status="skip",
                summary=f"no target rows to {command} (the target predicate matches nothing)",
            )
        ]
    if not outcome.ok and not (
        outcome.sqlstate == "42501"
        or (command != "select" and (outcome.sqlstate or "")[:2] == "23")
    ):
        cycle = ctx.recursion_path(table, outcome.message) if outcome.sqlstate == "42P17" else None
        what = (
            "policy recursion (42P17)" if cycle or outcome.sqlstate == "42P17" else "query failed"
        )
        return [
            CheckResult(
                **base,
                status="error",
                summary=f"{what}: {cycle or f'{outcome.sqlstate} {outcome.message}'}",
                sqlstate=outcome.sqlstate,
                error=outcome.message,
                cycle=cycle,
            )
        ]
    if command == "select":
        return _judge_select(ctx, persona, exp, truth, base, outcome)
    verdict, touched = write_verdict(outcome, command)
    allowed_expected = command in exp.allow
    if command == "insert":
        ok = (verdict == "allowed") if allowed_expected else verdict == "refused"
        got = "succeeded" if verdict == "allowed" and outcome.ok else "was refused"
        if verdict == "allowed" and not outcome.ok:
            got = f"passed RLS but failed on {outcome.sqlstate} {outcome.message}"
        rows = (describe_row(table, row or {}),) if not ok else ()
        policies = attribute(ctx, persona, table, command, row=row) if verdict == "allowed" else ()
        summary = f"insert of a target row {got}"
    else:
        n, want = len(touched), len(truth.target)
        ok = (n == want) if allowed_expected else n == 0
        summary = f"{command} touched {n} of {want} target row(s)"
        if verdict == "allowed" and not outcome.ok:
            summary = f"{command} passed RLS but failed on {outcome.sqlstate} {outcome.message}"
            ok = allowed_expected  # RLS let it through; a constraint stopped it
        rows = describe_rows(ctx, table, touched) if not ok and touched else ()
        policies = attribute(ctx, persona, table, command, touched) if touched else ()
    expectation = "allowed" if allowed_expected else "denied"
    return [
        CheckResult(
            **base,
            status="pass" if ok else "fail",
            summary=f"{summary} (expected {expectation})",
            policies=policies if not ok else (),
            rows=rows,
            sqlstate=outcome.sqlstate,
        )
    ]


def _judge_select(
    ctx: Context,
    persona: Persona,
    exp: Expectation,
    truth: _Truth,
    base: dict[str, Any],
    outcome: Outcome,
) -> list[CheckResult]:
    table = ctx.catalog.table(exp.schema, exp.table)
    seen = set(keys_of(outcome)) if outcome.ok else set()
    denied = outcome.sqlstate == "42501"
    out: list[CheckResult] = []
    if truth.expected is not None:
        expected = set(truth.expected)
        extra = sorted(seen - expected)
        missing = sorted(expected - seen)
        ok = not extra and not missing
        parts = [f"sees {len(seen)} row(s), expected exactly {len(expected)}"]
        if extra:
            parts.append(f"{len(extra)} unexpected")
        if missing:
            parts.append(f"{len(missing)} missing")
        if denied:
            parts.append("read refused by privileges")
        out.append(
            CheckResult(
                **base,
                status="pass" if ok else "fail",
                summary=", ".join(parts) + f" (visible: {' '.join(exp.visible.split())})",
                policies=attribute(ctx, persona, table, "select", extra) if extra else (),
                rows=describe_rows(ctx, table, extra or missing),
                error=outcome.message if denied else None,
            )
        )
    if exp.count is not None:
        ok = len(seen) == exp.count
        out.append(
            CheckResult(
                **base,
                status="pass" if ok else "fail",
                summary=f"sees {len(seen)} row(s), expected {exp.count}",
            )
        )
    if "select" in (*exp.allow, *exp.deny):
        hits = sorted(seen & set(truth.target))
        want = len(truth.target)
        allowed = "select" in exp.allow
        ok = (len(hits) == want and want > 0) if allowed else not hits
        out.append(
            CheckResult(
                **base,
                status="pass" if ok else "fail",
                summary=f"sees {len(hits)} of {want} target row(s) "
                f"(expected {'all' if allowed else 'none'})",
                policies=attribute(ctx, persona, table, "select", hits) if hits and not ok else (),
                rows=describe_rows(ctx, table, hits) if hits and not ok else (),
            )
        )
    return out
