"""pgvet settings: ``pgvet.toml`` or ``[tool.pgvet]`` in ``pyproject.toml``.

Looked up in the project root, then the current folder. The file is checked against typed
models (pydantic, extra keys forbidden) before anything runs: a wrong type, an unknown key
or an unknown rule is one clear error naming the file, the key and what was expected, so a
typo never silently changes what pgvet checks (``exposed_schemas = "api"`` used to be
ignored, ``unused_index_min_days = "seven"`` ended in a traceback). Sections owned by a
capability with settings of its own (``[rls]``, ``[replay]``, ``[inspect]``) are checked
there, with the same rule.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    model_config = ConfigDict(extra="forbid", strict=True)


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


class Settings(_Strict):
    """The whole file: top-level keys and the sections each capability owns."""

    tenant_columns: list[str] = list(DEFAULT_TENANT_COLUMNS)
    domains: dict[str, list[str]] = {}
    lint: LintSettings = LintSettings()
    rls: dict[str, Any] = {}
    replay: dict[str, Any] = {}
    inspect: dict[str, Any] = {}


def _validated(path: Path, data: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        if problem["type"] == "extra_forbidden":
            raise InputError(
                f"{path}: unknown setting {key}",
                hint=f"known at this level: {_known_at(problem['loc'])}",
            ) from exc
        got = problem.get("input")
        raise InputError(
            f"{path}: {key}: {problem['msg'].removeprefix('Value error, ')} (got {got!r})",
            hint="see the Configuration section of the README",
        ) from exc


def _known_at(loc: tuple[Any, ...]) -> str:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field_type = model.model_fields[str(part)].annotation
        if isinstance(field_type, type) and issubclass(field_type, BaseModel):
            model = field_type
    return ", ".join(model.model_fields)


@dataclass(frozen=True)
class Config:
    """Validated settings; every field has a default that suits a Supabase project."""

    source: Path | None = None
    tenant_columns: tuple[str, ...] = DEFAULT_TENANT_COLUMNS
    #: domain name → table names or name prefixes (``"sales_*"``) that belong to it
    domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the whole ``[tool.pgvet]`` table, for sections other modules own (lint, rls, replay)
    raw: dict[str, Any] = field(default_factory=dict)


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
    return Config(path, tenant, domains, data)
