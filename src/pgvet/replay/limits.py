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

import time
from dataclasses import dataclass, field

from pgvet.config import Config
from pgvet.config.base import SettingError, seconds
from pgvet.errors import InputError

#: Generous for a throwaway database (no data), short enough to fail a CI job in minutes.
DEFAULT_STATEMENT_TIMEOUT = 300.0
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


def parse_duration(value: str | float, where: str) -> float:
    """Seconds from a command-line duration ("500ms", "300s", "5min", "2h", "1d", or a
    plain number of seconds); anything else is an :class:`InputError` naming ``where``
    (``[replay]``'s durations are checked with the same rule when the file is read)."""
    try:
        return seconds(value)
    except SettingError as exc:
        raise InputError(f"{where}: {exc.message}", hint=exc.hint) from None


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


def resolve_limits(
    config: Config,
    statement_timeout: str | None,
    timeout: str | None,
    superuser: bool | None = None,
    decode_bom: bool | None = None,
) -> Limits:
    """The limits of a command: its options, else ``[replay]``, else the defaults."""
    settings = config.replay
    statement = (
        parse_duration(statement_timeout, "--statement-timeout")
        if statement_timeout is not None
        else settings.statement_timeout or DEFAULT_STATEMENT_TIMEOUT
    )
    total = parse_duration(timeout, "--timeout") if timeout is not None else settings.timeout
    return Limits(
        statement,
        total,
        settings.superuser if superuser is None else superuser,
        prelude=settings.prelude,
        decode_bom=settings.decode_bom if decode_bom is None else decode_bom,
    )
