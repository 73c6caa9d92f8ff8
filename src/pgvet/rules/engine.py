"""The findings engine: run every applicable rule on one context, then apply the team's
ignores (config, inline comments) and level overrides."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from pgvet.analysis.history import Visitor, visit_all
from pgvet.config import LintSettings
from pgvet.errors import InputError
from pgvet.findings import Finding, Level, inline_ignores, sort_findings
from pgvet.gc_pause import paused_gc
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
    if ctx.project is None or finding.file is None or finding.line is None:
        return False
    migration = ctx.project.file_named(finding.file)
    if migration is None:
        return False
    for stmt in migration.statements:
        if stmt.line <= finding.line <= stmt.line + stmt.text.count("\n"):
            names = inline_ignores(stmt.leading + stmt.text)
            return bool(names & {finding.rule, finding.code.lower(), "all"})
    return False


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
