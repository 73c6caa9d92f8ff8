"""What every settings section shares: strict models, durations, percentages, and the one
error a validator raises.

A validator that knows more than "wrong type" raises :class:`SettingError`: its text says
what was expected, ``at`` points below the field it checks (``expect[2].persona`` from the
``[rls]`` model's cross-check) and ``hint`` says how to write it; :mod:`pgvet.config` turns
it into one line naming the file and the key.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


class Strict(BaseModel):
    """A section or sub-table: unknown keys are errors, types are never coerced.

    Validators are built when a file is first validated (``defer_build``), not on import:
    every command imports the settings, most run without a settings file."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class SettingError(ValueError):
    """A value a setting cannot take; ``at`` extends the key the error is reported at."""

    def __init__(self, message: str, *, at: tuple[str | int, ...] = (), hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.at = at
        self.hint = hint


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)", re.I)
_MIN_SECONDS = 0.001  # the server's statement_timeout counts whole milliseconds
_MAX_SECONDS = 24 * 86400.0  # and fits them in an int (24.8 days)
DURATION_HINT = 'write it like "500ms", "300s", "5min" or "2h" (a plain number is seconds)'


def seconds(value: Any) -> float:
    """Seconds from PostgreSQL-style durations ("500ms", "300s", "5min", "2h", "1d") or a
    plain number of seconds; anything else raises :class:`SettingError`."""
    found = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        found = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        unit = match[2].lower() or "s"
        if unit in _UNITS:
            found = float(match[1]) * _UNITS[unit]
    if found is None:
        raise SettingError(f"{value!r} is not a duration", hint=DURATION_HINT)
    if not _MIN_SECONDS <= found <= _MAX_SECONDS:
        raise SettingError(
            f"{value!r} is out of range (1ms to 24d)",
            hint='pgvet always limits time; for a very long limit write e.g. "24h"',
        )
    return found


def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise SettingError(f"expected a percentage, 0 to 100 (got {value!r})")
    return value


def _not_negative(value: float) -> float:
    if value < 0:
        raise SettingError(f"expected a number ≥ 0 (got {value!r})")
    return value


#: A duration in seconds, written "5min", "300s" or as a number of seconds.
Duration = Annotated[float, BeforeValidator(seconds)]
#: A percentage, 0 to 100.
Percent = Annotated[float, AfterValidator(_percent)]
#: A count or size that cannot be negative.
NonNegativeInt = Annotated[int, AfterValidator(_not_negative)]
NonNegativeFloat = Annotated[float, AfterValidator(_not_negative)]
