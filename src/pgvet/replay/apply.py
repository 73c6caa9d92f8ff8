"""Apply a project's migrations to a server, one transaction per file, as the CLI does.

The CLI sends a file's statements, then the history insert, as one transactional batch;
statements PostgreSQL refuses in a transaction (:mod:`pgvet.replay.standalone`) run on
their own between committed parts. pgvet sends each transactional part as one
simple-protocol query (one round trip), and PostgreSQL's error position (a character
offset in the file's text) gives the file, line and column. Because PostgreSQL parses a
whole multi-statement query before running any of it, a syntax error further down would
hide a run-time error above it, which the CLI (statement after statement) reports first;
so on a syntax error, and on errors without a position, the part is rolled back and re-run
statement by statement to find the statement that fails first. Errors inside ``DO`` blocks
and functions are placed with PL/pgSQL's context (:mod:`pgvet.replay.plpgsql`). Between
files the session is reset, as the CLI's ``RESET ALL`` does. A file cut by the statement
timeout is located the same way, with a short budget per statement so that locating it
does not take as long again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from psycopg import sql

from pgvet.analysis.sql.parse import statements
from pgvet.errors import StatementTimeout, TimeLimitExceeded
from pgvet.replay.failure import Failure
from pgvet.replay.hints import explain
from pgvet.replay.ledger import Ledger, Outcome
from pgvet.replay.limits import format_duration
from pgvet.replay.plpgsql import in_do_block, raised_in_function
from pgvet.replay.project import MigrationFile, Project, Statement, Unreadable
from pgvet.replay.unreached import Unreached, never_reached
from pgvet.replay.vector_options import (
    INVALID_PARAMETER_VALUE,
    RAISED_BEFORE_OPTIONS,
    Refusal,
    Rewrite,
    standin_installed,
)
from pgvet.replay.vector_options import rewrite as vector_rewrite
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
SYNTAX_ERROR = "42601"
_CONTEXT_QUERY = re.compile(r'^SQL statement "(.*?)"\n(?:PL/pgSQL|SQL) function', re.S | re.M)
_TRANSACTION_CONTROL = re.compile(
    r"\s*(begin|start\s+transaction|commit|end|abort|rollback(?!\s+(work\s+|transaction\s+)?to\b))"
    r"\b",
    re.I,
)


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
    prelude: bool = False  # a hand-made prerequisite of [replay] prelude, not a migration


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
    prelude: tuple[MigrationFile, ...] = ()
    never_reached: list[Unreached] = field(default_factory=list)

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
    def migrations(self) -> list[FileResult]:
        """The results of migration files (prelude files left out)."""
        return [f for f in self.files if not f.prelude]

    @property
    def applied_files(self) -> list[MigrationFile]:
        """Prelude files, then migrations, that applied, in the order they applied."""
        by_name = {f.filename: f for f in (*self.prelude, *self.project.files)}
        return [by_name[name] for name in self.applied_order if name in by_name]


def _diag_failure(
    exc: psycopg.Error,
    migration: MigrationFile,
    stmt: Statement | None,
    base: int,
    project: Project | None = None,
) -> Failure:
    """Build a Failure from PostgreSQL's diagnostics; ``base`` offsets the error position.

    Without a position, an error inside a DO block is placed at its line in the block
    (PL/pgSQL's context), anything else at the object its message names; an error raised
    in a function a migration created also says where in that migration."""
    diag = exc.diag
    line = column = None
    raised_at = None
    message = diag.message_primary or str(exc).strip()
    if diag.statement_position:
        offset = base + int(diag.statement_position) - 1
        line, column = migration.line_col(offset)
        stmt = stmt or migration.statement_at(offset)
    elif stmt is not None:
        query = diag.internal_query or _context_query(diag.context)
        at = int(diag.internal_position) - 1 if diag.internal_position else None
        if at is None and query:
            at = _named_spot(query, message)
        spot = in_do_block(migration, stmt, diag.context, query, at or 0)
        if spot is not None:
            line, column = spot.line, spot.column
        else:
            offset = stmt.start + _named_spot(stmt.text, message)
            line, column = migration.line_col(offset)
        if project is not None:
            raised_at = raised_in_function(project, diag.context, stmt)
    return Failure(
        file=migration.filename,
        line=line,
        column=column,
        statement=stmt.text if stmt else None,
        statement_line=stmt.line if stmt else None,
        sqlstate=diag.sqlstate,
        message=message,
        detail=diag.message_detail,
        hint=diag.message_hint,
        context=diag.context,
        raised_at=raised_at,
    )


def _context_query(context: str | None) -> str | None:
    """The innermost ``SQL statement "…"`` of a PL/pgSQL error context."""
    found = _CONTEXT_QUERY.search(context or "")
    return found[1] if found else None


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
    tree = statements(sql)
    if tree is None:
        return 0
    stack: list[Any] = [list(tree)]
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
    conn: psycopg.Connection,
    statements: tuple[Statement, ...] | list[Statement],
    sent: Callable[[Statement], str] = lambda stmt: stmt.text,
) -> tuple[Statement, psycopg.Error | StatementTimeout] | None:
    """Re-run statements one by one in a transaction (then roll back) to find the first
    that fails. The file's own BEGIN / COMMIT are left out, so nothing of it stays.
    ``sent`` is a statement's text as the replay sends it."""
    conn.execute("BEGIN")
    try:
        for stmt in statements:
            if _TRANSACTION_CONTROL.match(stmt.text):
                continue
            try:
                conn.execute(sent(stmt))
            except (psycopg.Error, StatementTimeout) as exc:
                return stmt, exc
        return None
    finally:
        _reset(conn)  # when the watchdog stopped the server, this raises its error


def _failure_at(
    exc: psycopg.Error | StatementTimeout,
    migration: MigrationFile,
    stmt: Statement,
    project: Project | None = None,
) -> Failure:
    """The failure of one statement that was run on its own."""
    if isinstance(exc, StatementTimeout):
        if exc.server_stopped:
            raise exc
        return _timeout_failure(exc, migration, stmt, exc)
    return _diag_failure(exc, migration, stmt, stmt.start, project)


def _locate_timeout(
    conn: psycopg.Connection,
    migration: MigrationFile,
    statements: list[Statement],
    exc: StatementTimeout,
    watchdog: Watchdog,
    sent: Callable[[Statement], str] = lambda stmt: stmt.text,
) -> Failure:
    """Find the statement of a file that ran past the statement timeout, quickly.

    Re-running each statement under the full limit would take as long again; a tenth of it
    (at least a second) finds a statement that never ends just as surely. A statement that
    is merely slow (past the budget, within the limit) would be named instead, which the
    hint says; in a database without data that is rare.
    """
    budget = min(watchdog.limits.statement, max(1.0, watchdog.limits.statement / 10))
    with watchdog.budget(budget):
        found = _pinpoint(conn, statements, sent)
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


@dataclass(frozen=True)
class Part:
    """Statements the CLI sends together in one transaction, or one it runs on its own."""

    statements: list[Statement]
    standalone: bool


def parts(migration: MigrationFile) -> list[Part]:
    """A file cut as the CLI cuts it: transactional runs, and standalone statements."""
    out: list[Part] = []
    for stmt in migration.statements:
        alone = stmt in migration.non_transactional
        if alone or not out or out[-1].standalone:
            out.append(Part([stmt], alone))
        else:
            out[-1].statements.append(stmt)
    return out or [Part([], False)]


def _bom_failure(conn: psycopg.Connection, migration: MigrationFile) -> Failure | None:
    """Send a file that starts with a byte-order mark as the CLI does, its bytes as they
    are; PostgreSQL's refusal is the failure (None if, against expectation, it accepts)."""
    assert migration.original is not None
    try:
        conn.execute(BEGIN_PREFIX.encode() + migration.original)
    except psycopg.Error as exc:
        _reset(conn)
        first = migration.statements[0] if migration.statements else None
        return Failure(
            file=migration.filename,
            line=1,
            column=1,
            statement=first.text if first else None,
            statement_line=first.line if first else None,
            sqlstate=exc.diag.sqlstate,
            message=exc.diag.message_primary or str(exc).strip(),
            detail=exc.diag.message_detail,
            pgvet_hint=(
                f"the file starts with a {migration.bom} byte-order mark; the Supabase CLI "
                "sends the file's bytes as they are and PostgreSQL rejects them, as here. "
                "Re-save it as UTF-8 without a BOM (or replay with --decode-bom to review "
                "the rest as if it were)"
            ),
        )
    _reset(conn)
    return None


class _Run:
    """Applies the parts of one file, remembering how far it got."""

    def __init__(
        self,
        conn: psycopg.Connection,
        migration: MigrationFile,
        project: Project,
        watchdog: Watchdog | None,
        record: bool,
        rewrite: Rewrite | None = None,
    ) -> None:
        self.conn, self.migration, self.project = conn, migration, project
        self.watchdog, self.record = watchdog, record
        self.applied = 0
        #: the text sent: pgvector's index options blanked on a stand-in server
        self.text = rewrite.text if rewrite else migration.text
        self.refusals = rewrite.refusals if rewrite else {}

    def sent(self, stmt: Statement) -> str:
        """A statement's text as it is sent."""
        return self.text[stmt.start : stmt.end]

    def refusal(self, statements: list[Statement]) -> Refusal | None:
        """The first statement of ``statements`` whose pgvector options are invalid."""
        return next((self.refusals[s.index] for s in statements if s.index in self.refusals), None)

    def all(self) -> Failure | None:
        cut = parts(self.migration)
        for number, part in enumerate(cut, 1):
            last = number == len(cut)
            failure = self.standalone(part, last) if part.standalone else self.batch(part, last)
            if failure is not None:
                return failure
            self.applied += len(part.statements)
        return None

    def _finish(self, last: bool) -> str:
        if not last:
            return "COMMIT"
        if self.record:
            return _history_then_commit(self.conn, self.migration)
        return f"COMMIT; {SESSION_RESET}"

    def standalone(self, part: Part, last: bool) -> Failure | None:
        (stmt,) = part.statements
        refusal = self.refusal(part.statements)
        if refusal is not None and _method_exists(self.conn, refusal.method):
            return _refusal_failure(refusal, self.migration)  # (CREATE INDEX CONCURRENTLY)
        try:
            self.conn.execute(self.sent(stmt))
        except (psycopg.Error, StatementTimeout) as exc:
            _reset(self.conn)
            return _failure_at(exc, self.migration, stmt, self.project)
        if last:  # the history insert in a transaction of its own, as the CLI's last batch
            return self.batch(Part([], False), True)
        return None

    def batch(self, part: Part, last: bool) -> Failure | None:
        migration, conn = self.migration, self.conn
        if len(part.statements) == len(migration.statements):  # the whole file, comments too
            start, end = 0, len(migration.text)
        elif part.statements:
            start, end = part.statements[0].start, part.statements[-1].end
        else:  # only the history insert, after a standalone last statement
            start = end = 0
        statements = part.statements
        refusal = self.refusal(statements)
        if refusal is not None:  # run up to it (options blanked), to fail where pgvector does
            end = refusal.statement.end
            statements = [s for s in statements if s.index <= refusal.statement.index]
        try:
            conn.execute(BEGIN_PREFIX + self.text[start:end])
            if refusal is not None:
                _reset(conn)
                return _refusal_failure(refusal, migration)
            conn.execute(self._finish(last))
        except StatementTimeout as exc:
            if exc.server_stopped:
                raise
            _reset(conn)
            assert self.watchdog is not None  # only a watched connection raises it
            return _locate_timeout(conn, migration, statements, exc, self.watchdog, self.sent)
        except psycopg.Error as exc:
            _reset(conn)
            failure = _diag_failure(exc, migration, None, start - len(BEGIN_PREFIX), self.project)
            first_fails = failure.sqlstate == SYNTAX_ERROR or failure.line is None
            if first_fails and statements and not _is_history_error(exc):
                found = _pinpoint(conn, statements, self.sent)
                if found:
                    failure = _failure_at(found[1], migration, found[0], self.project)
            if refusal is not None and _options_first(refusal, failure):
                return _refusal_failure(refusal, migration)
            return failure
        return None


def _method_exists(conn: psycopg.Connection, method: str) -> bool:
    row = conn.execute("select exists (select from pg_catalog.pg_am where amname = %s)", [method])
    return bool(row.fetchone()[0])  # type: ignore[index]


def _options_first(refusal: Refusal, failure: Failure) -> bool:
    """Whether pgvector refuses the options before the error the server raised for the
    statement without them: the statement itself failed, past the checks that come before
    its options are read (table, access method, privilege)."""
    if refusal.at_build or failure.statement != refusal.statement.text:
        return False
    before = failure.sqlstate in RAISED_BEFORE_OPTIONS or "access method" in failure.message
    return not before


def _refusal_failure(refusal: Refusal, migration: MigrationFile) -> Failure:
    """pgvector's refusal of an index's options, at the option, as a failure."""
    line, column = migration.line_col(refusal.offset)
    stmt = refusal.statement
    return Failure(
        file=migration.filename,
        line=line,
        column=column,
        statement=stmt.text,
        statement_line=stmt.line,
        sqlstate=INVALID_PARAMETER_VALUE,
        message=refusal.message,
        detail=refusal.detail,
        pgvet_hint=(
            "pgvector refuses this: this server has pgvet's SQL stand-in for pgvector, "
            "so pgvet checks ivfflat/hnsw options as pgvector does (same ranges and "
            "messages); the embedded PostgreSQL 18 has the real pgvector (--pg-version 18)"
        ),
    )


def apply_file(
    conn: psycopg.Connection,
    migration: MigrationFile,
    project: Project,
    watchdog: Watchdog | None = None,
    ledger: Ledger | None = None,
    *,
    decode_bom: bool = False,
    record: bool = True,
    vector_standin: bool = False,
) -> FileResult:
    """Apply one migration as the CLI does: its statements in one transaction, except
    those that must run on their own, which end the transaction before them.

    ``watchdog`` times ``conn`` (see :mod:`pgvet.replay.watchdog`); a file it cuts fails
    like any other, and an error it raises from here means the replay cannot go on.
    ``ledger`` (what became of the other files) lets hints say it; ``record`` False
    applies a prelude file, which has no history row; ``decode_bom`` replays a file with
    a byte-order mark decoded instead of failing it as the CLI does. ``vector_standin``
    (the server's ``vector`` is pgvet's SQL stand-in) sends valid ivfflat/hnsw options
    blanked and fails invalid ones as pgvector does (:mod:`pgvet.replay.vector_options`).
    """
    result = FileResult(
        migration.filename,
        migration.version,
        "applied",
        statements_total=len(migration.statements),
        notes=migration.notes,
        prelude=not record,
    )
    started = time.perf_counter()
    failure = None
    if migration.bom and not decode_bom:
        failure = _bom_failure(conn, migration)
    rewrite = vector_rewrite(migration) if vector_standin else None
    run = _Run(conn, migration, project, watchdog, record, rewrite)
    if failure is None:
        failure = run.all()
    result.statements_applied = run.applied
    if failure is not None and failure.statement is not None:
        result.statements_applied = next(
            (s.index for s in migration.statements if s.text == failure.statement), run.applied
        )
    result.seconds = time.perf_counter() - started
    if failure is not None:
        result.status = "failed"
        result.failure = _with_hint(failure, migration, project, ledger)
    return result


def _is_history_error(exc: psycopg.Error) -> bool:
    return "schema_migrations" in (exc.diag.constraint_name or "") or "schema_migrations" in str(
        exc
    )


def _with_hint(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger | None
) -> Failure:
    hint = failure.pgvet_hint or explain(failure, migration, project, ledger)
    return replace(failure, pgvet_hint=hint)


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
    conn: psycopg.Connection,
    migration: MigrationFile,
    project: Project,
    watchdog: Watchdog | None,
    ledger: Ledger,
    decode_bom: bool,
    record: bool,
    vector_standin: bool = False,
) -> FileResult:
    """:func:`apply_file`, naming the file when a time limit ends the whole replay."""
    try:
        return apply_file(
            conn,
            migration,
            project,
            watchdog,
            ledger,
            decode_bom=decode_bom,
            record=record,
            vector_standin=vector_standin,
        )
    except TimeLimitExceeded as exc:
        raise exc.during(f"replaying {migration.filename}") from None


