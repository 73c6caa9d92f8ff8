"""The ``[rls]`` settings as the run uses them: personas and expanded expectations.

The section is typed and checked when the file is read (:mod:`pgvet.config.rls`, where
its shape is documented): a typo in a security test's settings must never quietly turn a
check off. Here an ``email`` becomes the query for its user, and each ``[[rls.expect]]``
with lists of personas and tables becomes one expectation per pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pgvet.config import Config
from pgvet.config.rls import COMMANDS, ExpectSettings, PersonaSettings
from pgvet.rls.personas import Persona, builtin

__all__ = ["COMMANDS", "Expectation", "RlsSettings", "predicate_sql", "rls_settings"]


@dataclass(frozen=True)
class Expectation:
    """What one persona may see and do on one table (already expanded from lists)."""

    persona: str
    schema: str
    table: str
    visible: str | None = None
    count: int | None = None
    target: str | None = None
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    description: str = ""
    where: str = ""  # "pgvet.toml: rls.expect[3]" for messages

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def target_predicate(self) -> str:
        """Rows the allow/deny checks aim at."""
        if self.target is not None:
            return predicate_sql(self.target)
        if self.visible is not None:
            return predicate_sql(self.visible)
        return "true"


def predicate_sql(text: str) -> str:
    """``all`` / ``none`` shorthands, else the predicate itself."""
    low = text.strip().lower()
    if low in ("all", "*"):
        return "true"
    if low == "none":
        return "false"
    return text


@dataclass(frozen=True)
class RlsSettings:
    """Validated ``[rls]`` settings."""

    source: Path | None = None
    auto: bool = True
    seed: bool = True
    tenant_roots: tuple[str, ...] = ()
    membership: tuple[str, ...] = ()
    public_tables: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    claim: str | None = None
    min_coverage: float = 100.0
    personas: tuple[Persona, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def persona(self, name: str) -> Persona | None:
        for p in self.personas:
            if p.name == name:
                return p
        return builtin(name)


def rls_settings(config: Config) -> RlsSettings:
    """The run's view of ``config.rls`` (validated when the config was read)."""
    where = str(config.source) if config.source else "pgvet settings"
    section = config.rls
    return RlsSettings(
        source=config.source,
        auto=section.auto,
        seed=section.seed,
        tenant_roots=(*section.tenant_roots, *section.tenancy.roots),
        membership=(*section.membership, *section.tenancy.membership),
        public_tables=tuple(section.public_tables),
        profiles=tuple(section.tenancy.profiles),
        claim=section.tenancy.claim,
        min_coverage=float(section.min_coverage),
        personas=tuple(_persona(name, body) for name, body in section.personas.items()),
        expectations=tuple(
            expectation
            for index, body in enumerate(section.expect)
            for expectation in _expanded(body, f"{where}: [rls] expect[{index}]")
        ),
    )


def _persona(name: str, body: PersonaSettings) -> Persona:
    user = body.user
    if body.email is not None:
        email = body.email.replace("'", "''")
        user = f"select id from auth.users where email = '{email}'"
    return Persona(
        name=name,
        role=body.role,
        claims=dict(body.claims),
        user=user,
        user_id=body.sub,
        description=body.description,
    )


def _expanded(body: ExpectSettings, where: str) -> list[Expectation]:
    """One expectation per persona and table of a ``[[rls.expect]]`` entry."""
    out = []
    for name in body.who:
        for table in body.on:
            schema, _, bare = table.rpartition(".")
            out.append(
                Expectation(
                    persona=name,
                    schema=schema or "public",
                    table=bare,
                    visible=body.visible,
                    count=body.count,
                    target=body.target,
                    allow=body.allow,
                    deny=body.deny,
                    description=body.description,
                    where=where,
                )
            )
    return out
