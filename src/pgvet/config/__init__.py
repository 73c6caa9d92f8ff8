"""pgvet settings: ``pgvet.toml`` or ``[tool.pgvet]`` in ``pyproject.toml``.

Looked up in the project root, then the current folder. The file is checked against typed
models (pydantic, extra keys forbidden) before anything runs: a wrong type, an unknown key
or an unknown rule is one clear error naming the file, the key and what was expected, so a
typo never silently changes what pgvet checks (``exposed_schemas = "api"`` used to be
ignored, ``unused_index_min_days = "seven"`` ended in a traceback). The sections of
``pgvet rls test``, of replaying and of ``pgvet inspect`` have a module each here
(:mod:`pgvet.config.rls`, :mod:`pgvet.config.replay`, :mod:`pgvet.config.inspect`); their
commands read the typed objects from :class:`Config`.
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic import Strict as StrictType

from pgvet.config.base import SettingError
from pgvet.config.inspect import InspectSettings
from pgvet.config.replay import ReplaySettings
from pgvet.config.rls import RlsConfig
from pgvet.errors import InputError
from pgvet.replay.paths import ensure_inside

DEFAULT_TENANT_COLUMNS = (
    "clinic_id",
    "branch_id",
    "organization_id",
    "org_id",
    "tenant_id",
    "account_id",
    "workspace_id",
    "team_id",
    "ws_id",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class LintSettings(_Strict):
    """``[lint]``: which rules run, at what level, on what."""

    ignore: list[str] = []
    select: list[str] = []
    levels: dict[str, Literal["error", "warn", "info"]] = {}
    ignore_objects: dict[str, list[str]] = {}
    baseline: str | None = None
    exposed_schemas: list[str] | None = None
    unused_index_min_days: int = Field(default=7, ge=0)
    workload: str | None = None
    #: the first migration version not yet deployed: migration-safety rules judge the
    #: files at or after it, the rest is history (see rules/scope.py)
    migrations_since: str | None = Field(default=None, pattern=r"^[0-9]+$")

    @field_validator("ignore", "select")
    @classmethod
    def _known_rules(cls, names: list[str]) -> list[str]:
        _check_rules(names)
        return names

    @field_validator("levels", "ignore_objects")
    @classmethod
    def _known_rule_keys(cls, table: dict[str, Any]) -> dict[str, Any]:
        _check_rules(list(table))
        return table


def _check_rules(names: list[str]) -> None:
    from pgvet.rules.registry import find_rule  # the registry loads every rule: only here

    unknown = [n for n in names if find_rule(n) is None]
    if unknown:
        raise ValueError(f"unknown rule(s) {', '.join(unknown)} (see `pgvet rules`)")


class Settings(BaseModel):
    """The whole file: top-level keys and the sections each capability owns.

    Strict field by field rather than as a whole: a strict model would refuse the
    ``[inspect]`` table, which becomes a (pydantic) dataclass."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    tenant_columns: Annotated[list[str], StrictType()] = list(DEFAULT_TENANT_COLUMNS)
    domains: Annotated[dict[str, list[str]], StrictType()] = {}
    lint: LintSettings = Field(default_factory=LintSettings.model_construct)
    rls: RlsConfig = Field(default_factory=RlsConfig.model_construct)
    replay: ReplaySettings = Field(default_factory=ReplaySettings.model_construct)
    inspect: InspectSettings = Field(default_factory=InspectSettings)


#: Sections shown as ``[name]`` in messages (a top-level key is shown bare).
_SECTIONS = ("lint", "rls", "replay", "inspect", "domains")


