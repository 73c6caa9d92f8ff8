"""Read a plain-SQL dump (``pg_dump``, ``pg_dumpall``, ``supabase db dump``) into items.

Why not hand the file to ``psql``: a dump that comes from a pull request is untrusted, and
psql obeys the meta-commands in it (``\\!`` runs a shell command as the invoking user,
``\\o`` writes files, ``\\i`` reads them). pgvet splits the file itself, executes its SQL on
the sandbox, streams its ``COPY … FROM stdin`` blocks, and accepts only the meta-commands
pg_dump writes (``\\connect``, ``\\restrict``, ``\\unrestrict``); any other is refused at its
line.

Why the closing line matters: a dump cut short (a full disk, a killed ``pg_dump``, a
partial download) is still valid SQL up to the cut, and restores "cleanly" minus whatever
came after. pg_dump ends its output with ``-- PostgreSQL database dump complete`` and the
Supabase CLI appends ``RESET ALL;`` to every file it writes; a file with neither, a file
that ends inside a statement or inside a ``COPY`` block, is reported as truncated.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pgvet.errors import InputError

#: What pg_dump and pg_dumpall write last (kept by ``supabase db dump --keep-comments``).
COMPLETE_MARKS = (
    b"-- PostgreSQL database dump complete",
    b"-- PostgreSQL database cluster dump complete",
)
#: Meta-commands pg_dump and pg_dumpall write; pgvet runs no other.
ALLOWED_META = frozenset({"connect", "c", "restrict", "unrestrict"})

_NORMAL = re.compile(r"""'|"|--|/\*|\$(?:[A-Za-z_\x80-\uffff][A-Za-z_0-9\x80-\uffff]*)?\$|;""")
_BLOCK = re.compile(r"/\*|\*/")
_COPY_STDIN = re.compile(r"^\s*COPY\b.*\bFROM\s+stdin\b", re.IGNORECASE | re.DOTALL)
_ROLE_STATEMENT = re.compile(
    r"^(CREATE ROLE|ALTER ROLE|GRANT SET ON PARAMETER|GRANT \S+ TO |REVOKE \S+ FROM |RESET ALL)"
)
_RESET_ALL = re.compile(r"^\s*RESET\s+ALL\s*;?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """One SQL statement (with its ``;``) and the line it starts on."""

    sql: str
    line: int

    @property
    def is_copy(self) -> bool:
        return bool(_COPY_STDIN.match(self.sql))


@dataclass(frozen=True)
class CopyData:
    """The rows of a ``COPY … FROM stdin`` block: bytes of the file, first data line."""

    statement: Statement
    data: memoryview
    first_line: int
    rows: int


@dataclass(frozen=True)
class Meta:
    """A psql meta-command line (``\\connect postgres``)."""

    command: str
    argument: str
    line: int


Item = Statement | CopyData | Meta


@dataclass
class PlainDump:
    """A plain-SQL dump file, read and split; ``kind`` is roles, schema or data."""

    path: Path
    items: list[Item] = field(default_factory=list)
    lines: int = 0

    @property
    def kind(self) -> str:
        """roles / schema / data, from what the file does (the restore order)."""
        heads = [
            " ".join(i.sql.split())[:60].upper() for i in self.items if isinstance(i, Statement)
        ]
        rows = any(isinstance(i, CopyData) for i in self.items) or any(
            h.startswith("INSERT INTO") for h in heads
        )
        if rows and not any(h.startswith(("CREATE TABLE", "CREATE FUNCTION")) for h in heads):
            return "data"
        body = [h for h in heads if not h.startswith(("SET ", "SELECT PG_CATALOG.SET_CONFIG"))]
        if body and all(_ROLE_STATEMENT.match(h) for h in body if h != "RESET ALL;"):
            return "roles"
        return "schema"


ORDER = {"roles": 0, "schema": 1, "data": 2}


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip (dashboard backups are ``.gz``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the dump: {exc.strerror or exc}") from exc
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(
            f"{path}: the gzip stream is truncated or corrupted ({exc})",
            hint="download or copy the backup again; `gzip -t FILE` checks it",
        ) from exc


def read_plain(path: Path) -> PlainDump:
    """Split ``path`` into statements, COPY blocks and meta-commands; refuse a cut file."""
    content = read_bytes(path)
    if b"\0" in content[:65536]:
        raise InputError(
            f"{path}: not a SQL file (binary content) and not a pg_dump archive",
            hint="give plain SQL, a custom-format archive (pg_dump -Fc) or a directory (-Fd)",
        )
    dump = PlainDump(path)
    _Splitter(path, content, dump).run()
    if not _complete(content, dump):
        raise InputError(
            f"{path}: the dump is truncated: it ends at line {dump.lines} without the closing "
            "line pg_dump writes ('-- PostgreSQL database dump complete') or the 'RESET ALL;' "
            "`supabase db dump` ends every file with",
            hint="dump again and check the file's end (`tail FILE`); a cut dump restores "
            "without whatever came after the cut",
        )
    return dump


def _complete(content: bytes, dump: PlainDump) -> bool:
    tail = content[-4096:]
    if any(mark in tail for mark in COMPLETE_MARKS):
        return True
    statements = [i for i in dump.items if isinstance(i, Statement)]
    return bool(statements) and bool(_RESET_ALL.match(statements[-1].sql))


class _Splitter:
    """A scanner that knows SQL's quoting (strings, identifiers, dollar quotes, comments)."""

    def __init__(self, path: Path, content: bytes, dump: PlainDump) -> None:
        self.path = path
        self.content = content
        self.dump = dump

    def _text(self, start: int, end: int, line: int) -> str:
        try:
            return self.content[start:end].decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line + self.content[start : start + exc.start].count(b"\n")
            raise InputError(
                f"{self.path}:{bad}: not UTF-8 text",
                hint="pg_dump writes the database encoding; pgvet reads UTF-8 dumps "
                "(dump with --encoding=UTF8)",
            ) from exc

    def run(self) -> None:
        content, view = self.content, memoryview(self.content)
        pos, line, size = 0, 1, len(content)
        start = start_line = -1  # the statement being read: byte offset and line
        state, tag, depth = "normal", "", 0
        while pos < size:
            nl = content.find(b"\n", pos)
            end = size if nl < 0 else nl + 1
            if start < 0 and state == "normal" and content.startswith(b"\\", pos):
                meta = self._text(pos, end, line).strip()
                name, _, argument = meta[1:].partition(" ")
                self.dump.items.append(Meta(name, argument.strip(), line))
                pos, line = end, line + 1
                continue
            text = self._text(pos, end, line)
            i = 0
            resume: tuple[int, int] | None = None
            while i < len(text):
                if state == "normal":
                    m = _NORMAL.search(text, i)
                    if m is None:
                        if start < 0 and text[i:].strip():
                            start, start_line = pos + len(text[:i].encode()), line
                        break
                    token = m.group(0)
                    if start < 0 and (text[i : m.start()].strip() or token not in ("--", "/*")):
                        start, start_line = pos + len(text[:i].encode()), line
                    if token == "--":
                        break
                    i = m.end()
                    if token == ";":
                        stop = pos + len(text[:i].encode())
                        statement = Statement(self._text(start, stop, start_line), start_line)
                        start = -1
                        if statement.is_copy:
                            resume = self._copy(statement, end, line + 1, view)
                            break
                        self.dump.items.append(statement)
                    elif token == "'":
                        escape = m.start() > 0 and text[m.start() - 1] in "Ee"
                        state = "escape" if escape else "quote"
                    elif token == '"':
                        state = "ident"
                    elif token == "/*":
                        state, depth = "block", 1
                    else:
                        state, tag = "dollar", token
                elif state in ("quote", "escape"):
                    j = text.find("'", i)
                    while state == "escape" and j > 0 and _escaped_quote(text, j):
                        j = text.find("'", j + 1)
                    if j < 0:
                        break
                    state, i = "normal", j + 1
                elif state == "ident":
                    j = text.find('"', i)
                    if j < 0:
                        break
                    state, i = "normal", j + 1
                elif state == "dollar":
                    j = text.find(tag, i)
                    if j < 0:
                        break
                    state, i = "normal", j + len(tag)
                else:  # block comment, nested
                    m = _BLOCK.search(text, i)
                    if m is None:
                        break
                    depth += 1 if m.group(0) == "/*" else -1
                    state = "normal" if depth == 0 else state
                    i = m.end()
            pos, line = resume if resume is not None else (end, line + 1)
        self.dump.lines = line - 1
        if start >= 0 or state != "normal":
            what = {
                "quote": "a quoted string",
                "escape": "a quoted string",
                "ident": "a quoted identifier",
                "dollar": f"a {tag}-quoted body",
                "block": "a comment",
            }.get(state, "a statement")
            where = f"that starts at line {start_line}" if start >= 0 else "near the end"
            raise InputError(
                f"{self.path}: the dump is truncated: it ends inside {what} {where}",
                hint="dump again; the file was cut before pg_dump finished writing it",
            )

    def _copy(self, statement: Statement, pos: int, line: int, view: memoryview) -> tuple[int, int]:
        """Take the data block after a COPY statement; return where the SQL resumes."""
        content = self.content
        if content.startswith(b"\\.", pos) and content[pos + 2 : pos + 3] in (b"\n", b"\r", b""):
            stop, after = pos, pos
        else:
            found = content.find(b"\n\\.\n", pos - 1)
            if found < 0:
                found = content.find(b"\n\\.\r\n", pos - 1)
            if found < 0 and content.endswith(b"\n\\."):
                found = len(content) - 3
            if found < 0:
                later = content.count(b"\n", pos)
                raise InputError(
                    f"{self.path}:{statement.line}: the dump is truncated: the data of "
                    f"`{statement.sql.strip()[:80]}` has no closing '\\.' line "
                    f"(the file ends {later} lines later)",
                    hint="dump again; the file was cut while pg_dump wrote this table's rows",
                )
            stop, after = found + 1, found + 1
        rows = content.count(b"\n", pos, stop)
        self.dump.items.append(CopyData(statement, view[pos:stop], line, rows))
        nl = content.find(b"\n", after)
        end = len(content) if nl < 0 else nl + 1
        return end, line + rows + 1


def _escaped_quote(text: str, j: int) -> bool:
    """Whether the quote at ``j`` of an E'' string is escaped by an odd run of backslashes."""
    run = 0
    while j - run - 1 >= 0 and text[j - run - 1] == "\\":
        run += 1
    return run % 2 == 1
