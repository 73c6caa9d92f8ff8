"""Errors pgvet reports to a user instead of a traceback.

Every failure a user can cause (a missing folder, an undecodable file, a server that will
not start, a DSN that does not answer) is a :class:`PgvetError`. The CLI catches these,
prints the message and hint, and exits with the error's code; anything else is a bug.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class PgvetError(Exception):
    """A problem the user can act on: a message, an optional hint and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(PgvetError):
    """Bad input: a path that is not a project, a file that cannot be decoded, bad config."""


class SandboxError(PgvetError):
    """The throwaway server could not be found, initialised or started."""


class ConnectionFailed(PgvetError):
    """A live database could not be reached (the DSN is redacted in the message)."""


class TimeLimitExceeded(PgvetError):
    """pgvet cut a query or the whole command: a migration that never ends is a finding."""

    exit_code = EXIT_FINDINGS

    def __init__(
        self, message: str, hint: str | None = None, *, server_stopped: bool = False
    ) -> None:
        super().__init__(message, hint)
        #: the query ignored the cancel, so the sandbox server is gone: nothing more can run
        self.server_stopped = server_stopped

    def during(self, what: str) -> TimeLimitExceeded:
        """The same error, saying what pgvet was doing (``replaying 2024_x.sql``)."""
        message = f"{self.message} while {what}"
        return type(self)(message, self.hint, server_stopped=self.server_stopped)


class StatementTimeout(TimeLimitExceeded):
    """One query (a migration file, a seed, a check of pgvet's) ran past the statement timeout."""


class CommandTimeout(TimeLimitExceeded):
    """The whole command ran past its ``--timeout``."""
