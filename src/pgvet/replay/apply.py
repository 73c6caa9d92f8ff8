"""Apply a project's migrations to a server, one transaction per file, as the CLI does.

Each file is sent as one simple-protocol query, so PostgreSQL parses and runs it exactly as
``psql -f`` would, in one round trip; PostgreSQL's error position (a character offset in
the file's text) gives the file, line and column. When an error carries no position (most
run-time errors), the file is rolled back and re-run statement by statement to find the
statement that fails. Between files the session is reset, as if each file had its own
connection. A file cut by the statement timeout is located the same way, with a short
budget per statement so that locating it does not take as long again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from pglast import parser as pg_parser
from psycopg import sql

from pgvet.errors import StatementTimeout, TimeLimitExceeded
from pgvet.replay.failure import Failure
from pgvet.replay.hints import explain
from pgvet.replay.limits import format_duration
from pgvet.replay.project import MigrationFile, Project, Statement, Unreadable
from pgvet.replay.watchdog import Watchdog

HISTORY_INSERT = (
    "insert into supabase_migrations.schema_migrations (version, name, statements) "
    "values (%s, %s, %s)"
)
_QUOTED_NAME = re.compile(r'"([^"]+)"')
_OPERATOR = re.compile(r"operator does not exist: [\w .\[\]]+? (\S+) [\w]")
BEGIN_PREFIX = "BEGIN;\n"
SESSION_RESET = "SET SESSION AUTHORIZATION DEFAULT; RESET ALL"
QUERY_CANCELED = "57014"


@dataclass
class FileResult:
    """What happened to one migration file."""

    filename: str
    version: str
    status: str  # applied | failed | not run
    seconds: float = 0.0
    statements_applied: int = 0
    statements_total: int = 0
    failure: Failure | None = None
    notes: tuple[str, ...] = ()
    applied_in_pass: int | None = None


@dataclass
class ReplayResult:
    """The outcome of a replay, file by file, in the order files were tried."""

    project: Project
    server: str
    strict: bool
    files: list[FileResult] = field(default_factory=list)
    applied_order: list[str] = field(default_factory=list)
    passes: int = 1
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def ok(self) -> bool:
        return all(f.status == "applied" for f in self.files)

    @property
    def partial(self) -> bool:
        return not self.ok

    @property
    def applied_files(self) -> list[MigrationFile]:
        by_name = {f.filename: f for f in self.project.files}
        return [by_name[name] for name in self.applied_order if name in by_name]


def _diag_failure(
    exc: psycopg.Error, migration: MigrationFile, stmt: Statement | None, base: int
) -> Failure:
    """Build a Failure from PostgreSQL's diagnostics; ``base`` offsets the error position."""
    diag = exc.diag
    line = column = None
    if diag.statement_position:
        offset = base + int(diag.statement_position) - 1
        line, column = migration.line_col(offset)
        stmt = stmt or migration.statement_at(offset)
    elif stmt is not None:
        offset = stmt.start + _named_spot(stmt.text, diag.message_primary or "")
        line, column = migration.line_col(offset)
    return Failure(
        file=migration.filename,
        line=line,
        column=column,
        statement=stmt.text if stmt else None,
        statement_line=stmt.line if stmt else None,
        sqlstate=diag.sqlstate,
        message=diag.message_primary or str(exc).strip(),
        detail=diag.message_detail,
        hint=diag.message_hint,
        context=diag.context,
    )


def _named_spot(sql: str, message: str) -> int:
    """Where in ``sql`` the object named in an error message appears (0 if nowhere).

    PostgreSQL gives no position for many run-time errors (``relation "x" does not
    exist`` in CREATE INDEX); pointing at the name is what a reader needs.
    """
    operator = _OPERATOR.search(message)
    if operator:
        return _operator_spot(sql, operator.group(1))
    quoted = _QUOTED_NAME.search(message)
    if not quoted:
        return 0
    name = quoted.group(1).split(".")[-1]
    found = re.search(rf'(?<![\w"]){re.escape(name)}(?![\w"])|"{re.escape(name)}"', sql, re.I)
    return found.start() if found else 0


def _operator_spot(sql: str, operator: str) -> int:
    """Offset of the first use of ``operator`` in the statement's parse tree (0 if none)."""
    try:
        tree = json.loads(pg_parser.parse_sql_json(sql))
    except Exception:
        return 0
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            expr = node.get("A_Expr")
            if isinstance(expr, dict) and expr.get("kind") == "AEXPR_OP":
                names = [n.get("String", {}).get("sval") for n in expr.get("name", [])]
                if names[-1:] == [operator]:
                    return int(expr.get("location", 0))
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return 0


