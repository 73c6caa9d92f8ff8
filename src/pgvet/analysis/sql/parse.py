"""Every parse of SQL that pgvet analyses, through one cache.

Rules, the policy graph, expression analysis and the migration history all ask pglast about
the same texts (a policy expression is read by half a dozen rules; every migration rule
walks every statement). One cache holds, per text, pglast's JSON (small, and invisible to
the garbage collector) and, once someone asks for them, the decoded statement trees.

Two ways to get trees: :func:`statements` hands out the shared, cached trees (callers must
not change them); :func:`fresh_statements` decodes new ones on every call, for callers that
key facts on ``id(node)`` or edit the tree. PL/pgSQL bodies and pglast's node objects (for
printing SQL back with :class:`pglast.stream.RawStream`) are parsed here too, uncached:
each is asked for once per function or statement.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import orjson
import pglast
from pglast import parser as pg_parser

Node = dict[str, Any]

# The node type of each statement in pglast's JSON: ``"stmt"`` is a field of RawStmt only,
# and inside JSON strings quotes are escaped, so every match is one statement's type.
_STMT_KIND = re.compile(r'"stmt":\{"(\w+)"')


class _Parsed:
    """pglast's JSON for one text, and its statements once decoded."""

    __slots__ = ("_kinds", "_shared", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._shared: tuple[Node, ...] | None = None
        self._kinds: tuple[str, ...] | None = None

    def decode(self) -> list[Node] | None:
        try:  # orjson: a third of the lint time of a large project went into json.loads
            stmts = orjson.loads(self.text).get("stmts", [])
        except (ValueError, RecursionError):  # a tree nested deeper than the decoder goes
            return None
        return [s["stmt"] for s in stmts if "stmt" in s]

    def kinds(self) -> tuple[str, ...]:
        """The node type of each statement, read off the JSON without decoding it."""
        if self._kinds is None:  # asked of every statement by several indexes
            if self._shared is not None:
                self._kinds = tuple(next(iter(node)) for node in self._shared)
            else:
                self._kinds = tuple(_STMT_KIND.findall(self.text))
        return self._kinds

    def shared(self) -> tuple[Node, ...] | None:
        if self._shared is None:
            decoded = self.decode()
            if decoded is None:
                return None
            self._shared = tuple(decoded)
        return self._shared


# One entry per distinct text: every statement of the project, every policy expression,
# view and function body. Sized past the largest projects seen (a 19,465-statement project
# holds about 25,000 texts; a 5,000-table catalog 32,000): an entry evicted and asked for
# again is parsed again, and at 16,384 entries every rule re-parsed a 19,000-statement
# project. The migration history keeps its own trees for the project's life.
@lru_cache(maxsize=131072)
def _parsed(sql: str) -> _Parsed | None:
    try:
        return _Parsed(pg_parser.parse_sql_json(sql))
    except Exception:  # pglast raises ParseError; odd input may raise others
        return None


def statements(sql: str) -> tuple[Node, ...] | None:
    """The statements of ``sql`` as pglast JSON nodes, shared between callers (do not
    change them); None when it does not parse."""
    parsed = _parsed(sql)
    return None if parsed is None else parsed.shared()


def statement_kinds(sql: str) -> tuple[str, ...] | None:
    """The node type of each statement of ``sql`` (``"CreateStmt"``, ...), in order, without
    decoding the trees; None when it does not parse."""
    parsed = _parsed(sql)
    return None if parsed is None else parsed.kinds()


def fresh_statements(sql: str) -> list[Node] | None:
    """Like :func:`statements`, but new trees on every call; None when it does not parse."""
    parsed = _parsed(sql)
    return None if parsed is None else parsed.decode()


def plpgsql(source: str) -> list[Node] | None:
    """The PL/pgSQL parse of a ``CREATE FUNCTION ... LANGUAGE plpgsql`` statement, or None."""
    try:
        return orjson.loads(pg_parser.parse_plpgsql_json(source))  # type: ignore[no-any-return]
    except Exception:
        return None


def nodes(sql: str) -> tuple[Any, ...] | None:
    """pglast's node objects for ``sql`` (to print parts back as SQL), or None."""
    try:
        return tuple(pglast.parse_sql(sql))
    except Exception:
        return None
