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
    #: a schema fix: SQL for today's database (see :class:`pgvet.findings.Finding`)
    fix: str | None = None
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    #: text for a person, never written as SQL
    advice: str | None = None
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
    #: the rule judges how a past migration was written: what it proposes is advice for
    #: that file (rewrite the statement), never a new migration against today's schema
    history: bool = False

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
        return self.findings(ctx, self.fn(ctx))

    def findings(self, ctx: LintContext, hits: Iterable[Hit]) -> Iterator[Finding]:
        """The rule's findings from its hits (what ``fn`` yielded, or a shared walk
        collected for it)."""
        for hit in hits:
            fix, advice = split_fix(hit.fix, hit.advice, history=self.history)
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
                fix=fix,
                detail=hit.detail,
                data=hit.data,
                advice=advice,
            )


def split_fix(
    fix: str | None, advice: str | None, *, history: bool
) -> tuple[str | None, str | None]:
    """``(schema fix, advice)`` of a hit. A history rule's proposal is advice for the file
    it is on; so is a proposal holding comments, which carry its conditions ("if
    server-only", "then add policies") or steps for other files: written as a migration,
    the comments would be lost and the SQL would run unconditionally."""
    if fix is None or not (history or _COMMENT.search(fix)):
        return fix, advice
    return None, fix if advice is None else f"{fix}\n{advice}"


_COMMENT = re.compile(r"(^|\s)--|/\*")


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
    history: bool = False,
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under a stable name and code."""

    def register(fn: RuleFn) -> RuleFn:
        if name in REGISTRY or any(r.code == code for r in REGISTRY.values()):
            raise ValueError(f"duplicate rule name or code: {name} / {code}")
        REGISTRY[name] = Rule(
            name,
            code,
            Level(level),
            Category(category),
            title,
            fn,
            frozenset(requires),
            fixable,
            history,
        )
        return fn

    return register


def find_rule(name_or_code: str) -> Rule | None:
    key = name_or_code.lower()
    return REGISTRY.get(key) or next((r for r in REGISTRY.values() if r.code.lower() == key), None)
