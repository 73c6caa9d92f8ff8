"""The findings engine: run every applicable rule on one context, then apply the team's
ignores (config, inline comments) and level overrides."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from pgvet.analysis.history import Visitor, visit_all
from pgvet.analysis.memo import memo
from pgvet.config import LintSettings
from pgvet.errors import InputError
from pgvet.findings import Finding, Level, inline_ignores, sort_findings
from pgvet.gc_pause import paused_gc
from pgvet.replay.project import Project
from pgvet.rules.registry import REGISTRY, LintContext, Rule, find_rule


def lint_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """The ``[lint]`` section, as the typed model validated it when the file was read
    (:class:`pgvet.config.LintSettings`); settings built in code are checked the same way."""
    try:
        return LintSettings.model_validate(raw.get("lint", {})).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise InputError(f"[lint]: {exc.errors()[0]['msg']}", hint="see `pgvet rules`") from exc


def selected_rules(settings: dict[str, Any], only: Iterable[str] = ()) -> list[Rule]:
    wanted = {find_rule(n).name for n in [*only, *settings.get("select", [])] if find_rule(n)}
    ignored = {find_rule(n).name for n in settings.get("ignore", []) if find_rule(n)}
    return [
        r for r in REGISTRY.values() if (not wanted or r.name in wanted) and r.name not in ignored
    ]


def _inline_ignored(ctx: LintContext, finding: Finding) -> bool:
    """Whether the statement at the finding's line (the first whose lines hold it) carries
    a ``-- pgvet: ignore`` comment naming its rule."""
    if ctx.project is None or finding.file is None or finding.line is None:
        return False
    project = ctx.project
    spans = memo(project, "statement spans", lambda: _statement_spans(project))
    starts, ends, statements = spans.get(finding.file, ((), (), ()))
    line = finding.line
    at = bisect_right(starts, line) - 1  # the last statement starting at or before the line
    if at < 0:
        return False
    while at > 0 and ends[at - 1] >= line:  # an earlier one ending on the line comes first
        at -= 1
    if ends[at] < line:
        return False
    text = statements[at].leading + statements[at].text
    if "pgvet" not in text.lower():  # no ignore comment (the regex, 2,000 times, costs)
        return False
    return bool(inline_ignores(text) & {finding.rule, finding.code.lower(), "all"})


def _statement_spans(project: Project) -> dict[str, tuple[list[int], list[int], list[Any]]]:
    """Per migration file: each statement's first and last line, and the statement."""
    out: dict[str, tuple[list[int], list[int], list[Any]]] = {}
    for migration in project.files:
        if migration.filename in out:  # as Project.file_named: the first of that name
            continue
        statements = list(migration.statements)
        out[migration.filename] = (
            [s.line for s in statements],
            [s.line + s.text.count("\n") for s in statements],
            statements,
        )
    return out


def run_lint(ctx: LintContext, only: Iterable[str] = ()) -> list[Finding]:
    """Every selected, applicable rule on ``ctx``, filtered by the team's ignores (the
    cyclic garbage collector paused: :mod:`pgvet.gc_pause`)."""
    with paused_gc():
        return _run_lint(ctx, only)


def _run_lint(ctx: LintContext, only: Iterable[str]) -> list[Finding]:
    settings = lint_settings(ctx.config.raw)
    levels = settings.get("levels", {})
    ignore_objects = {
        find_rule(k).name: set(v)  # type: ignore[union-attr]
        for k, v in settings.get("ignore_objects", {}).items()
    }
    seen: set[str] = set()
    out: list[Finding] = []
    for rule, hits in _rule_hits(ctx, selected_rules(settings, only)):
        for finding in rule.findings(ctx, hits):
            if finding.fingerprint in seen:
                continue
            seen.add(finding.fingerprint)
            if finding.object in ignore_objects.get(rule.name, set()):
                continue
            if _inline_ignored(ctx, finding):
                continue
            if rule.name in levels:
                finding = replace(finding, level=Level(levels[rule.name]))
            out.append(finding)
    return sort_findings(out)


def _rule_hits(ctx: LintContext, rules: Iterable[Rule]) -> list[tuple[Rule, Iterable[Any]]]:
    """Each applicable rule with its hits: the migration rules that visit the history
    (:class:`~pgvet.analysis.history.Visitor`) share one walk of it; the others' hits are
    produced as their findings are read."""
    pending = [(rule, rule.fn(ctx)) for rule in rules if rule.applies(ctx)]
    shared = [(i, hits) for i, (_, hits) in enumerate(pending) if isinstance(hits, Visitor)]
    if shared and ctx.project is not None:
        collected = visit_all(ctx.project, [v for _, v in shared])
        for (i, _), hits in zip(shared, collected, strict=True):
            pending[i] = (pending[i][0], hits)
    return pending
