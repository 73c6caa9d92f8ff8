"""A watchdog over the sandbox's queries, so that nothing a migration does can hang pgvet.

The sandbox server cuts long statements itself (``statement_timeout``), but a migration can
turn that off: ``set statement_timeout = 0``, a function's ``SET`` clause, ``ALTER ROLE``.
So every query pgvet sends on a watched connection is also timed by a thread, which
cancels it (psycopg's ``cancel_safe`` may be called from another thread) once it outlives
the statement timeout or the command's deadline, and stops the sandbox server when the
cancel has not taken effect a few seconds later. Queries are timed through the
connection's cursor class, so every ``conn.execute`` in pgvet (replay, seed, catalog, RLS
checks) is covered without the watchdog being handed around.

Why a thread, and not SIGALRM, for the whole-command deadline too: an alarm raises at
whatever line the main thread is on (a ``finally``, a progress-bar refresh, the server's
cleanup) and only works in the main thread (the pytest plugin replays inside fixtures).
One thread consulting one deadline covers both limits; between queries the deadline is
checked as each query starts, and pgvet's own Python work is bounded by the project's size.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from pgvet.errors import CommandTimeout, StatementTimeout, TimeLimitExceeded
from pgvet.replay.limits import COMMAND_HINT, STATEMENT_HINT, Limits, format_duration

#: How often the thread looks at the running queries: cheap, and precise enough.
POLL_SECONDS = 0.05
#: Lets the server's own statement_timeout fire first (its error says where in PL/pgSQL).
CANCEL_MARGIN = 0.5
#: A cancelled query still running this long after the cancel takes the server down.
STOP_AFTER = 3.0


def limit_error(option: str, seconds: float, server_stopped: bool = False) -> TimeLimitExceeded:
    """The error for a query or a command cut by the limit that ``option`` sets."""
    message = f"stopped after {format_duration(seconds)} ({option})"
    if option == "--timeout":
        message += ": the whole command's time limit was reached"
    if server_stopped:
        message += "; the query ignored the cancel, so the sandbox server was stopped"
    kind = CommandTimeout if option == "--timeout" else StatementTimeout
    hint = COMMAND_HINT if option == "--timeout" else STATEMENT_HINT
    return kind(message, hint, server_stopped=server_stopped)


@dataclass(eq=False)
class _Trip:
    """One query on its way: when it is due and which limit that is."""

    conn: psycopg.Connection[Any]
    started: float
    due: float
    option: str
    seconds: float
    cut_at: float | None = None


class Watchdog:
    """Times every query on the connections it watches; cancels, then stops the server."""

    def __init__(self, limits: Limits, stop_server: Callable[[], None]) -> None:
        self.limits = limits
        self._stop_server = stop_server
        self._lock = threading.Lock()
        self._trips: dict[int, _Trip] = {}  # by id() of the connection
        self._budget: float | None = None
        self._fatal: TimeLimitExceeded | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pgvet-watchdog", daemon=True)
        self._cursor = _watched_cursor(self)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def watch(self, conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
        """Time every query sent through ``conn``'s cursors (``conn.execute`` included)."""
        conn.cursor_factory = self._cursor
        return conn

    @contextlib.contextmanager
    def budget(self, seconds: float) -> Iterator[None]:
        """Give each query in the block ``seconds`` instead of the statement timeout."""
        self._budget = seconds
        try:
            yield
        finally:
            self._budget = None

    @contextlib.contextmanager
    def query(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        """Time one round trip on ``conn``; when it was cut, raise the limit's error."""
        trip = self._start(conn)
        try:
            yield
        except psycopg.Error as exc:
            error = self._explain(trip, exc)
            if error is None:
                raise
            raise error from exc
        finally:
            with self._lock:
                self._trips.pop(id(conn), None)

    def _start(self, conn: psycopg.Connection[Any]) -> _Trip:
        if self._fatal is not None:
            raise self._fatal
        now = time.monotonic()
        if self._budget is not None:
            trip = _Trip(conn, now, now + self._budget, "--statement-timeout", self._budget)
        else:
            seconds = self.limits.statement
            trip = _Trip(conn, now, now + seconds + CANCEL_MARGIN, "--statement-timeout", seconds)
        deadline, total = self.limits.deadline, self.limits.total
        if deadline is not None and total is not None and deadline <= trip.due:
            if deadline <= now:
                raise limit_error("--timeout", total)
            trip = _Trip(conn, now, deadline, "--timeout", total)
        with self._lock:
            self._trips[id(conn)] = trip
        return trip

    def _explain(self, trip: _Trip, exc: psycopg.Error) -> TimeLimitExceeded | None:
        """The time-limit error behind a failed query, or None when it is not one."""
        if self._fatal is not None:
            return self._fatal
        if trip.cut_at is not None:
            return limit_error(trip.option, trip.seconds)
        # the server's own timeout, not a lower one the migration set for itself
        ran = time.monotonic() - trip.started
        if _server_timeout(exc) and ran >= self.limits.statement:
            return limit_error("--statement-timeout", self.limits.statement)
        return None

    def _run(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            if self._check(time.monotonic()):
                self._stop_server()

    def _check(self, now: float) -> bool:
        """Cancel overdue queries; True when one ignored its cancel (stop the server)."""
        with self._lock:
            for trip in self._trips.values():
                ignored_cancel = trip.cut_at is not None and now - trip.cut_at >= STOP_AFTER
                if trip.cut_at is None and now >= trip.due:
                    trip.cut_at = now
                    with contextlib.suppress(psycopg.Error):
                        trip.conn.cancel_safe(timeout=STOP_AFTER)
                elif ignored_cancel and self._fatal is None:
                    self._fatal = limit_error(trip.option, trip.seconds, server_stopped=True)
                    return True
        return False


def _server_timeout(exc: psycopg.Error) -> bool:
    return isinstance(exc, pg_errors.QueryCanceled) and "statement timeout" in (
        exc.diag.message_primary or ""
    )


def _watched_cursor(watchdog: Watchdog) -> type[psycopg.Cursor[Any]]:
    """A cursor class whose every ``execute`` is timed by ``watchdog``."""

    class WatchedCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> WatchedCursor:
            with watchdog.query(self.connection):
                return super().execute(query, params, **kwargs)

    return WatchedCursor
