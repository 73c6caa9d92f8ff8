"""The ``[inspect]`` section of ``pgvet.toml``: the review's targets as defaults.

The settings are typed and checked when the file is read (:mod:`pgvet.config.inspect`,
where the defaults and their reasons are); this module hands them to ``pgvet inspect``
and derives what it needs from them (the history file, schema patterns).
"""

from __future__ import annotations

from pathlib import Path

from pgvet.config import Config
from pgvet.config.inspect import PLATFORM_SCHEMAS, InspectSettings

__all__ = ["PLATFORM_SCHEMAS", "InspectSettings", "history_path", "inspect_settings"]


def inspect_settings(config: Config) -> InspectSettings:
    """The ``[inspect]`` section (typed and checked when the config file was read)."""
    return config.inspect


def history_path(settings: InspectSettings, config: Config, explicit: Path | None) -> Path:
    """Where ``--save`` writes: ``--history``, else ``[inspect] history`` relative to the
    config file's folder (else the current folder)."""
    if explicit is not None:
        return explicit
    base = config.source.parent if config.source is not None else Path.cwd()
    return base / settings.history


def like_patterns(schemas: tuple[str, ...]) -> list[str]:
    """Schema names with ``*`` wildcards as LIKE patterns (``_`` and ``%`` escaped)."""
    return [
        s.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%").replace("*", "%")
        for s in schemas
    ]
