"""pgvector's index options (``WITH (m = 16)``, ``WITH (lists = 100)``) on a server whose
``vector`` is pgvet's SQL stand-in.

Where the server has no pgvector build (Debian's 15, the npm 17), ``vector`` is pgvet's SQL
stand-in (``sandbox/extensions/vector--0.8.0.sql``): its ``hnsw`` and ``ivfflat`` are hash
indexes underneath, and SQL cannot declare options for an access method, so the server
refuses ``m``, ``ef_construction`` and ``lists`` ("unrecognized parameter"), while every
Supabase project accepts them. So that such projects replay, pgvet checks the options of
each ``CREATE INDEX … USING hnsw|ivfflat … WITH (…)`` itself, as pgvector does (the same
names, integer parsing, ranges and messages, the ``ef_construction >= 2 * m`` rule), and
sends the file with a valid clause blanked: replaced by spaces of the same length, line
breaks kept, so every offset and line PostgreSQL reports stays right. An invalid clause is
a failure at the option's ``file:line`` with pgvector's message (:class:`Refusal`), raised
where pgvector would raise it: after the statements before it in the file. Only the
statements of the file itself and of its ``DO`` blocks (dollar-quoted bodies) are read;
option clauses in function bodies (stored, and run later) and in dynamic SQL are left as
they are. The real pgvector (the embedded 18) receives the bytes unchanged: nothing here
runs unless :func:`standin_installed`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from pglast import parser as pg_parser

from pgvet.analysis.sql.parse import statements
from pgvet.replay.project import MigrationFile, Statement

#: what the stand-in's control file says of itself (``vector.control``'s comment)
STANDIN_MARK = "(pgvet sandbox stand-in)"
#: pgvector's options per access method: name -> (default, minimum, maximum), from its
#: ``add_int_reloption`` calls (src/hnsw.c, src/ivfflat.c)
OPTIONS: dict[str, dict[str, tuple[int, int, int]]] = {
    "hnsw": {"m": (16, 2, 100), "ef_construction": (64, 4, 1000)},
    "ivfflat": {"lists": (100, 1, 32768)},
}
INVALID_PARAMETER_VALUE = "22023"
#: errors PostgreSQL raises before it reads an index's options: the table or the access
#: method does not exist, or the role may not create the index
RAISED_BEFORE_OPTIONS = ("42P01", "42501")
_MENTIONS_METHOD = re.compile(r"\b(hnsw|ivfflat)\b", re.I)
_CREATE_INDEX = re.compile(r"\s*create\s+(unique\s+)?index\b", re.I)
_DO = re.compile(r"\s*do\b", re.I)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")
_OPTIONS_PREFIX = "create index i on t using hnsw (c) with ("
_STRTOL = re.compile(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_STRTOD = re.compile(r"\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.I)
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_NEW_LITERAL = re.compile(r"\b0[xXoObB]|\d_\d")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def standin_installed(conn: psycopg.Connection) -> bool:
    """Whether the server's ``vector`` extension is pgvet's SQL stand-in."""
    row = conn.execute(
        "select comment from pg_catalog.pg_available_extensions where name = 'vector'"
    ).fetchone()
    return bool(row and row[0] and STANDIN_MARK in row[0])


@dataclass(frozen=True)
class Refusal:
    """pgvector's refusal of an index's options, placed at the offending option."""

    statement: Statement
    method: str  # hnsw | ivfflat
    offset: int  # character offset in the file of the option pgvector complains about
    message: str
    detail: str | None
    #: raised while the index is built (after the table, columns and operator classes
    #: are checked), not when the options are read
    at_build: bool


@dataclass(frozen=True)
class Rewrite:
    """A migration's text as sent to a stand-in server, and the statements refused."""

    text: str  # the file's text with every valid option clause blanked (same length)
    refusals: dict[int, Refusal]  # by statement index


@dataclass(frozen=True)
class _Option:
    namespace: str | None
    name: str
    value: str  # as PostgreSQL turns the argument into a reloption string
    offset: int  # in the clause's content


@dataclass(frozen=True)
class _Clause:
    method: str
    start: int  # `WITH` .. `)` in the scanned text
    end: int
    options: tuple[_Option, ...]
    content_start: int


