"""``[inspect]``: the review's targets as defaults for ``pgvet inspect``.

Phase 4 of the clinic review set the targets (index hit rate > 95 %, buffer cache hit rate
> 99 %, no sequential scans on tables over 10k rows, P95 < 200 ms, P99 < 500 ms); the other
defaults follow PgHero and the Supabase CLI::

    [inspect]
    index_hit_rate = 95        # percent
    seq_scan_rows = 10000
    long_running = "5min"      # a duration, or seconds
    history = ".pgvet/history.sqlite"

A pydantic dataclass rather than a model: the checks and tests derive variants with
``dataclasses.replace``, which validates them again. Each field is strict on its own (a
strict dataclass would refuse the TOML table itself).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict
from pydantic import Strict as StrictType
from pydantic.dataclasses import dataclass

from pgvet.config.base import Duration, NonNegativeFloat, NonNegativeInt, Percent, SettingError

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

_S = StrictType()
_Percent = Annotated[Percent, _S]
_Count = Annotated[NonNegativeInt, _S]
_Amount = Annotated[NonNegativeFloat, _S]


def _path(value: str) -> str:
    if not value:
        raise SettingError("expected a file path, got an empty string")
    return value


@dataclass(frozen=True, config=ConfigDict(extra="forbid", defer_build=True))
class InspectSettings:
    """Thresholds and options; percentages are 0–100, durations seconds."""

    index_hit_rate: _Percent = 95.0
    cache_hit_rate: _Percent = 99.0
    seq_scan_rows: _Count = 10_000
    p95_ms: _Amount = 200.0
    p99_ms: _Amount = 500.0
    unused_index_min_days: _Amount = 7.0
    rare_index_scans: _Count = 50
    bloat_percent: _Percent = 30.0
    bloat_min_mb: _Amount = 10.0
    exact_bloat_limit: _Count = 10
    wraparound_percent: _Percent = 50.0
    sequence_percent: _Percent = 75.0
    connections_percent: _Percent = 80.0
    long_running: Duration = 300.0
    idle_in_transaction: Duration = 60.0
    slot_retained_mb: _Amount = 1024.0
    statements: _Count = 10
    large_rows: _Count = 10_000_000
    large_gb: _Amount = 10.0
    #: tables (the largest by pages) sized with pg_table_size & co.; the rest from relpages
    exact_sizes: _Count = 500
    #: schema names or ``*`` patterns (a TOML array; tuples in code)
    exclude_schemas: tuple[Annotated[str, _S], ...] = PLATFORM_SCHEMAS
    history: Annotated[str, _S, AfterValidator(_path)] = ".pgvet/history.sqlite"
