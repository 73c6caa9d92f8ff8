"""Map PostgreSQL's PL/pgSQL context lines back to lines of the migration files.

An error inside a ``DO`` block or a function carries no position in the statement, only a
context such as ``PL/pgSQL function inline_code_block line 7 at SQL statement``. PL/pgSQL
counts lines from the line on which the body's string starts, so line 7 of a ``DO`` body
is a line of the file, and line 3 of ``public.f()`` is a line of the migration that
created ``f``. Pointing at the name of the object in the message instead lands on an
existence check higher up the block, which is where readers went wrong before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pglast import parser as pg_parser

from pgvet.replay.ddl import touches
from pgvet.replay.project import MigrationFile, Project, Statement

INLINE = "inline_code_block"
#: ``PL/pgSQL function public.f(integer) line 3 at RAISE``; a DO block has no arguments
_FRAME = re.compile(
    r"PL/pgSQL function ([^\s(]+)(\((?:[^()]|\([^()]*\))*\))? line (\d+) at ([^\n]+)"
)
_DO = re.compile(r"\s*do\b", re.I)


@dataclass(frozen=True)
class Frame:
    """One PL/pgSQL context line: the function (``inline_code_block`` for DO), the line
    within its body, and what it was doing (``SQL statement``, ``RAISE`` ...)."""

    function: str
    arguments: str  # "(integer, text)", empty for a DO block
    line: int
    doing: str


def frames(context: str | None) -> list[Frame]:
    """The PL/pgSQL frames of an error context, innermost first."""
    return [Frame(m[1], m[2] or "", int(m[3]), m[4]) for m in _FRAME.finditer(context or "")]


def body_offset(sql: str) -> int | None:
    """Offset in ``sql`` where a DO or CREATE FUNCTION body's text starts (after its
    opening quote), or None when the statement has no such body."""
    try:
        tokens = list(pg_parser.scan(sql))
    except Exception:
        return None
    is_do = bool(tokens) and tokens[0].name == "DO"
    after_as = False
    for token in tokens:
        if token.name == "SCONST" and (is_do or after_as):
            quoted = sql[token.start : token.end + 1]
            if quoted.startswith("$"):
                return token.start + quoted.index("$", 1) + 1
            return token.start + (2 if quoted[:1] in "eE" else 1)
        after_as = token.name == "AS"
    return None


@dataclass(frozen=True)
class Spot:
    """A place in a file: 1-based line and column, and the character offset."""

    line: int
    column: int
    offset: int


def spot_in_body(
    migration: MigrationFile, stmt: Statement, body_line: int, query: str | None, at: int
) -> Spot | None:
    """The file position of line ``body_line`` of ``stmt``'s body; when the failing SQL
    ``query`` is found from there, ``at`` characters into it."""
    start = body_offset(stmt.text)
    if start is None:
        return None
    offset = stmt.start + start
    for _ in range(body_line - 1):
        nl = migration.text.find("\n", offset, stmt.end)
        if nl == -1:
            return None
        offset = nl + 1
    line_end = migration.text.find("\n", offset)
    line_text = migration.text[offset : line_end if line_end != -1 else None]
    target = offset + len(line_text) - len(line_text.lstrip())
    if query:
        found = migration.text.find(query.strip(), offset, stmt.end)
        if found != -1:
            target = found + at
    line, column = migration.line_col(target)
    return Spot(line, column, target)


def in_do_block(
    migration: MigrationFile, stmt: Statement, context: str | None, query: str | None, at: int
) -> Spot | None:
    """Where in a DO statement's body the error happened (the DO's own frame, outermost)."""
    if not _DO.match(stmt.text):
        return None
    found = frames(context)
    own = [f for f in found if f.function == INLINE]
    if not own:
        return None
    # the failing SQL text belongs to this block only when no other frame is inside it
    mine = len(found) == 1
    return spot_in_body(migration, stmt, own[-1].line, query if mine else None, at)


def _definition(project: Project, name: str, before: tuple[str, int]) -> Statement | None:
    """The last statement creating function ``name`` at or before ``before`` (file, line)."""
    short = name.replace('"', "").split(".")[-1].lower()
    found = None
    for migration in project.files:
        for stmt in migration.statements:
            if (stmt.file, stmt.line) > before:
                return found
            for touch in touches(stmt):
                if touch.kind == "function" and touch.created and touch.name.lower() == short:
                    found = stmt
    return found


def raised_in_function(project: Project, context: str | None, here: Statement) -> str | None:
    """``file:line (line N of function f)`` for the innermost frame of a function created
    by a migration, or None (a DO block, or a function pgvet cannot find)."""
    inner = next(iter(frames(context)), None)
    if inner is None or inner.function == INLINE:
        return None
    stmt = _definition(project, inner.function, (here.file, here.line))
    migration = project.file_named(stmt.file) if stmt else None
    if stmt is None or migration is None:
        return None
    spot = spot_in_body(migration, stmt, inner.line, None, 0)
    if spot is None:
        return None
    where = f"line {inner.line} of function {inner.function}{inner.arguments}, {inner.doing}"
    return f"{stmt.file}:{spot.line} ({where})"