def rewrite(migration: MigrationFile) -> Rewrite | None:
    """The file as a stand-in server must receive it, or None when nothing changes."""
    text = migration.text
    if not _MENTIONS_METHOD.search(text):
        return None
    chars = list(text)
    refusals: dict[int, Refusal] = {}
    changed = False
    for stmt in migration.statements:
        if not _MENTIONS_METHOD.search(stmt.text):
            continue
        for base, clause, top_level in _clauses(stmt):
            refusal = _check(clause)
            # an invalid clause in a DO block is left as it is: the stand-in refuses it
            # when the block runs that far, as pgvector would (with the stand-in's message);
            # a top-level one is blanked too, as the replay runs the file up to it
            if refusal is None or top_level:
                for i in range(base + clause.start, base + clause.end):
                    if chars[i] not in "\r\n":
                        chars[i] = " "
                changed = True
            if refusal is not None and top_level and stmt.index not in refusals:
                message, detail, at, at_build = refusal
                offset = base + clause.content_start + at
                refusals[stmt.index] = Refusal(
                    stmt, clause.method, offset, message, detail, at_build
                )
    if not changed and not refusals:
        return None
    return Rewrite("".join(chars), refusals)


def blank_valid(sql: str) -> str:
    """One statement as a stand-in server must receive it: a valid hnsw/ivfflat option
    clause of a CREATE INDEX blanked (same length). For SQL that came from a server with
    pgvector (a dump's ``WITH (m='16', ef_construction='64')``); an invalid clause, which
    such SQL never has, is left for the server to refuse."""
    if not _MENTIONS_METHOD.search(sql) or not _CREATE_INDEX.match(sql):
        return sql
    tree = statements(sql)
    if not tree or "IndexStmt" not in tree[0]:
        return sql
    chars = list(sql)
    for clause in _scan(sql):
        if _check(clause) is None:
            for i in range(clause.start, clause.end):
                if chars[i] not in "\r\n":
                    chars[i] = " "
    return "".join(chars)


def _clauses(stmt: Statement) -> list[tuple[int, _Clause, bool]]:
    """The hnsw/ivfflat option clauses of a CREATE INDEX statement or in a DO block's
    dollar-quoted body: (file offset of the scanned text, clause, whether top-level)."""
    if _CREATE_INDEX.match(stmt.text):
        tree = statements(stmt.text)
        if not tree or "IndexStmt" not in tree[0]:
            return []
        return [(stmt.start, c, True) for c in _scan(stmt.text)]
    if _DO.match(stmt.text):
        body = _do_body(stmt.text)
        if body is None:
            return []
        at, source = body
        return [(stmt.start + at, c, False) for c in _scan(source)]
    return []


def _do_body(sql: str) -> tuple[int, str] | None:
    """A DO statement's dollar-quoted body and its offset in the statement."""
    data = sql.encode()
    for token in _tokens(sql):
        if token.name != "SCONST":
            continue
        literal = data[token.start : token.end + 1].decode()
        tag = _DOLLAR_TAG.match(literal)
        if tag is None or not literal.endswith(tag.group()):
            return None
        start = len(data[: token.start].decode()) + len(tag.group())
        return start, literal[len(tag.group()) : len(literal) - len(tag.group())]
    return None


def _tokens(sql: str) -> list[Any]:
    try:
        return list(pg_parser.scan(sql))
    except Exception:  # pglast raises on text it cannot scan
        return []


def _scan(sql: str) -> list[_Clause]:
    """``USING hnsw|ivfflat (…) [INCLUDE (…)] WITH (…)`` clauses of ``sql``, by tokens."""
    data = sql.encode()
    tokens = _tokens(sql)

    def word(i: int) -> str:
        if i >= len(tokens):
            return ""
        raw = data[tokens[i].start : tokens[i].end + 1].decode(errors="replace")
        return raw[1:-1] if raw.startswith('"') else raw.lower()

    def closing(i: int) -> int | None:  # tokens[i] is "(": the index of its ")"
        depth = 0
        for j in range(i, len(tokens)):
            depth += {"(": 1, ")": -1}.get(word(j), 0)
            if depth == 0:
                return j
        return None

    def char(byte_offset: int) -> int:
        return len(data[:byte_offset].decode(errors="replace"))

    out: list[_Clause] = []
    for i in range(len(tokens)):
        method = word(i + 1)
        if word(i) != "using" or method not in OPTIONS or word(i + 2) != "(":
            continue
        j = closing(i + 2)
        if j is None:
            continue
        k = j + 1
        if word(k) == "include" and word(k + 1) == "(":
            end = closing(k + 1)
            if end is None:
                continue
            k = end + 1
        if word(k) != "with" or word(k + 1) != "(":
            continue
        close = closing(k + 1)
        if close is None:
            continue
        content_start = char(tokens[k + 1].end + 1)
        content = sql[content_start : char(tokens[close].start)]
        options = _options(content)
        if options is None:
            continue
        out.append(
            _Clause(
                method,
                char(tokens[k].start),
                char(tokens[close].end + 1),
                options,
                content_start,
            )
        )
    return out


