"""Why a migration file did not apply: the value replay produces and hints explain.

It lives apart from :mod:`pgvet.replay.apply` so that the hint modules, which read a
failure, and the replay, which asks them for a hint, do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """Why a file did not apply, located as precisely as PostgreSQL lets us."""

    file: str
    line: int | None
    column: int | None
    statement: str | None  # the failing statement's text
    statement_line: int | None  # the line the failing statement starts on
    sqlstate: str | None
    message: str
    detail: str | None = None
    hint: str | None = None
    context: str | None = None
    pgvet_hint: str | None = None
    #: where in a migration the function that raised the error was written, when it was
    #: raised inside a function a migration created: ``file:line (line N of function f…)``
    raised_at: str | None = None

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def excerpt(self, width: int = 90) -> str:
        """The failing line of the statement, with a caret under the failing spot."""
        if not self.statement or self.statement_line is None:
            return ""
        lines = self.statement.splitlines() or [""]
        at = self.line or self.statement_line
        index = max(0, min(at - self.statement_line, len(lines) - 1))
        shown = lines[max(0, index - 2) : index + 1]
        first = self.statement_line + index - len(shown) + 1
        column = self.column if self.line is not None else None
        # long lines: show a window around the failing spot
        shift = 0
        if column is not None and column > width - 10:
            shift = column - width // 2
        gutter = len(str(first + len(shown)))
        out = []
        for i, line_text in enumerate(shown):
            piece = line_text[shift : shift + width]
            out.append(f"{first + i:>{gutter}} | {'…' if shift else ''}{piece}")
        if column is not None:
            out.append(f"{'':>{gutter}} | {' ' * (column - 1 - shift + (1 if shift else 0))}^")
        return "\n".join(out)
