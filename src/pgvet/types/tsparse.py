"""Read the ``Database`` type of a generated TypeScript file, with line numbers.

``pgvet types --check`` compares a committed file with the schema. Files in the wild were
written by older generator versions and edited by hand, so this reads the *structure*
(schemas → Tables/Views/Functions/Enums/CompositeTypes → members) from tokens, not lines,
and reduces every member's type to a canonical text so layout and quoting never matter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
      |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      |(?P<word>[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*|\d+(?:\.\d+)?)
      |(?P<space>\s+)
      |(?P<punct>.)""",
    re.S | re.X,
)


@dataclass
class TsMember:
    """One member of an object type: its type as canonical text, and nested members when
    the type is an object literal."""

    name: str
    line: int
    type_text: str
    optional: bool = False
    members: dict[str, TsMember] = field(default_factory=dict)


class ParseError(ValueError):
    """The text has no readable ``Database`` type."""


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    line: int


def _tokens(source: str) -> list[_Tok]:
    out = []
    line = 1
    for m in _TOKEN.finditer(source):
        kind = m.lastgroup or "punct"
        value = m.group()
        if kind == "string":
            out.append(_Tok(kind, json.dumps(_unquote(value), ensure_ascii=False), line))
        elif kind not in ("comment", "space"):
            out.append(_Tok(kind, value, line))
        line += value.count("\n")
    return out


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    if literal[0] == "'":
        body = body.replace("\\'", "'").replace('"', '\\"')
    try:
        return json.loads('"' + body + '"')
    except ValueError:
        return body


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self, offset: int = 0) -> _Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ParseError("unexpected end of file")
        self.i += 1
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.take()
        if tok.text != text:
            raise ParseError(f"line {tok.line}: expected {text!r}, found {tok.text!r}")
        return tok

    def object_members(self) -> dict[str, TsMember]:
        """Members of ``{ … }`` (the opening brace already taken), up to its ``}``."""
        members: dict[str, TsMember] = {}
        while True:
            tok = self.peek()
            if tok is None:
                raise ParseError("unterminated object type")
            if tok.text == "}":
                self.take()
                return members
            if tok.text in (";", ","):
                self.take()
                continue
            if tok.text == "[":  # index signature or mapped type: skip to the member's end
                self.type_text()
                if self.peek() and self.peek().text == ":":  # type: ignore[union-attr]
                    self.take()
                    self.type_text()
                continue
            name_tok = self.take()
            name = json.loads(name_tok.text) if name_tok.kind == "string" else name_tok.text
            optional = False
            if self.peek() and self.peek().text == "?":  # type: ignore[union-attr]
                self.take()
                optional = True
            self.expect(":")
            nested: dict[str, TsMember] = {}
            if self.peek() and self.peek().text == "{":  # type: ignore[union-attr]
                start = self.i
                self.take()
                nested = self.object_members()
                text = self._canonical(start, self.i)
                text += self.type_text(continuing=True)
            else:
                text = self.type_text()
            members[name] = TsMember(name, name_tok.line, text, optional, nested)

    def type_text(self, continuing: bool = False) -> str:
        """Canonical text of a type, up to the end of the member it belongs to."""
        start = self.i
        depth = 0
        while True:
            tok = self.peek()
            if tok is None:
                break
            if depth == 0 and tok.text in (";", ",", "}"):
                break
            if depth == 0 and self.i > start and self._starts_member():
                break
            if depth == 0 and continuing and self.i == start and not _continues(tok.text):
                break
            if tok.text in "{[(<":
                depth += 1
            elif tok.text in "}])>":
                depth -= 1
            self.take()
        return self._canonical(start, self.i)

    def _starts_member(self) -> bool:
        """A new member starts: a name followed by ``:`` or ``?:`` after a complete type."""
        tok, nxt = self.peek(), self.peek(1)
        prev = self.toks[self.i - 1]
        if tok is None or nxt is None or prev.text in ("|", "&", ":", "<", ","):
            return False
        if tok.kind not in ("word", "string"):
            return False
        return nxt.text == ":" or (nxt.text == "?" and (self.peek(2) or tok).text == ":")

    def _canonical(self, start: int, end: int) -> str:
        """Tokens joined by blanks, without separators (``;`` is layout, not meaning)."""
        parts = [t.text for t in self.toks[start:end] if t.text != ";"]
        if parts and parts[0] == "|":
            parts = parts[1:]
        return " ".join(parts)


def _continues(text: str) -> bool:
    return text in ("|", "&", "[")


def parse_database(source: str) -> tuple[int, dict[str, TsMember]]:
    """The line of ``type Database =`` and its schemas."""
    parser = _Parser(_tokens(source))
    toks = parser.toks
    for j in range(len(toks) - 3):
        if toks[j].text == "type" and toks[j + 1].text == "Database" and toks[j + 2].text == "=":
            parser.i = j + 3
            parser.expect("{")
            return toks[j].line, parser.object_members()
    raise ParseError("no `type Database = {…}` in the file")
