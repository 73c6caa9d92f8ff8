"""Restore a plain-SQL dump into the sandbox, statement by statement, and say what failed.

The files of ``supabase db dump`` are applied in the platform's order (roles, schema, data)
on one session, like the ``psql --file roles.sql --file schema.sql --file data.sql`` of
Supabase's restore guide, but without psql (see :mod:`pgvet.backup.plainsql`). Nothing
stops at the first error: every statement that fails is recorded with its file and line
(for a ``COPY`` row, the line of that row) and the restore goes on, so one report lists
every problem. "Already exists" errors are notes, not failures: the target holds the
platform's objects already (a new Supabase project has ``auth``, the realtime
publication…), and whether the existing object equals the dumped one is for the
comparison to say.

Statements are sent in batches (one round trip for up to :data:`BATCH_STATEMENTS`
statements); a batch that fails is rolled back by the server and re-run statement by
statement, so the good ones apply and the failing one is named.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from pgvet.backup.plainsql import CopyData, Meta, PlainDump, Statement
from pgvet.errors import TimeLimitExceeded
from pgvet.replay.vector_options import blank_valid, standin_installed
from pgvet.replay.watchdog import Watchdog

BATCH_STATEMENTS = 200
BATCH_BYTES = 1 << 20
COPY_CHUNK = 1 << 20
#: duplicate_schema, duplicate_table, duplicate_object, duplicate_function, duplicate_column
EXISTS_STATES = frozenset({"42P06", "42P07", "42710", "42723", "42701"})
_COPY_LINE = re.compile(r"\bCOPY \S+, line (\d+)")
_DBNAME = re.compile(r"dbname='((?:[^'\\]|\\.)*)'")
_TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|START|END|ABORT)\b", re.IGNORECASE)
#: pg_dumpall's statements that make the next database (run whichever section they end)
_DATABASE_DDL = re.compile(r'^\s*(?:CREATE|ALTER)\s+DATABASE\s+"?([^"\s;]+)', re.IGNORECASE)
#: what new databases are copied from: a restore never writes into them
TEMPLATES = frozenset({"template0", "template1"})


@dataclass(frozen=True)
class Issue:
    """A statement (or archive entry) that did not restore as written."""

    file: str
    location: str  # "line 123", "TOC entry 215 (TABLE public foo)"
    status: str  # failed, exists, refused, skipped
    message: str
    sqlstate: str | None = None
    statement: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "refused")


@dataclass
class FileRestore:
    """What one input restored."""

    path: str
    format: str  # plain, custom, directory, tar
    kind: str  # roles, schema, data, archive
    statements: int = 0
    rows: int = 0
    seconds: float = 0.0


@dataclass
class RestoreResult:
    """Everything the restore did and what went wrong, in file order."""

    role: str
    files: list[FileRestore] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    seconds: float = 0.0
    #: databases besides the target that a whole-cluster dump (``\connect``) restored into
    databases: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Issue]:
        return [i for i in self.issues if i.failed]


def _target(item: Meta) -> str | None:
    """The database a ``\\connect`` line names (``\\connect -reuse-previous=on
    "dbname='x'"`` or ``\\connect x``); None for other meta-commands."""
    if item.command not in ("connect", "c"):
        return None
    match = _DBNAME.search(item.argument)
    return match.group(1) if match else item.argument.split(" ")[-1].strip("\"'")


def _excerpt(sql: str, limit: int = 200) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_line(exc: psycopg.Error) -> str:
    primary = exc.diag.message_primary
    if primary:
        return primary
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PlainRestore:
    """Applies plain dumps on one connection (``conn`` in autocommit, watched).

    A whole-cluster dump (``pg_dumpall``, a dashboard ``.backup``) holds several databases,
    each after a ``\\connect``: its ``postgres`` database (or a one-database dump's only
    one) goes into ``database``, every other one into the database of that name, which
    the dump's own ``CREATE DATABASE`` made, on a connection ``open_database`` opens; the
    templates are never written (skipped, with the reason)."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        watchdog: Watchdog,
        result: RestoreResult,
        database: str = "postgres",
        advance: Callable[[int], None] | None = None,
        open_database: Callable[[str], psycopg.Connection[Any]] | None = None,
    ) -> None:
        self.conn = self.main = conn
        self.watchdog = watchdog
        self.result = result
        self.database = database
        self.advance = advance or (lambda _n: None)
        self.open_database = open_database
        self.others: dict[str, psycopg.Connection[Any]] = {}
        self.alias = "postgres"
        #: pgvet's SQL stand-in for pgvector cannot take ivfflat/hnsw options: a dump's
        #: are sent blanked (replay/vector_options.py), as the replay does
        self.vector_standin = standin_installed(conn)

    def _sent(self, statement: Statement) -> str:
        return blank_valid(statement.sql) if self.vector_standin else statement.sql

    def close(self) -> None:
        """Close the connections to the other databases."""
        for conn in self.others.values():
            conn.close()
        self.others.clear()

    def apply(self, dump: PlainDump) -> FileRestore:
        started = time.perf_counter()
        done = FileRestore(str(dump.path), "plain", dump.kind)
        self.result.files.append(done)
        targets = {_target(i) for i in dump.items if isinstance(i, Meta)} - {None, *TEMPLATES}
        # a one-database dump (pg_dump -C) restores into the target whatever its name
        self.alias = next(iter(targets)) if len(targets) == 1 else "postgres"
        self.conn = self.main
        batch: list[Statement] = []
        skipping: str | None = None
        for item in dump.items:
            if isinstance(item, Meta):
                self._flush(batch, done)
                batch = []
                skipping = self._meta(item, done, skipping)
                continue
            if skipping is not None:
                if isinstance(item, Statement) and self._makes_other_database(item, skipping):
                    current, self.conn = self.conn, self.main
                    self._one(item, done)
                    self.conn = current
                continue
            if isinstance(item, CopyData):
                self._flush(batch, done)
                batch = []
                self._copy(item, done)
                continue
            if _TRANSACTION.match(item.sql):
                self._flush(batch, done)
                batch = []
                self._one(item, done)
                continue
            batch.append(item)
            if len(batch) >= BATCH_STATEMENTS or sum(len(s.sql) for s in batch) > BATCH_BYTES:
                self._flush(batch, done)
                batch = []
        self._flush(batch, done)
        done.seconds = time.perf_counter() - started
        return done

    def _issue(self, done: FileRestore, line: int, status: str, message: str, **kw: Any) -> None:
        self.result.issues.append(Issue(done.path, f"line {line}", status, message, **kw))

    def _makes_other_database(self, item: Statement, skipping: str) -> bool:
        """pg_dumpall's ``CREATE DATABASE x`` / ``ALTER DATABASE x OWNER`` come at the end
        of the section before ``\\connect x``: they run even when that section is skipped."""
        match = _DATABASE_DDL.match(item.sql)
        return (
            self.open_database is not None
            and match is not None
            and match.group(1) not in (skipping, *TEMPLATES, self.alias, self.database)
        )

    def _meta(self, item: Meta, done: FileRestore, skipping: str | None) -> str | None:
        """\\connect switches databases; \\restrict is pg_dump's guard against a hostile
        server and needs nothing here; anything else is refused."""
        if item.command in ("restrict", "unrestrict"):
            return skipping
        if item.command in ("connect", "c"):
            target = _target(item) or ""
            if target in (self.database, self.alias):
                self.conn = self.main
                return None
            reason = (
                "a restore never writes the templates new databases are copied from"
                if target in TEMPLATES
                else f"pgvet restores the {self.database!r} database only"
            )
            if target not in TEMPLATES and self.open_database is not None:
                try:
                    if target not in self.others:
                        self.others[target] = self.open_database(target)
                        self.result.databases.append(target)
                    self.conn = self.others[target]
                    return None
                except psycopg.Error as exc:
                    self._issue(
                        done, item.line, "failed",
                        f"database {target!r} cannot be opened (its CREATE DATABASE above "
                        f"failed?): {_first_line(exc)}; its statements are skipped",
                        sqlstate=exc.sqlstate,
                    )  # fmt: skip
                    return target
            self._issue(
                done, item.line, "skipped",
                f"statements for database {target!r} skipped: {reason}",
            )  # fmt: skip
            return target
        self._issue(
            done,
            item.line,
            "refused",
            f"psql meta-command \\{item.command} refused: a dump is untrusted input, and pgvet "
            "runs none but \\connect, \\restrict and \\unrestrict",
        )
        return skipping

    def _flush(self, batch: list[Statement], done: FileRestore) -> None:
        if not batch:
            return
        if len(batch) == 1:
            self._one(batch[0], done)
            return
        sql = "\n".join(self._sent(s) for s in batch)
        try:
            self.conn.execute(sql.encode())
        except TimeLimitExceeded:
            raise
        except psycopg.Error:
            for statement in batch:
                self._one(statement, done)
            return
        done.statements += len(batch)
        self.advance(len(sql))

    def _one(self, statement: Statement, done: FileRestore) -> None:
        self.advance(len(statement.sql))
        try:
            self.conn.execute(self._sent(statement).encode())
        except TimeLimitExceeded as exc:
            if exc.server_stopped:
                raise
            self._issue(
                done,
                statement.line,
                "failed",
                exc.message,
                sqlstate="57014",
                statement=_excerpt(statement.sql),
            )
            return
        except psycopg.Error as exc:
            line = statement.line
            position = exc.diag.statement_position
            if position and position.isdigit():
                line += statement.sql[: int(position) - 1].count("\n")
            status = "exists" if exc.sqlstate in EXISTS_STATES else "failed"
            self._issue(
                done,
                line,
                status,
                _first_line(exc),
                sqlstate=exc.sqlstate,
                statement=_excerpt(statement.sql),
            )
            return
        done.statements += 1

    def _copy(self, item: CopyData, done: FileRestore) -> None:
        statement = item.statement
        try:
            with self.conn.cursor() as cur, self.watchdog.query(self.conn):
                with cur.copy(statement.sql.encode()) as copy:
                    data = item.data
                    for offset in range(0, len(data), COPY_CHUNK):
                        chunk = data[offset : offset + COPY_CHUNK]
                        copy.write(chunk)
                        self.advance(len(chunk))
                done.rows += max(cur.rowcount, 0)
                done.statements += 1
        except TimeLimitExceeded as exc:
            if exc.server_stopped:
                raise
            self._issue(
                done,
                statement.line,
                "failed",
                exc.message,
                sqlstate="57014",
                statement=_excerpt(statement.sql),
            )
        except psycopg.Error as exc:
            line = statement.line
            match = _COPY_LINE.search(exc.diag.context or "")
            if match:
                line = item.first_line + int(match.group(1)) - 1
            self._issue(
                done,
                line,
                "failed",
                _first_line(exc),
                sqlstate=exc.sqlstate,
                statement=_excerpt(statement.sql),
            )
