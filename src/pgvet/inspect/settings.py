"""The ``[inspect]`` section of ``pgvet.toml``: the review's targets as defaults.

Phase 4 of the clinic review set the targets (index hit rate > 95 %, buffer cache hit rate
> 99 %, no sequential scans on tables over 10k rows, P95 < 200 ms, P99 < 500 ms); the other
defaults follow PgHero and the Supabase CLI. Unknown keys and wrong types are errors naming
the file, as everywhere in pgvet::

    [inspect]
    index_hit_rate = 95        # percent
    seq_scan_rows = 10000
    history = ".pgvet/history.sqlite"
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from pgvet.config import Config
from pgvet.errors import InputError
from pgvet.replay.limits import parse_duration

#: Schemas the platform manages, left out of per-object figures and findings (the Supabase
#: CLI's ``InternalSchemas``, which its ``inspect db`` queries exclude the same way).
PLATFORM_SCHEMAS = (
    "information_schema",
    "pg_*",
    "_analytics",
    "_realtime",
    "_supavisor",
    "auth",
    "extensions",
    "pgbouncer",
    "realtime",
    "storage",
    "supabase_functions",
    "supabase_migrations",
    "cron",
    "dbdev",
    "graphql",
    "graphql_public",
    "net",
    "pgmq",
    "pgsodium",
    "pgsodium_masks",
    "pgtle",
    "repack",
    "tiger",
    "tiger_data",
    "timescaledb_*",
    "_timescaledb_*",
    "topology",
    "vault",
)


@dataclass(frozen=True)
class InspectSettings:
    """Thresholds and options; percentages are 0–100, durations seconds."""

    index_hit_rate: float = 95.0
    cache_hit_rate: float = 99.0
    seq_scan_rows: int = 10_000
    p95_ms: float = 200.0
    p99_ms: float = 500.0
    unused_index_min_days: float = 7.0
    rare_index_scans: int = 50
    bloat_percent: float = 30.0
    bloat_min_mb: float = 10.0
    exact_bloat_limit: int = 10
    wraparound_percent: float = 50.0
    sequence_percent: float = 75.0
    connections_percent: float = 80.0
    long_running: float = 300.0
    idle_in_transaction: float = 60.0
    slot_retained_mb: float = 1024.0
    statements: int = 10
    large_rows: int = 10_000_000
    large_gb: float = 10.0
    exclude_schemas: tuple[str, ...] = PLATFORM_SCHEMAS
    history: str = ".pgvet/history.sqlite"


_DURATIONS = {"long_running", "idle_in_transaction"}
_PERCENTS = {
    "index_hit_rate",
    "cache_hit_rate",
    "bloat_percent",
    "wraparound_percent",
    "sequence_percent",
    "connections_percent",
}


def _number(value: Any, where: str, *, integer: bool) -> float | int:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if not ok or isinstance(value, bool) or value < 0:
        kind = "a whole number" if integer else "a number"
        raise InputError(f"{where}: expected {kind} ≥ 0, got {value!r}")
    return value


def inspect_settings(config: Config) -> InspectSettings:
    """The validated ``[inspect]`` section (unknown keys are errors)."""
    section = config.raw.get("inspect", {})
    where = f"{config.source}: [inspect]"
    if not isinstance(section, dict):
        raise InputError(f"{where}: expected a table of settings")
    defaults = InspectSettings()
    known = {f.name: f for f in fields(InspectSettings)}
    if unknown := set(section) - set(known):
        raise InputError(
            f"{where}: unknown setting(s): {', '.join(sorted(unknown))}",
            hint=f"known: {', '.join(sorted(known))}",
        )
    values: dict[str, Any] = {}
    for key, value in section.items():
        at = f"{where} {key}"
        if key in _DURATIONS:
            values[key] = parse_duration(value, at)
        elif key == "exclude_schemas":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{at}: expected a list of schema names or patterns")
            values[key] = tuple(value)
        elif key == "history":
            if not isinstance(value, str) or not value:
                raise InputError(f"{at}: expected a file path")
            values[key] = value
        else:
            integer = isinstance(getattr(defaults, key), int)
            values[key] = _number(value, at, integer=integer)
            if key in _PERCENTS and values[key] > 100:
                raise InputError(f"{at}: a percentage, 0 to 100 (got {value!r})")
    return replace(defaults, **values)


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
