"""TypeScript type expressions as the generator builds them, printed the formatter's way.

The generator composes types (``X | null``, ``(T)[]``, ``{ Args: …; Returns: … }``);
each knows its one-line form (:meth:`flat`) and its layout document (:meth:`doc`) for
when the line is too long. Strings and property names are printed as the formatter
prints them: double quotes unless the text holds more double than single quotes, keys
unquoted when they are identifiers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from pgvet.types.tsdoc import (
    EMPTY,
    LINE,
    SOFTLINE,
    Doc,
    concat,
    group,
    if_break,
    indent,
    join,
    text,
)


def string_literal(value: str) -> str:
    """``JSON.stringify(value)`` as the formatter re-quotes it."""
    raw = json.dumps(value, ensure_ascii=False)[1:-1]
    if value.count('"') > value.count("'"):
        return "'" + raw.replace('\\"', '"').replace("'", "\\'") + "'"
    return '"' + raw + '"'


def property_key(name: str) -> str:
    """A property name: bare when it is an identifier, else a string literal."""
    if name and name.replace("$", "_").isidentifier():
        return name
    return string_literal(name)


class TsType:
    """A type expression."""

    hard = False  # contains an object that is always printed over several lines

    def flat(self) -> str:
        raise NotImplementedError

    def doc(self) -> Doc:
        raise NotImplementedError


@dataclass(frozen=True)
class Atom(TsType):
    """A type without line-break opportunities (``string``, ``Database["public"]…``)."""

    value: str

    def flat(self) -> str:
        return self.value

    def doc(self) -> Doc:
        return text(self.value)


NULL = Atom("null")
UNKNOWN = Atom("unknown")


def literal(value: str) -> Atom:
    return Atom(string_literal(value))


@dataclass(frozen=True)
class Member:
    """``key?: type`` in an object type."""

    key: str
    type: TsType
    optional: bool = False

    @cached_property
    def head(self) -> str:
        return property_key(self.key) + ("?: " if self.optional else ": ")

    def flat(self) -> str:
        return self.head + self.type.flat()

    def doc(self) -> Doc:
        return group(concat(text(self.head), self.type.doc()))


@dataclass(frozen=True)
class Obj(TsType):
    """An object type; ``expanded`` ones were written over several lines and stay so."""

    members: tuple[Member, ...]
    expanded: bool = False

    @cached_property
    def hard(self) -> bool:  # type: ignore[override]
        return bool(self.members) and (self.expanded or any(m.type.hard for m in self.members))

    def flat(self) -> str:
        if not self.members:
            return "{}"
        return "{ " + "; ".join(m.flat() for m in self.members) + " }"

    def doc(self) -> Doc:
        if not self.members:
            return text("{}")
        body = join(concat(if_break(EMPTY, text(";")), LINE), [m.doc() for m in self.members])
        return group(
            concat(text("{"), indent(concat(LINE, body)), LINE, text("}")),
            broken=self.expanded,
        )


@dataclass(frozen=True)
class Union(TsType):
    """``A | B``; broken as one ``| member`` per line. A single object with ``null``
    stays ``{…} | null`` (the formatter hugs it)."""

    members: tuple[TsType, ...]

    @cached_property
    def hard(self) -> bool:  # type: ignore[override]
        return any(m.hard for m in self.members)

    def flat(self) -> str:
        return " | ".join(m.flat() for m in self.members)

    @property
    def hugs(self) -> bool:
        objects = sum(isinstance(m, Obj) for m in self.members)
        nulls = sum(m == NULL for m in self.members)
        return objects == 1 and nulls == len(self.members) - 1

    def doc(self) -> Doc:
        if self.hugs:
            return join(text(" | "), [m.doc() for m in self.members])
        members = [indent(m.doc()) for m in self.members]
        sep = concat(LINE, text("| "))
        return group(indent(concat(if_break(concat(LINE, text("| "))), join(sep, members))))


@dataclass(frozen=True)
class ArrayOf(TsType):
    """``T[]`` (``(A | B)[]`` for a union)."""

    element: TsType

    @property
    def hard(self) -> bool:  # type: ignore[override]
        return self.element.hard

    def flat(self) -> str:
        inner = self.element.flat()
        return f"({inner})[]" if isinstance(self.element, Union | Intersection) else inner + "[]"

    def doc(self) -> Doc:
        if isinstance(self.element, Union | Intersection):
            return text(self.flat())
        return concat(self.element.doc(), text("[]"))


@dataclass(frozen=True)
class Intersection(TsType):
    """``{ error: true } & "message"`` (object and non-object: no line between)."""

    members: tuple[TsType, ...]

    @cached_property
    def hard(self) -> bool:  # type: ignore[override]
        return any(m.hard for m in self.members)

    def flat(self) -> str:
        return " & ".join(m.flat() for m in self.members)

    def doc(self) -> Doc:
        parts: list[Doc] = [self.members[0].doc()]
        indented = False
        for i in range(1, len(self.members)):
            before, current = self.members[i - 1], self.members[i]
            if not isinstance(before, Obj) and not isinstance(current, Obj):
                parts.append(indent(concat(text(" &"), LINE, current.doc())))
            elif isinstance(before, Obj) and isinstance(current, Obj):
                doc = indent(current.doc()) if indented else current.doc()
                parts.append(concat(text(" & "), doc))
            else:
                if i > 1:
                    indented = True
                parts.append(text(" & "))
                parts.append(indent(current.doc()) if i > 1 else current.doc())
        return group(concat(*parts))


@dataclass(frozen=True)
class Tuple(TsType):
    """``["a", "b"]``; broken as one element per line with a trailing comma."""

    items: tuple[TsType, ...] = field(default=())

    @cached_property
    def hard(self) -> bool:  # type: ignore[override]
        return any(i.hard for i in self.items)

    def flat(self) -> str:
        return "[" + ", ".join(i.flat() for i in self.items) + "]"

    def doc(self) -> Doc:
        if not self.items:
            return text("[]")
        body = join(concat(text(","), LINE), [group(i.doc()) for i in self.items])
        return group(
            concat(
                text("["), indent(concat(SOFTLINE, body)), if_break(text(",")), SOFTLINE, text("]")
            )
        )


NEVER_MAPPED = Atom("[_ in never]: never")
"""The body of an empty ``Tables``/``Views``/… block."""


def union(members: list[TsType]) -> TsType:
    """A union of ``members``, flattening nested unions; one member is itself."""
    flat: list[TsType] = []
    for member in members:
        flat.extend(member.members if isinstance(member, Union) else (member,))
    return flat[0] if len(flat) == 1 else Union(tuple(flat))


def array_of(t: TsType) -> TsType:
    """``${t}[]`` as text: the suffix binds to the last member of a union/intersection."""
    if isinstance(t, Union):
        return Union((*t.members[:-1], array_of(t.members[-1])))
    if isinstance(t, Intersection):
        return Intersection((*t.members[:-1], array_of(t.members[-1])))
    return ArrayOf(t)
