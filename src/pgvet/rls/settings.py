"""The ``[rls]`` section of ``pgvet.toml`` (or ``[tool.pgvet.rls]``), validated.

Every mistake is an :class:`~pgvet.errors.InputError` naming the file and the key, because a
typo in a security test config must never quietly turn a check off.

Shape::

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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pgvet.config import Config
from pgvet.errors import InputError
from pgvet.rls.personas import Persona, builtin

COMMANDS = ("select", "insert", "update", "delete")
_RLS_KEYS = {
    "auto",
    "seed",
    "tenant_roots",
    "membership",
    "public_tables",
    "personas",
    "expect",
    "tenancy",
    "min_coverage",
}
_TENANCY_KEYS = {"roots", "membership", "profiles", "claim"}
_PERSONA_KEYS = {"role", "user", "email", "sub", "claims", "description"}
_EXPECT_KEYS = {
    "persona",
    "personas",
    "table",
    "tables",
    "visible",
    "count",
    "target",
    "allow",
    "deny",
    "description",
}


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
    """Read ``config.raw["rls"]``; raise :class:`InputError` on anything unexpected."""
    where = str(config.source) if config.source else "pgvet settings"
    raw = config.raw.get("rls", {}) if isinstance(config.raw, Mapping) else {}
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: rls: expected a table ([rls]), got {type(raw).__name__}")
    _no_unknown(raw, _RLS_KEYS, f"{where}: rls")
    auto = _bool(raw.get("auto", True), f"{where}: rls.auto")
    seed = _bool(raw.get("seed", True), f"{where}: rls.seed")
    roots = _strings(raw.get("tenant_roots", []), f"{where}: rls.tenant_roots")
    membership = _strings(raw.get("membership", []), f"{where}: rls.membership")
    public = _strings(raw.get("public_tables", []), f"{where}: rls.public_tables")
    tenancy = raw.get("tenancy", {})
    if not isinstance(tenancy, Mapping):
        raise InputError(f"{where}: rls.tenancy: expected a table ([rls.tenancy])")
    _no_unknown(tenancy, _TENANCY_KEYS, f"{where}: rls.tenancy")
    roots += _strings(tenancy.get("roots", []), f"{where}: rls.tenancy.roots")
    membership += _strings(tenancy.get("membership", []), f"{where}: rls.tenancy.membership")
    profiles = _strings(tenancy.get("profiles", []), f"{where}: rls.tenancy.profiles")
    claim = _str(tenancy["claim"], f"{where}: rls.tenancy.claim") if "claim" in tenancy else None
    coverage = raw.get("min_coverage", 100)
    if (
        isinstance(coverage, bool)
        or not isinstance(coverage, int | float)
        or not 0 <= coverage <= 100
    ):
        raise InputError(
            f"{where}: rls.min_coverage: expected a percentage 0-100, got {coverage!r}"
        )
    personas = _personas(raw.get("personas", {}), where)
    names = {p.name for p in personas} | {"anon", "service_role"}
    expectations = _expectations(raw.get("expect", []), where, names)
    return RlsSettings(
        source=config.source,
        auto=auto,
        seed=seed,
        tenant_roots=roots,
        membership=membership,
        public_tables=public,
        profiles=profiles,
        claim=claim,
        min_coverage=float(coverage),
        personas=tuple(personas),
        expectations=tuple(expectations),
    )


def _personas(raw: Any, where: str) -> list[Persona]:
    if not isinstance(raw, Mapping):
        raise InputError(
            f"{where}: rls.personas: expected a table of personas ([rls.personas.NAME])"
        )
    out = []
    for name, body in raw.items():
        key = f"{where}: rls.personas.{name}"
        if not isinstance(body, Mapping):
            raise InputError(f"{key}: expected a table with role, user, claims, …")
        _no_unknown(body, _PERSONA_KEYS, key)
        role = _str(body.get("role", "authenticated"), f"{key}.role")
        claims = body.get("claims", {})
        if not isinstance(claims, Mapping):
            raise InputError(f"{key}.claims: expected a table of JWT claims")
        picks = [k for k in ("user", "email", "sub") if k in body]
        if len(picks) > 1:
            raise InputError(f"{key}: give one of user, email or sub, not {' and '.join(picks)}")
        user = _str(body["user"], f"{key}.user") if "user" in body else None
        if "email" in body:
            email = _str(body["email"], f"{key}.email").replace("'", "''")
            user = f"select id from auth.users where email = '{email}'"
        sub = _str(body["sub"], f"{key}.sub") if "sub" in body else None
        if (user or sub) and role in ("anon", "service_role"):
            raise InputError(f"{key}: role {role} has no user; drop user/email/sub")
        out.append(
            Persona(
                name=str(name),
                role=role,
                claims=dict(claims),
                user=user,
                user_id=sub,
                description=_str(body.get("description", ""), f"{key}.description"),
            )
        )
    return out


def _expectations(raw: Any, where: str, personas: set[str]) -> list[Expectation]:
    if not isinstance(raw, list):
        raise InputError(f"{where}: rls.expect: expected an array of tables ([[rls.expect]])")
    out: list[Expectation] = []
    for index, body in enumerate(raw):
        key = f"{where}: rls.expect[{index}]"
        if not isinstance(body, Mapping):
            raise InputError(f"{key}: expected a table")
        _no_unknown(body, _EXPECT_KEYS, key)
        who = _one_or_many(body, "persona", "personas", key)
        tables = _one_or_many(body, "table", "tables", key)
        for name in who:
            if name not in personas:
                raise InputError(
                    f"{key}.persona: no persona named {name!r}",
                    hint=f"defined: {', '.join(sorted(personas))}",
                )
        visible = _str(body["visible"], f"{key}.visible") if "visible" in body else None
        count = body.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
            raise InputError(f"{key}.count: expected a whole number, got {count!r}")
        target = _str(body["target"], f"{key}.target") if "target" in body else None
        allow = _commands(body.get("allow", []), f"{key}.allow")
        deny = _commands(body.get("deny", []), f"{key}.deny")
        both = set(allow) & set(deny)
        if both:
            raise InputError(f"{key}: {', '.join(sorted(both))} both allowed and denied")
        if visible is None and count is None and not allow and not deny:
            raise InputError(f"{key}: says nothing to check (give visible, count, allow or deny)")
        description = _str(body.get("description", ""), f"{key}.description")
        for name in who:
            for table in tables:
                schema, _, bare = table.rpartition(".")
                out.append(
                    Expectation(
                        persona=name,
                        schema=schema or "public",
                        table=bare,
                        visible=visible,
                        count=count,
                        target=target,
                        allow=allow,
                        deny=deny,
                        description=description,
                        where=key,
                    )
                )
    return out


def _one_or_many(body: Mapping[str, Any], one: str, many: str, key: str) -> tuple[str, ...]:
    value = body.get(one, body.get(many))
    if value is None:
        raise InputError(f"{key}: missing {one}")
    if isinstance(value, str):
        return (value,)
    return _strings(value, f"{key}.{one}")


def _commands(value: Any, key: str) -> tuple[str, ...]:
    items = _strings(value, key)
    lowered = tuple(v.lower() for v in items)
    for v in lowered:
        if v not in COMMANDS:
            raise InputError(f"{key}: unknown command {v!r}", hint=f"use {', '.join(COMMANDS)}")
    return lowered


def _no_unknown(body: Mapping[str, Any], known: set[str], key: str) -> None:
    unknown = set(body) - known
    if unknown:
        raise InputError(
            f"{key}: unknown setting(s): {', '.join(sorted(unknown))}",
            hint=f"known: {', '.join(sorted(known))}",
        )


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{key}: expected true or false, got {value!r}")
    return value


def _str(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{key}: expected a string, got {value!r}")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{key}: expected a list of strings, got {value!r}")
    return tuple(value)