def _pinpoint(
    conn: psycopg.Connection, migration: MigrationFile
) -> tuple[Statement, psycopg.Error | StatementTimeout] | None:
    """Re-run a failed file statement by statement (then roll back) to find the culprit."""
    conn.execute("BEGIN")
    try:
        for stmt in migration.statements:
            try:
                conn.execute(stmt.text)
            except (psycopg.Error, StatementTimeout) as exc:
                return stmt, exc
        return None
    finally:
        _reset(conn)  # when the watchdog stopped the server, this raises its error


def _failure_at(
    exc: psycopg.Error | StatementTimeout, migration: MigrationFile, stmt: Statement
) -> Failure:
    """The failure of one statement that was run on its own."""
    if isinstance(exc, StatementTimeout):
        if exc.server_stopped:
            raise exc
        return _timeout_failure(exc, migration, stmt, exc)
    return _diag_failure(exc, migration, stmt, stmt.start)


def _locate_timeout(
    conn: psycopg.Connection, migration: MigrationFile, exc: StatementTimeout, watchdog: Watchdog
) -> Failure:
    """Find the statement of a file that ran past the statement timeout, quickly.

    Re-running each statement under the full limit would take as long again; a tenth of it
    (at least a second) finds a statement that never ends just as surely. A statement that
    is merely slow (past the budget, within the limit) would be named instead, which the
    hint says; in a database without data that is rare.
    """
    budget = min(watchdog.limits.statement, max(1.0, watchdog.limits.statement / 10))
    with watchdog.budget(budget):
        found = _pinpoint(conn, migration)
    rerun = "when the file was re-run statement by statement"
    if found is None:
        why = f"{rerun}, none took {format_duration(budget)}: the file as a whole is too slow"
        return _timeout_failure(exc, migration, None, exc, why)
    stmt, culprit = found
    if not isinstance(culprit, StatementTimeout):
        return _diag_failure(culprit, migration, stmt, stmt.start)
    why = f"{rerun}, this one was still running after {format_duration(budget)}"
    return _timeout_failure(exc, migration, stmt, culprit, why)


def _timeout_failure(
    exc: StatementTimeout,
    migration: MigrationFile,
    stmt: Statement | None,
    culprit: StatementTimeout,
    why: str = "",
) -> Failure:
    """A file cut by the statement timeout: pgvet's message, the statement that was running,
    PostgreSQL's context (where in PL/pgSQL), and which setting raises the limit."""
    cause = culprit.__cause__  # the server's error the watchdog explained
    return Failure(
        file=migration.filename,
        line=stmt.line if stmt else None,
        column=stmt.column if stmt else None,
        statement=stmt.text if stmt else None,
        statement_line=stmt.line if stmt else None,
        sqlstate=QUERY_CANCELED,
        message=exc.message,
        context=cause.diag.context if isinstance(cause, psycopg.Error) else None,
        pgvet_hint=f"{why}; {exc.hint}" if why else exc.hint,
    )


def _record_history(conn: psycopg.Connection, migration: MigrationFile) -> None:
    conn.execute(
        HISTORY_INSERT,
        (migration.version, migration.name, [s.text for s in migration.statements]),
    )


def _reset(conn: psycopg.Connection) -> None:
    """Leave no transaction open (a file may have sent its own BEGIN) and reset the session."""
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute("ROLLBACK")
    conn.execute(SESSION_RESET)


def _history_then_commit(conn: psycopg.Connection, migration: MigrationFile) -> str:
    """History insert, COMMIT and session reset as one simple query (one round trip)."""
    values = sql.SQL("({}, {}, {})").format(
        sql.Literal(migration.version),
        sql.Literal(migration.name),
        sql.Literal([s.text for s in migration.statements]),
    )
    insert = sql.SQL(HISTORY_INSERT.replace("(%s, %s, %s)", "{}")).format(values)
    return f"{insert.as_string(conn)}; COMMIT; {SESSION_RESET}"