def _worth_retrying(result: FileResult) -> bool:
    """A failed file that a later pass may apply: not one that ran out of time."""
    return result.failure is None or result.failure.sqlstate != QUERY_CANCELED


def _record(ledger: Ledger, result: FileResult) -> None:
    failure = result.failure
    if result.status == "applied":
        ledger.record(result.filename, Outcome("applied"))
    elif failure is not None:
        ledger.record(result.filename, Outcome("failed", failure.location, failure.message))


def replay(
    conn: psycopg.Connection,
    project: Project,
    *,
    keep_going: bool = False,
    server: str = "",
    on_file: Progress | None = None,
    watchdog: Watchdog | None = None,
    prelude: tuple[MigrationFile, ...] = (),
    decode_bom: bool = False,
) -> ReplayResult:
    """Apply the ``prelude`` files, then every migration in order; strict stops at the
    first failure.

    With ``keep_going`` a failing file is skipped and the run goes on; the skipped files are
    then retried in further passes for as long as any of them applies (a file that needed
    an object from a later file applies on the second pass), and the order that finally
    worked is recorded. A failed file's error is its last attempt's. A file cut by the
    statement timeout is not retried: it would only spend the limit again. At the end,
    the objects that failed and unrun files would have made, or that failures name, and
    that do not exist are listed as never having reached the sandbox.
    """
    started = time.perf_counter()
    outcome = ReplayResult(project, server, strict=not keep_going, prelude=prelude)
    ledger = Ledger(project, prelude=prelude)
    unreadable = {u.path.name: u for u in project.unreadable}
    ordered: list[MigrationFile | Unreadable] = sorted(
        [*project.files, *project.unreadable], key=lambda f: f.path.name
    )
    results: dict[str, FileResult] = {}
    pending: list[MigrationFile] = []
    stopped = False
    vector_standin = standin_installed(conn)

    def apply(item: MigrationFile, record: bool = True) -> FileResult:
        done = _apply(conn, item, project, watchdog, ledger, decode_bom, record, vector_standin)
        _record(ledger, done)
        return done

    for item in (*prelude, *ordered):
        name = item.path.name if isinstance(item, Unreadable) else item.filename
        if stopped:
            results[name] = FileResult(name, item.version, "not run", prelude=item in prelude)
            continue
        if name in unreadable:
            results[name] = _unreadable_result(unreadable[name])
            _record(ledger, results[name])
        else:
            assert isinstance(item, MigrationFile)
            results[name] = apply(item, record=item not in prelude)
            if results[name].status == "applied":
                results[name].applied_in_pass = 1
                outcome.applied_order.append(name)
            elif _worth_retrying(results[name]) and item not in prelude:
                pending.append(item)
        if on_file:
            on_file(results[name])
        if results[name].status == "failed" and not keep_going:
            stopped = True
    while keep_going and pending:
        retry: list[MigrationFile] = []
        progressed = False
        for migration in pending:
            attempt = apply(migration)
            results[migration.filename] = attempt
            if attempt.status == "applied":
                progressed = True
                attempt.applied_in_pass = outcome.passes + 1
                outcome.applied_order.append(migration.filename)
            elif _worth_retrying(attempt):
                retry.append(migration)
        if not progressed:
            break
        outcome.passes += 1
        pending = retry
    outcome.files = [results[f.filename] for f in prelude] + [
        results[item.path.name] for item in ordered
    ]
    outcome.never_reached = never_reached(conn, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome
