"""``[rls]``: what ``pgvet rls test`` tests, and as whom.

A typo in a security test's settings must never quietly turn a check off, so every key is
known, every type strict, and a declared expectation that names an undefined persona or
says nothing to check is an error. Shape::

    [rls]
    auto = true                     # automatic two-tenant isolation (default on)
    seed = true                     # load the project's seed before testing (default on)
    tenant_roots = ["public.clinics"]       # optional: override discovery
    membership = ["public.clinic_staff"]    # optional: override discovery
    public_tables = ["doctors"]     # rows every user may read across tenants, on purpose
    min_coverage = 100              # % of tenant tables that must be isolation-tested

    [rls.tenancy]                   # optional: override discovery (checked against the schema)
    roots = ["public.organizations"]
    membership = ["public.organization_members"]
    profiles = ["public.users"]     # tables whose id is the auth.users id
    claim = "tenant_id"             # the JWT claim holding the tenant (value tenancy)

    [rls.personas.sales_a]
    description = "sales staff of clinic A"
    role = "authenticated"          # anon | authenticated | service_role | any role
    user = "select user_id from clinic_staff where role = 'sales_staff' limit 1"
    # or: email = "mint.sales@example.com"  /  sub = "<uuid>"
    claims = { app_metadata = { plan = "pro" } }

    [[rls.expect]]
    persona = "sales_a"             # or a list
    table = "customers"             # or a list; schema defaults to public
    visible = "clinic_id = '…'"     # exactly these rows are visible ("all", "none")
    count = 3                       # or: exactly this many rows are visible
    target = "clinic_id <> '…'"     # rows the allow/deny checks aim at (default: visible)
    allow = ["select", "update"]    # must see / touch every target row
    deny = ["insert", "delete"]     # must see / touch none of them

:mod:`pgvet.rls.settings` turns this into the personas and expectations the run uses.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from pgvet.config.base import Percent, SettingError, Strict

COMMANDS = ("select", "insert", "update", "delete")
#: Personas every project has (pgvet.rls.personas.builtin).
BUILTIN_PERSONAS = ("anon", "service_role")


def _commands(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SettingError(
            f"expected a list of commands, got {values!r}", hint=f"use {', '.join(COMMANDS)}"
        )
    lowered = tuple(v.lower() for v in values)
    for index, value in enumerate(lowered):
        if value not in COMMANDS:
            raise SettingError(
                f"unknown command {value!r}", at=(index,), hint=f"use {', '.join(COMMANDS)}"
            )
    return lowered


Commands = Annotated[tuple[str, ...], BeforeValidator(_commands)]


class TenancySettings(Strict):
    """``[rls.tenancy]``: discovery overrides, checked against the schema when run."""

    roots: list[str] = Field(default_factory=list)
    membership: list[str] = Field(default_factory=list)
    profiles: list[str] = Field(default_factory=list)
    claim: str | None = None


class PersonaSettings(Strict):
    """``[rls.personas.NAME]``: a role and, for a signed-in one, who the user is."""

    description: str = ""
    role: str = "authenticated"
    user: str | None = None
    email: str | None = None
    sub: str | None = None
    claims: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_user(self) -> PersonaSettings:
        picks = [k for k in ("user", "email", "sub") if getattr(self, k) is not None]
        if len(picks) > 1:
            raise SettingError(f"give one of user, email or sub, not {' and '.join(picks)}")
        if picks and self.role in BUILTIN_PERSONAS:
            raise SettingError(f"role {self.role} has no user; drop {picks[0]}")
        return self


class ExpectSettings(Strict):
    """``[[rls.expect]]``: what personas may see and do on tables."""

    persona: str | list[str] | None = None
    personas: str | list[str] | None = None
    table: str | list[str] | None = None
    tables: str | list[str] | None = None
    visible: str | None = None
    count: int | None = None
    target: str | None = None
    allow: Commands = ()
    deny: Commands = ()
    description: str = ""

    @model_validator(mode="after")
    def _checkable(self) -> ExpectSettings:
        if not self.who:
            raise SettingError("missing persona")
        if not self.on:
            raise SettingError("missing table")
        if both := set(self.allow) & set(self.deny):
            raise SettingError(f"{', '.join(sorted(both))} both allowed and denied")
        if self.visible is None and self.count is None and not self.allow and not self.deny:
            raise SettingError("says nothing to check (give visible, count, allow or deny)")
        return self

    @property
    def who(self) -> tuple[str, ...]:
        """The persona names (``persona`` or ``personas``)."""
        return _one_or_many(self.persona if self.persona is not None else self.personas)

    @property
    def on(self) -> tuple[str, ...]:
        """The table names (``table`` or ``tables``), as written."""
        return _one_or_many(self.table if self.table is not None else self.tables)


def _one_or_many(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class RlsConfig(Strict):
    """``[rls]``."""

    auto: bool = True
    seed: bool = True
    tenant_roots: list[str] = Field(default_factory=list)
    membership: list[str] = Field(default_factory=list)
    public_tables: list[str] = Field(default_factory=list)
    min_coverage: Percent = 100.0
    tenancy: TenancySettings = Field(default_factory=TenancySettings.model_construct)
    personas: dict[str, PersonaSettings] = Field(default_factory=dict)
    expect: list[ExpectSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_personas(self) -> RlsConfig:
        names = {*self.personas, *BUILTIN_PERSONAS}
        for index, expectation in enumerate(self.expect):
            for name in expectation.who:
                if name not in names:
                    raise SettingError(
                        f"no persona named {name!r}",
                        at=("expect", index, "persona"),
                        hint=f"defined: {', '.join(sorted(names))}",
                    )
        return self
