"""TypeScript type expressions as the generator builds them, printed the formatter's way.

The generator composes types (``X | null``, ``(T)[]``, ``{ Args: …; Returns: … }``);
each knows its one-line form (:meth:`flat`) and its layout document (:meth:`doc`) for
when the line is too long. Strings and property names are printed as the formatter
prints them: double quotes unless the text holds more double than single quotes, keys
unquoted when they are identifiers.
"""

from __future__ import annotations

import json
from functools import lru_cache

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


@lru_cache(maxsize=65536)
def string_literal(value: str) -> str:
    """``JSON.stringify(value)`` as the formatter re-quotes it."""
    raw = json.dumps(value, ensure_ascii=False)[1:-1]
    if value.count('"') > value.count("'"):
        return "'" + raw.replace('\\"', '"').replace("'", "\\'") + "'"
    return '"' + raw + '"'


@lru_cache(maxsize=65536)
def property_key(name: str) -> str:
    """A property name: bare when it is an identifier, else a string literal."""
    if name and name.replace("$", "_").isidentifier():
        return name
    return string_literal(name)


class TsType:
    """A type expression. ``text`` is its one-line form; ``hard`` is true when it holds an
    object that is always printed over several lines (so it never fits on one)."""

    __slots__ = ("hard", "text")

    def __init__(self, text: str, hard: bool) -> None:
        self.text = text
        self.hard = hard

    def flat(self) -> str:
        return self.text

    def doc(self) -> Doc:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.text == self.text  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.text)


class Atom(TsType):
    """A type without line-break opportunities (``string``, ``Database["public"]…``)."""

    __slots__ = ()

    def __init__(self, value: str) -> None:
        super().__init__(value, False)

    @property
    def value(self) -> str:
        return self.text

    def doc(self) -> Doc:
        return text(self.text)


NULL = Atom("null")
UNKNOWN = Atom("unknown")
JSON = Atom("Json")
ANY = Atom("any")


def literal(value: str) -> Atom:
    return Atom(string_literal(value))


class Member:
    """``key?: type`` in an object type."""

    __slots__ = ("head", "key", "optional", "type")

    def __init__(self, key: str, type: TsType, optional: bool = False) -> None:
        self.key = key
        self.type = type
        self.optional = optional
        self.head = property_key(key) + ("?: " if optional else ": ")

    def flat(self) -> str:
        return self.head + self.type.text

    def doc(self) -> Doc:
        return group(concat(text(self.head), self.type.doc()))


class Obj(TsType):
    """An object type; ``expanded`` ones were written over several lines and stay so."""

    __slots__ = ("expanded", "members")

    def __init__(self, members: tuple[Member, ...], expanded: bool = False) -> None:
        self.members = members
        self.expanded = expanded
        hard = bool(members) and (expanded or any(m.type.hard for m in members))
        if not members:
            flat = "{}"
        elif expanded:  # never printed on one line
            flat = "{ … }"
        else:
            flat = "{ " + "; ".join(m.flat() for m in members) + " }"
        super().__init__(flat, hard)

    def doc(self) -> Doc:
        if not self.members:
            return text("{}")
        body = join(concat(if_break(EMPTY, text(";")), LINE), [m.doc() for m in self.members])
        return group(
            concat(text("{"), indent(concat(LINE, body)), LINE, text("}")),
            broken=self.expanded,
        )


class Union(TsType):
    """``A | B``; broken as one ``| member`` per line. A single object with ``null``
    stays ``{…} | null`` (the formatter hugs it)."""

    __slots__ = ("members",)

    def __init__(self, members: tuple[TsType, ...]) -> None:
        self.members = members
        super().__init__(" | ".join(m.text for m in members), any(m.hard for m in members))

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


class Intersection(TsType):
    """``{ error: true } & "message"`` (object and non-object: no line between)."""

    __slots__ = ("members",)

    def __init__(self, members: tuple[TsType, ...]) -> None:
        self.members = members
        super().__init__(" & ".join(m.text for m in members), any(m.hard for m in members))

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


class ArrayOf(TsType):
    """``T[]`` (``(A | B)[]`` for a union)."""

    __slots__ = ("element",)

    def __init__(self, element: TsType) -> None:
        self.element = element
        wrapped = isinstance(element, Union | Intersection)
        flat = f"({element.text})[]" if wrapped else element.text + "[]"
        super().__init__(flat, element.hard)

    def doc(self) -> Doc:
        if isinstance(self.element, Union | Intersection):
            return text(self.text)
        return concat(self.element.doc(), text("[]"))


class Tuple(TsType):
    """``["a", "b"]``; broken as one element per line with a trailing comma."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[TsType, ...] = ()) -> None:
        self.items = items
        flat = "[" + ", ".join(i.text for i in items) + "]"
        super().__init__(flat, any(i.hard for i in items))

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