def _validated(path: Path, data: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        error = (problem.get("ctx") or {}).get("error")
        loc = tuple(problem["loc"]) + (error.at if isinstance(error, SettingError) else ())
        key = setting_key(loc)
        if problem["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            raise InputError(
                f"{path}: unknown setting {key}",
                hint=f"known at this level: {_known_at(loc)}",
            ) from exc
        if isinstance(error, SettingError):
            hint = error.hint or "see the Configuration section of the README"
            raise InputError(f"{path}: {key}: {error.message}", hint=hint) from exc
        said = _EXPECTED.get(problem["type"]) or problem["msg"].removeprefix("Value error, ")
        raise InputError(
            f"{path}: {key}: {said} (got {problem.get('input')!r})",
            hint="see the Configuration section of the README",
        ) from exc


#: pydantic's words for a wrong type, in TOML's
_EXPECTED = {
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "dataclass_type": "expected a table",
}


def setting_key(loc: tuple[Any, ...]) -> str:
    """How a key is named in messages: ``[inspect] cache_hit_rate``,
    ``[rls] expect[2].persona``, ``tenant_columns``."""
    if not loc:
        return "(top level)"
    head, rest = str(loc[0]), loc[1:]
    if head not in _SECTIONS:
        rest, head = loc, ""
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    if not head:
        return path
    return f"[{head}] {path}" if path else f"[{head}]"


def _known_at(loc: tuple[Any, ...]) -> str:
    """The keys the table holding ``loc``'s last part may have."""
    kind: Any = Settings
    skip = False  # the part is a free-form key (a persona's name) or an array index
    for part in loc[:-1]:
        if skip or isinstance(part, int):
            skip = False
            continue
        kind = _fields(kind).get(str(part), Any)
        while (origin := typing.get_origin(kind)) is not None:
            args = [a for a in typing.get_args(kind) if a is not type(None)]
            skip = origin in (list, dict)
            kind = args[0] if origin is Annotated else args[-1]
    return ", ".join(_fields(kind))


def _fields(kind: Any) -> dict[str, Any]:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return {name: f.annotation for name, f in kind.model_fields.items()}
    if dataclasses.is_dataclass(kind):
        return {f.name: f.type for f in dataclasses.fields(kind)}
    return {}


@dataclass(frozen=True)
class Config:
    """Validated settings; every field has a default that suits a Supabase project."""

    source: Path | None = None
    tenant_columns: tuple[str, ...] = DEFAULT_TENANT_COLUMNS
    #: domain name → table names or name prefixes (``"sales_*"``) that belong to it
    domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the whole ``[tool.pgvet]`` table, as read (``[lint]`` is read from here)
    raw: dict[str, Any] = field(default_factory=dict)
    #: ``[rls]``, ``[replay]`` and ``[inspect]``, validated
    rls: RlsConfig = field(default_factory=RlsConfig.model_construct)
    replay: ReplaySettings = field(default_factory=ReplaySettings.model_construct)
    inspect: InspectSettings = field(default_factory=InspectSettings)


def _find(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The first settings file in the project root, then the current folder.

    A file found there may be a symlink planted by a pull request: it is read only when it
    resolves inside one of those two folders (an explicit ``--config`` is the user's own
    choice and is not checked)."""
    folders = tuple(dict.fromkeys([start, Path.cwd()]))
    for folder in folders:
        own = folder / "pgvet.toml"
        if own.is_file():
            return own, _read(ensure_inside(own, folders, "config file"))
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            ensure_inside(pyproject, folders, "config file")
            data = _read(pyproject).get("tool", {}).get("pgvet")
            if data is not None:
                return pyproject, data
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc


def load_config(project_root: Path | None = None, explicit: Path | None = None) -> Config:
    """Read the settings that apply to a project (explicit file first)."""
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"{explicit}: no such config file")
        data = _read(explicit)
        found: tuple[Path, dict[str, Any]] | None = (
            explicit,
            data.get("tool", {}).get("pgvet", data) if explicit.name == "pyproject.toml" else data,
        )
    else:
        found = _find(project_root or Path.cwd())
    if found is None:
        return Config()
    path, data = found
    settings = _validated(path, data)
    tenant = tuple(settings.tenant_columns)
    domains = {k: tuple(v) for k, v in settings.domains.items()}
    return Config(
        path,
        tenant,
        domains,
        data,
        rls=settings.rls,
        replay=settings.replay,
        inspect=settings.inspect,
    )