def apply_file(
    conn: psycopg.Connection,
    migration: MigrationFile,
    project: Project,
    watchdog: Watchdog | None = None,
) -> FileResult:
    """Apply one migration in its own transaction (or statement by statement if it must).

    ``watchdog`` times ``conn`` (see :mod:`pgvet.replay.watchdog`); a file it cuts fails like any
    other, and an error it raises from here means the replay cannot go on.
    """
    result = FileResult(
        migration.filename,
        migration.version,
        "applied",
        statements_total=len(migration.statements),
        notes=migration.notes,
    )
    started = time.perf_counter()
    failure: Failure | None = None
    if migration.non_transactional:
        for stmt in migration.statements:
            try:
                conn.execute(stmt.text)
            except (psycopg.Error, StatementTimeout) as exc:
                failure = _failure_at(exc, migration, stmt)
                break
            result.statements_applied += 1
        if failure is None:
            try:
                _record_history(conn, migration)
            except psycopg.Error as exc:
                failure = _diag_failure(exc, migration, None, 0)
        _reset(conn)
    else:
        try:
            # two round trips per file: BEGIN + the file's text, then history + COMMIT
            conn.execute(BEGIN_PREFIX + migration.text)
            conn.execute(_history_then_commit(conn, migration))
            result.statements_applied = len(migration.statements)
        except StatementTimeout as exc:
            if exc.server_stopped:
                raise
            _reset(conn)
            assert watchdog is not None  # only a watched connection raises it
            failure = _locate_timeout(conn, migration, exc, watchdog)
        except psycopg.Error as exc:
            _reset(conn)
            failure = _diag_failure(exc, migration, None, -len(BEGIN_PREFIX))
            if failure.line is None and migration.statements and not _is_history_error(exc):
                found = _pinpoint(conn, migration)
                if found:
                    stmt, stmt_exc = found
                    failure = _failure_at(stmt_exc, migration, stmt)
        if failure is not None and failure.statement is not None:
            result.statements_applied = next(
                (s.index for s in migration.statements if s.text == failure.statement), 0
            )
    result.seconds = time.perf_counter() - started
    if failure is not None:
        result.status = "failed"
        result.failure = _with_hint(failure, migration, project)
    return result


def _is_history_error(exc: psycopg.Error) -> bool:
    return "schema_migrations" in (exc.diag.constraint_name or "") or "schema_migrations" in str(
        exc
    )


def _with_hint(failure: Failure, migration: MigrationFile, project: Project) -> Failure:
    from dataclasses import replace

    return replace(failure, pgvet_hint=failure.pgvet_hint or explain(failure, migration, project))


def _unreadable_result(item: Unreadable) -> FileResult:
    return FileResult(
        item.path.name,
        item.version,
        "failed",
        failure=Failure(
            file=item.path.name,
            line=None,
            column=None,
            statement=None,
            statement_line=None,
            sqlstate=None,
            message=item.message,
            pgvet_hint="re-save the file as UTF-8; nothing in it could be applied",
        ),
    )


Progress = Callable[[FileResult], None]


def _apply(
    conn: psycopg.Connection, migration: MigrationFile, project: Project, watchdog: Watchdog | None
) -> FileResult:
    """:func:`apply_file`, naming the file when a time limit ends the whole replay."""
    try:
        return apply_file(conn, migration, project, watchdog)
    except TimeLimitExceeded as exc:
        raise exc.during(f"replaying {migration.filename}") from None


def _worth_retrying(result: FileResult) -> bool:
    """A failed file that a later pass may apply: not one that ran out of time."""
    return result.failure is None or result.failure.sqlstate != QUERY_CANCELED


def replay(
    conn: psycopg.Connection,
    project: Project,
    *,
    keep_going: bool = False,
    server: str = "",
    on_file: Progress | None = None,
    watchdog: Watchdog | None = None,
) -> ReplayResult:
    """Apply every migration in order; strict stops at the first failure.

    With ``keep_going`` a failing file is skipped and the run goes on; the skipped files are
    then retried in further passes for as long as any of them applies (a file that needed
    an object from a later file applies on the second pass), and the order that finally
    worked is recorded. A file cut by the statement timeout is not retried: it would only
    spend the limit again.
    """
    started = time.perf_counter()
    outcome = ReplayResult(project, server, strict=not keep_going)
    unreadable = {u.path.name: u for u in project.unreadable}
    ordered: list[MigrationFile | Unreadable] = sorted(
        [*project.files, *project.unreadable], key=lambda f: f.path.name
    )
    results: dict[str, FileResult] = {}
    pending: list[MigrationFile] = []
    stopped = False
    for item in ordered:
        name = item.path.name
        if stopped:
            results[name] = FileResult(name, item.version, "not run")
            continue
        if name in unreadable:
            results[name] = _unreadable_result(unreadable[name])
        else:
            assert isinstance(item, MigrationFile)
            results[name] = _apply(conn, item, project, watchdog)
            if results[name].status == "applied":
                results[name].applied_in_pass = 1
                outcome.applied_order.append(name)
            elif _worth_retrying(results[name]):
                pending.append(item)
        if on_file:
            on_file(results[name])
        if results[name].status == "failed" and not keep_going:
            stopped = True
    while keep_going and pending:
        retry: list[MigrationFile] = []
        progressed = False
        for migration in pending:
            attempt = _apply(conn, migration, project, watchdog)
            if attempt.status == "applied":
                progressed = True
                attempt.applied_in_pass = outcome.passes + 1
                outcome.applied_order.append(migration.filename)
                results[migration.filename] = attempt
            elif _worth_retrying(attempt):
                retry.append(migration)
        if not progressed:
            break
        outcome.passes += 1
        pending = retry
    outcome.files = [results[item.path.name] for item in ordered]
    outcome.seconds = time.perf_counter() - started
    return outcome
