"""The rule registry and the anatomy every rule shares.

A rule is one small function decorated with :func:`rule`: a stable kebab-case name, a short
code, a level, a category and a one-line title; its docstring says why it matters and holds
a bad and a good SQL example (fenced ``sql`` blocks after the words ``Bad:`` and ``Good:``),
which the tests replay (the bad one must be found, the good one must not). A rule yields
:class:`Hit` values; the registry turns them into findings with the rule's metadata and the
object's origin (file and line).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pgvet.catalog.model import Catalog, ObjectKey
from pgvet.config import Config
from pgvet.findings import Category, Finding, Level

if TYPE_CHECKING:
    from pgvet.replay.apply import ReplayResult
    from pgvet.replay.project import Project
    from pgvet.rules.sandbox import Sandbox

_EXAMPLE = re.compile(r"(Bad|Good):\s*\n\s*```sql\n(.*?)```", re.S)


@dataclass(frozen=True)
class Hit:
    """What a rule found: the object, a message, where it came from, and the fix."""

    object: str
    message: str
    origin: ObjectKey | None = None  # looked up in catalog.origins for file:line
    file: str | None = None  # explicit location (statement-level rules)
    line: int | None = None
    fix: str | None = None
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    #: this finding's level when it differs from the rule's (a claim the sandbox did not
    #: confirm is at most a warning)
    level: Level | None = None


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may look at. ``project`` only when linting migrations; ``stats``
    only on a live database (usage counters mean nothing on a fresh sandbox); ``replay``
    only when the catalog came from replaying ``project`` (what became of each file, so a
    rule never rests a claim on a file that failed)."""

    catalog: Catalog
    config: Config = field(default_factory=Config)
    project: Project | None = None
    stats: Any | None = None
    live: bool = False
    #: the replayed sandbox, for rules that confirm a claim before making it (None on a
    #: live database: they then say "not confirmed")
    sandbox: Sandbox | None = None
    replay: ReplayResult | None = None


RuleFn = Callable[[LintContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    name: str
    code: str
    level: Level
    category: Category
    title: str
    fn: RuleFn
    requires: frozenset[str]  # subset of {"migrations", "stats", "replay"}
    fixable: bool = False

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.fn.__doc__ or "")

    @property
    def examples(self) -> dict[str, str]:
        """``{"bad": sql, "good": sql}`` from the docstring."""
        return {kind.lower(): sql.strip() + "\n" for kind, sql in _EXAMPLE.findall(self.doc)}

    def applies(self, ctx: LintContext) -> bool:
        if "stats" in self.requires and ctx.stats is None:
            return False
        if "replay" in self.requires and ctx.replay is None:
            return False
        return not ("migrations" in self.requires and ctx.project is None)

    def run(self, ctx: LintContext) -> Iterator[Finding]:
        for hit in self.fn(ctx):
            file, line = hit.file, hit.line
            if file is None and hit.origin is not None:
                origin = ctx.catalog.origins.get(hit.origin)
                if origin is not None:
                    file, line = origin.file, origin.line
            yield Finding(
                rule=self.name,
                code=self.code,
                level=hit.level or self.level,
                category=self.category,
                object=hit.object,
                message=hit.message,
                file=file,
                line=line,
                fix=hit.fix,
                detail=hit.detail,
                data=hit.data,
            )


REGISTRY: dict[str, Rule] = {}


def rule(
    name: str,
    code: str,
    level: Level | str,
    category: Category | str,
    title: str,
    *,
    requires: Iterable[str] = (),
    fixable: bool = False,
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under a stable name and code."""

    def register(fn: RuleFn) -> RuleFn:
        if name in REGISTRY or any(r.code == code for r in REGISTRY.values()):
            raise ValueError(f"duplicate rule name or code: {name} / {code}")
        REGISTRY[name] = Rule(
            name, code, Level(level), Category(category), title, fn, frozenset(requires), fixable
        )
        return fn

    return register


def find_rule(name_or_code: str) -> Rule | None:
    key = name_or_code.lower()
    return REGISTRY.get(key) or next((r for r in REGISTRY.values() if r.code.lower() == key), None)
