"""pgvet settings: ``pgvet.toml`` or ``[tool.pgvet]`` in ``pyproject.toml``.

Looked up in the project root, then the current folder. Unknown keys and wrong types are
errors with the file named, so a typo never silently changes what pgvet checks.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


KNOWN_KEYS = {"tenant_columns", "domains", "lint", "rls", "replay", "inspect"}


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
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise InputError(
            f"{path}: unknown pgvet setting(s): {', '.join(sorted(unknown))}",
            hint=f"known settings: {', '.join(sorted(KNOWN_KEYS))}",
        )
    tenant = _strings(
        data.get("tenant_columns", list(DEFAULT_TENANT_COLUMNS)), f"{path}: tenant_columns"
    )
    domains_raw = data.get("domains", {})
    if not isinstance(domains_raw, dict):
        raise InputError(f"{path}: domains: expected a table of name = [tables]")
    domains = {k: _strings(v, f"{path}: domains.{k}") for k, v in domains_raw.items()}
    return Config(path, tenant, domains, data)
