"""Untrusted text made safe to print: server messages, file excerpts, names from a project.

Migrations come from pull requests, and what they say comes back in pgvet's output: the
text of a ``raise exception``, identifiers, the failing SQL itself. Printed raw, an escape
sequence rewrites the reader's terminal, and in a GitHub Actions log a line can become a
workflow command the runner obeys (``::add-mask::``, ``::error::``, ``::stop-commands::``).

Two layers, each in one place:

* :func:`untrusted` (and :func:`safe_markup` for rich) escapes control characters where such
  text enters a text or Markdown report: C0 and C1 controls other than newline and tab, DEL
  and the Unicode line separators are written ``\\xNN`` / ``\\uNNNN`` (ESC is ``\\x1b``).
  JSON needs nothing: ``json.dumps`` escapes them already.
* :class:`CommandSafeStream` wraps stdout and stderr when ``GITHUB_ACTIONS=true``. The
  runner (actions/runner, ``ActionCommand.TryParseV2`` / ``TryParse``) takes a line as a
  command when, after its leading white space is trimmed, it starts with ``::``, or when it
  contains ``##[`` anywhere (the legacy syntax). Only the final lines are known at the
  stream (rich wraps long lines and folds long words; a name can land at a line start), so
  the rule is applied there, to the log only: the second colon of a line's leading ``::``
  is written ``\\x3a`` and the ``[`` of every ``##[`` is written ``\\u005b`` (also a valid
  escape inside a JSON string, the only place ``##[`` can occur in JSON output). Files
  written with ``--output`` are not logs and are left as they are.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, TextIO

from rich.markup import escape

from pgvet.live.connect import mask_secrets

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LEGACY_COMMAND = re.compile(r"(?<=##)\[")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def untrusted(text: object) -> str:
    """``text`` with every control character but newline and tab written as an escape."""
    return _CONTROL.sub(_escaped, str(text))


def md_cell(text: object) -> str:
    """Untrusted text for one cell of a Markdown table: controls escaped, ``|`` escaped so it
    cannot open a new cell, newlines folded so it cannot end the row."""
    return untrusted(text).replace("|", "\\|").replace("\n", " ")


def fenced(text: str, lang: str = "") -> list[str]:
    """Markdown lines for a code block holding ``text``, whose fence no line of it can close.

    An excerpt of a hostile migration may itself contain ````` ``` `````: a fence longer than
    any backtick run in the text keeps it inside the block (CommonMark closes a fence only
    with one at least as long)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", untrusted(text), fence]


def safe_markup(text: object) -> str:
    """Untrusted text ready for ``console.print``: controls escaped, rich markup escaped."""
    return escape(untrusted(text))


def error_text(message: str) -> str:
    """An error message for ``console.print``: it may quote a file, a server or a DSN, so
    passwords are masked, and controls and rich markup escaped."""
    return safe_markup(mask_secrets(message))


def in_github_actions() -> bool:
    """True inside a GitHub Actions job, whose runner reads workflow commands from the log."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


class CommandSafeStream:
    """A text stream that never lets a written line be a GitHub Actions workflow command.

    Writes pass through at once; the stream remembers the current line's text so that a
    line started by one write and continued by the next is judged as a whole."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._line = ""  # what has been written of the current line, as it was given

    def write(self, text: str) -> int:
        pieces = _LINE_BREAK.split(text)
        breaks = _LINE_BREAK.findall(text)
        out = []
        for piece, line_break in zip(pieces, [*breaks, ""], strict=True):
            out.append(self._safe(piece) + line_break)
            self._line = "" if line_break else self._line + piece
        self.stream.write("".join(out))
        return len(text)

    def _safe(self, piece: str) -> str:
        """``piece``, the continuation of the current line, with the runner's triggers in it
        neutralised (characters already written cannot change, and need not)."""
        done = len(self._line)
        line = self._line + piece
        chars = list(piece)
        for match in _LEGACY_COMMAND.finditer(line, max(0, done - 2)):
            if match.start() >= done:
                chars[match.start() - done] = "\\u005b"
        lead = len(line) - len(line.lstrip())
        second = lead + 1
        if line[lead : lead + 2] == "::" and second >= done:
            chars[second - done] = "\\x3a"
        return "".join(chars)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def guard_github_log() -> None:
    """Under GitHub Actions, route stdout and stderr through :class:`CommandSafeStream`."""
    if not in_github_actions():
        return
    if not isinstance(sys.stdout, CommandSafeStream):
        sys.stdout = CommandSafeStream(sys.stdout)  # type: ignore[assignment]
    if not isinstance(sys.stderr, CommandSafeStream):
        sys.stderr = CommandSafeStream(sys.stderr)  # type: ignore[assignment]
