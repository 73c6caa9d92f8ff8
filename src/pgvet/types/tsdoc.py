"""A small port of the layout algorithm TypeScript formatters use (Wadler / prettier).

postgres-meta formats its generated TypeScript with a prettier-compatible formatter
(print width 80, no semicolons), so whether ``Args: { a: string; b: number }`` stays on one
line depends on the column it starts at. Generating the same bytes means laying out the
same documents the same way: groups that print flat when the rest of the line fits, and
break (every line in them a newline) otherwise; hard lines break every enclosing group.
Only the commands the generator needs are here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

WIDTH = 80


class Doc:
    """A layout command; ``hard`` is true when it contains a hard line."""

    hard: bool = False


@dataclass(eq=False, slots=True)
class Text(Doc):
    text: str
    width: int
    hard: bool = False


@dataclass(eq=False, slots=True)
class Concat(Doc):
    parts: list[Doc]
    hard: bool = False


@dataclass(eq=False, slots=True)
class Group(Doc):
    contents: Doc
    broken: bool = False
    hard: bool = False


@dataclass(eq=False, slots=True)
class Indent(Doc):
    contents: Doc
    by: int = 2
    hard: bool = False


@dataclass(eq=False, slots=True)
class Line(Doc):
    """A space (or nothing, when soft) in flat mode, a newline in break mode."""

    soft: bool = False
    hard: bool = False


@dataclass(eq=False, slots=True)
class IfBreak(Doc):
    broken: Doc
    flat: Doc = field(default_factory=lambda: EMPTY)
    hard: bool = False


def text_width(text: str) -> int:
    """Columns ``text`` takes: wide East Asian characters two, combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def text(value: str) -> Text:
    return Text(value, text_width(value))


EMPTY = Text("", 0)
LINE = Line()
SOFTLINE = Line(soft=True)
HARDLINE = Line(hard=True)


def concat(*parts: Doc) -> Concat:
    return Concat(list(parts), any(p.hard for p in parts))


def group(contents: Doc, broken: bool = False) -> Group:
    """A group; a broken one breaks every group around it, as a hard line does."""
    broken = broken or contents.hard
    return Group(contents, broken, broken)


def indent(contents: Doc, by: int = 2) -> Indent:
    return Indent(contents, by, contents.hard)


def if_break(broken: Doc, flat: Doc = EMPTY) -> IfBreak:
    return IfBreak(broken, flat, broken.hard or flat.hard)


def join(separator: Doc, docs: list[Doc]) -> Concat:
    parts: list[Doc] = []
    for i, doc in enumerate(docs):
        if i:
            parts.append(separator)
        parts.append(doc)
    return Concat(parts, any(d.hard for d in docs) or (len(docs) > 1 and separator.hard))


_FLAT, _BREAK = 0, 1


def _fits(command: tuple[int, int, Doc], rest: list[tuple[int, int, Doc]], width: int) -> bool:
    """Whether ``command`` printed flat, and what follows it up to the next line break,
    fit in ``width`` columns."""
    rest_index = len(rest)
    stack = [command]
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        ind, mode, doc = stack.pop()
        if isinstance(doc, Text):
            width -= doc.width
        elif isinstance(doc, Concat):
            stack.extend((ind, mode, part) for part in reversed(doc.parts))
        elif isinstance(doc, Indent):
            stack.append((ind, mode, doc.contents))
        elif isinstance(doc, Group):
            stack.append((ind, _BREAK if doc.broken else mode, doc.contents))
        elif isinstance(doc, IfBreak):
            stack.append((ind, mode, doc.broken if mode == _BREAK else doc.flat))
        elif isinstance(doc, Line):
            if mode == _BREAK or doc.hard:
                return True
            if not doc.soft:
                width -= 1
    return False


def render(doc: Doc, start_indent: int = 0) -> str:
    """Lay ``doc`` out at ``start_indent`` columns (its first line is not indented)."""
    out: list[str] = []
    pos = start_indent
    stack: list[tuple[int, int, Doc]] = [(start_indent, _BREAK, doc)]
    remeasure = False
    while stack:
        ind, mode, doc = stack.pop()
        if isinstance(doc, Text):
            out.append(doc.text)
            pos += doc.width
        elif isinstance(doc, Concat):
            stack.extend((ind, mode, part) for part in reversed(doc.parts))
        elif isinstance(doc, Indent):
            stack.append((ind + doc.by, mode, doc.contents))
        elif isinstance(doc, Group):
            if mode == _FLAT and not remeasure:
                stack.append((ind, _BREAK if doc.broken else _FLAT, doc.contents))
                continue
            remeasure = False
            flat = (ind, _FLAT, doc.contents)
            if not doc.broken and _fits(flat, stack, WIDTH - pos):
                stack.append(flat)
            else:
                stack.append((ind, _BREAK, doc.contents))
        elif isinstance(doc, IfBreak):
            stack.append((ind, mode, doc.broken if mode == _BREAK else doc.flat))
        elif isinstance(doc, Line):
            if mode == _FLAT and not doc.hard:
                if not doc.soft:
                    out.append(" ")
                    pos += 1
                continue
            if mode == _FLAT:
                remeasure = True
            while out and out[-1].endswith((" ", "\t")):
                trimmed = out[-1].rstrip(" \t")
                if trimmed:
                    out[-1] = trimmed
                    break
                out.pop()
            out.append("\n" + " " * ind)
            pos = ind
    return "".join(out)