def _options(content: str) -> tuple[_Option, ...] | None:
    """The options of a clause's content, parsed by PostgreSQL's grammar (None: no parse).

    pglast's grammar is PostgreSQL 17's: numeric literals that PostgreSQL 15 cannot read
    (``0x10``, ``1_000``, PostgreSQL 16+) are left to the server, which refuses them."""
    if _NEW_LITERAL.search(_QUOTED.sub("''", content)):
        return None
    sql = f"{_OPTIONS_PREFIX}{content})"
    tree = statements(sql)
    if not tree or "IndexStmt" not in tree[0]:
        return None
    data = content.encode()
    prefix = len(_OPTIONS_PREFIX.encode())
    out = []
    for node in tree[0]["IndexStmt"].get("options", []):
        elem = node["DefElem"]
        at = len(data[: int(elem.get("location", prefix)) - prefix].decode(errors="replace"))
        out.append(_Option(elem.get("defnamespace"), elem["defname"], _value(elem), at))
    return tuple(out)


def _value(elem: dict[str, Any]) -> str:
    """A DefElem's argument as the reloption string PostgreSQL makes of it (defGetString)."""
    arg = elem.get("arg")
    if arg is None:
        return "true"
    if "Integer" in arg:
        return str(arg["Integer"].get("ival", 0))
    if "Float" in arg:
        return str(arg["Float"].get("fval", "0"))
    if "String" in arg:
        return str(arg["String"].get("sval", ""))
    if "Boolean" in arg:
        return "true" if arg["Boolean"].get("boolval") else "false"
    if "TypeName" in arg:
        return ".".join(n["String"]["sval"] for n in arg["TypeName"].get("names", []))
    return ""


def parse_int(value: str) -> int | None:
    """PostgreSQL's ``parse_int`` without units: strtol in any base (``0x10``, ``010``),
    else strtod rounded half to even (``16.5``); surrounding blanks allowed."""
    number: float | None = None
    rest = value
    found = _STRTOL.match(value)
    if found and value[found.end() : found.end() + 1] not in (".", "e", "E"):
        digits = found.group(2)
        if digits.lower().startswith("0x"):
            number = int(digits, 16)
        elif digits.startswith("0") and len(digits) > 1:
            number = int(digits, 8)
        else:
            number = int(digits)
        number = -number if found.group(1) == "-" else number
        rest = value[found.end() :]
    else:
        found = _STRTOD.match(value)
        if found is None:
            return None
        number = float(found.group())
        rest = value[found.end() :]
        if math.isnan(number) or math.isinf(number):
            return None
        number = round(number)
    if rest.strip() or not _INT_MIN <= number <= _INT_MAX:
        return None
    return int(number)


def _check(clause: _Clause) -> tuple[str, str | None, int, bool] | None:
    """pgvector's verdict on a clause: None, or (message, detail, offset, at build time),
    in the order PostgreSQL and pgvector check (namespaces, then each option as written,
    then the build's own rule)."""
    known = OPTIONS[clause.method]
    for option in clause.options:
        if option.namespace:
            return (
                f'unrecognized parameter namespace "{option.namespace}"',
                None,
                option.offset,
                False,
            )
    values: dict[str, tuple[int, _Option]] = {}
    for option in clause.options:
        name = option.name
        if name not in known:
            return f'unrecognized parameter "{name}"', None, option.offset, False
        if name in values:
            return f'parameter "{name}" specified more than once', None, option.offset, False
        number = parse_int(option.value)
        if number is None:
            message = f'invalid value for integer option "{name}": {option.value}'
            return message, None, option.offset, False
        _, low, high = known[name]
        if not low <= number <= high:
            return (
                f'value {option.value} out of bounds for option "{name}"',
                f'Valid values are between "{low}" and "{high}".',
                option.offset,
                False,
            )
        values[name] = (number, option)
    if clause.method == "hnsw":
        m = values["m"][0] if "m" in values else known["m"][0]
        ef = (
            values["ef_construction"][0]
            if "ef_construction" in values
            else known["ef_construction"][0]
        )
        if ef < 2 * m:
            culprit = values.get("ef_construction") or values["m"]  # the defaults pass
            message = "ef_construction must be greater than or equal to 2 * m"
            return message, None, culprit[1].offset, True
    return None
