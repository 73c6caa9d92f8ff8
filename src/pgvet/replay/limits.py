"""Limits for replaying untrusted migrations: time, privileges, ``[replay]``.

pgvet runs in CI on migration files anyone can write, so a loop or a sleep in one must not
hang the job. Two limits, both in seconds: the statement timeout (set on the sandbox server
and enforced again by :mod:`pgvet.replay.watchdog`, because a migration can turn the server's
off) and an optional limit on the whole command. Each comes from the command line, else
the ``[replay]`` section of ``pgvet.toml``, else the default::

    [replay]
    statement_timeout = "5min"   # one migration file, seed or query of pgvet's
    timeout = "20min"            # the whole command (default: none)
    superuser = false            # run migrations as a superuser (self-hosted projects)
    prelude = ["sql/roles.sql"]  # hand-made prerequisites, applied before the migrations
    decode_bom = false           # decode files with a byte-order mark (the CLI fails them)

Privileges: migrations run as Supabase's non-superuser ``postgres`` role
(docs/privileges.md); ``--superuser`` lifts that for self-hosted projects whose
migrations really need a superuser, with a warning on every run.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from pgvet.config import Config
from pgvet.errors import InputError

#: Generous for a throwaway database (no data), short enough to fail a CI job in minutes.
DEFAULT_STATEMENT_TIMEOUT = 300.0
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)", re.I)
_MIN_SECONDS = 0.001  # the server's statement_timeout counts whole milliseconds
_MAX_SECONDS = 24 * 86400.0  # and fits them in an int (24.8 days)
REPLAY_KEYS = ("statement_timeout", "timeout", "superuser", "prelude", "decode_bom")
SUPERUSER_WARNING = (
    "--superuser: migrations and the seed run as a PostgreSQL superuser, which Supabase "
    "never allows; what fails on deploy may pass here, and a migration can run commands as "
    "the sandbox's OS user. Do not use it on untrusted pull requests."
)
STATEMENT_HINT = (
    "raise the limit with --statement-timeout or statement_timeout in the [replay] section "
    "of pgvet.toml"
)
COMMAND_HINT = "raise the limit with --timeout or timeout in the [replay] section of pgvet.toml"


def parse_duration(value: Any, where: str) -> float:
    """Seconds from PostgreSQL-style durations ("500ms", "300s", "5min", "2h", "1d") or a
    plain number of seconds; anything else is an :class:`InputError` naming ``where``."""
    seconds = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        unit = match[2].lower() or "s"
        if unit in _UNITS:
            seconds = float(match[1]) * _UNITS[unit]
    if seconds is None:
        raise InputError(
            f"{where}: {value!r} is not a duration",
            hint='write it like "500ms", "300s", "5min" or "2h" (a plain number is seconds)',
        )
    if not _MIN_SECONDS <= seconds <= _MAX_SECONDS:
        raise InputError(
            f"{where}: {value!r} is out of range (1ms to 24d)",
            hint='pgvet always limits time; for a very long limit write e.g. "24h"',
        )
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact way to say ``seconds``: "500 ms", "90 s", "5 min", "2 h"."""
    if seconds < 1:
        return f"{seconds * 1000:g} ms"
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


@dataclass(frozen=True)
class Limits:
    """The limits of one command: time (the whole-command clock starts when it is made)
    and whether migrations may run as a superuser; with the other ``[replay]`` settings
    every replaying command honours: prelude files (paths relative to the project root)
    and whether files with a byte-order mark are decoded instead of failed as the CLI
    fails them."""

    statement: float = DEFAULT_STATEMENT_TIMEOUT
    total: float | None = None
    superuser: bool = False
    started: float = field(default_factory=time.monotonic)
    prelude: tuple[str, ...] = ()
    decode_bom: bool = False

    @property
    def deadline(self) -> float | None:
        """``time.monotonic()`` value at which the whole command is cut (None: never)."""
        return None if self.total is None else self.started + self.total

    def server_settings(self) -> dict[str, str]:
        """Settings for the sandbox server, so that it cuts long statements itself."""
        return {"statement_timeout": f"{round(self.statement * 1000)}ms"}


def replay_settings(config: Config) -> dict[str, Any]:
    """The ``[replay]`` section of the config, validated (unknown keys are errors)."""
    section = config.raw.get("replay", {})
    where = f"{config.source}: [replay]"
    if not isinstance(section, dict):
        raise InputError(f"{where}: expected a table of settings")
    if unknown := set(section) - set(REPLAY_KEYS):
        raise InputError(
            f"{where}: unknown setting(s): {', '.join(sorted(unknown))}",
            hint=f"known: {', '.join(REPLAY_KEYS)}",
        )
    out: dict[str, Any] = {}
    for key, value in section.items():
        if key in ("superuser", "decode_bom"):
            if not isinstance(value, bool):
                raise InputError(f"{where} {key}: expected true or false, got {value!r}")
            out[key] = value
        elif key == "prelude":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise InputError(
                    f"{where} prelude: expected a list of .sql paths, got {value!r}",
                    hint='write it like prelude = ["sql/roles.sql"] (relative to the project '
                    "root, the folder holding supabase/)",
                )
            out[key] = tuple(value)
        else:
            out[key] = parse_duration(value, f"{where} {key}")
    return out


def resolve_limits(
    config: Config,
    statement_timeout: str | None,
    timeout: str | None,
    superuser: bool | None = None,
    decode_bom: bool | None = None,
) -> Limits:
    """The limits of a command: its options, else ``[replay]``, else the defaults."""
    settings = replay_settings(config)
    statement = (
        parse_duration(statement_timeout, "--statement-timeout")
        if statement_timeout is not None
        else settings.get("statement_timeout", DEFAULT_STATEMENT_TIMEOUT)
    )
    total = parse_duration(timeout, "--timeout") if timeout is not None else settings.get("timeout")
    as_superuser = superuser if superuser is not None else settings.get("superuser", False)
    decode = decode_bom if decode_bom is not None else settings.get("decode_bom", False)
    return Limits(
        statement,
        total,
        as_superuser,
        prelude=settings.get("prelude", ()),
        decode_bom=decode,
    )
