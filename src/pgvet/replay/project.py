"""A Supabase migrations folder on disk: which files run, in what order, as what text.

This mirrors the Supabase CLI's reading rules (top-level files matching
``^([0-9]+)_(.*)\\.sql$``, sorted by name) and records, in plain words, everything about the
folder a reviewer should know before anything runs: skipped files and why, reused version
numbers, odd encodings, empty files, statements that cannot run inside a transaction.
Statements are split with libpg_query (pglast), falling back to its scanner for files that
do not parse, so every statement knows its file, line and column.
"""

from __future__ import annotations

import bisect
import codecs
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pglast import parser as pg_parser

from pgvet.errors import InputError
from pgvet.replay.monorepo import only_supabase_folder
from pgvet.replay.paths import ensure_inside
from pgvet.replay.standalone import runs_standalone

MIGRATION_NAME = re.compile(r"^([0-9]+)_(.*)\.sql$")
#: the CLI skips a first file named ``<timestamp>_init.sql`` older than this (made by old
#: CLI versions)
_INIT_FILE = re.compile(r"([0-9]{14})_init\.sql")
_INIT_CUTOFF = 20211209000000


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a migration file, located to the character."""

    file: str
    index: int  # 0-based position within the file
    start: int  # character offset of the statement's first token
    end: int  # character offset just past its last token (before the semicolon)
    line: int  # 1-based line of ``start``
    column: int  # 1-based column of ``start``
    text: str
    leading: str  # comments and blank space between the previous statement and this one

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class MigrationFile:
    """A migration the CLI would apply: its version, text and statements."""

    path: Path
    version: str
    name: str  # the part after ``<version>_``
    text: str
    encoding: str
    notes: tuple[str, ...]
    statements: tuple[Statement, ...]
    #: statements the CLI runs on their own, outside the file's transaction
    non_transactional: tuple[Statement, ...]
    line_starts: tuple[int, ...] = field(repr=False)
    #: the file's bytes when it starts with a byte-order mark: the CLI sends them as they are
    original: bytes | None = field(default=None, repr=False)
    #: how reports name a file that is not a migration (``[prelude] sql/roles.sql``)
    label: str | None = None

    @property
    def bom(self) -> str | None:
        """``"UTF-8"`` or ``"UTF-16"`` when the file starts with a byte-order mark."""
        return {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}.get(self.encoding)

    @property
    def filename(self) -> str:
        return self.label or self.path.name

    @property
    def empty(self) -> bool:
        return not self.statements

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset in the file's text."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def statement_at(self, offset: int) -> Statement | None:
        """The statement containing (or next after) a character offset."""
        for stmt in self.statements:
            if offset < stmt.end or stmt is self.statements[-1]:
                return stmt
        return None


@dataclass(frozen=True)
class Skipped:
    """A file in the migrations folder that the Supabase CLI would not apply."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Unreadable:
    """A migration file whose bytes cannot be decoded: nothing of it can run."""

    path: Path
    version: str
    message: str


@dataclass(frozen=True)
class Project:
    """A Supabase project's migrations and settings, read from disk."""

    root: Path
    migrations_dir: Path
    supabase_dir: Path | None
    files: tuple[MigrationFile, ...]
    unreadable: tuple[Unreadable, ...]
    skipped: tuple[Skipped, ...]
    duplicate_versions: tuple[tuple[str, tuple[str, ...]], ...]
    major_version: int | None
    seed_paths: tuple[Path, ...]
    #: ``[auth] enable_anonymous_sign_ins`` of config.toml: anonymous users then sign in
    #: as ``authenticated`` (policy-admits-anonymous-users)
    anonymous_sign_ins: bool = False

    @property
    def statements(self) -> list[Statement]:
        return [s for f in self.files for s in f.statements]

    def file_named(self, filename: str) -> MigrationFile | None:
        """The file of that name (a dict built once per project: asked once per finding)."""
        by_name = self.__dict__.get("_files_by_name")
        if by_name is None:
            by_name = {}
            for f in self.files:
                by_name.setdefault(f.filename, f)
            self.__dict__["_files_by_name"] = by_name
        return by_name.get(filename)


#: a project argument that is a connection string: a URL (``Path`` has folded its "//")
#: or libpq's key=value form. Never echoed: it may hold a password.
_CONNECTION_STRING = re.compile(
    r"^[a-z][a-z0-9+.-]*:/|\b(?:host|hostaddr|dbname|user|password|port|service)\s*=", re.I
)


def locate(path: Path) -> tuple[Path, Path | None, Path]:
    """Resolve a repository root, a ``supabase/`` folder or a migrations folder; a monorepo
    root is searched for the one ``supabase/`` folder below it."""
    path = path.expanduser()
    if not path.exists() and _CONNECTION_STRING.search(str(path)):
        raise InputError(
            "the project folder given is a connection string (not shown: it may hold a password)",
            hint="the argument is the folder of the migrations; a command that reads a "
            "database takes it with --db",
        )
    if not path.exists():
        raise InputError(
            f"{path}: no such folder",
            hint="give a repository root, its supabase/ folder, or a migrations folder",
        )
    if path.is_file():
        raise InputError(
            f"{path}: is a file, not a folder",
            hint="give the folder that holds the migrations (or the project root)",
        )
    if (path / "supabase" / "migrations").is_dir():
        return path, path / "supabase", path / "supabase" / "migrations"
    if (path / "migrations").is_dir():
        return path.parent, path, path / "migrations"
    if any(path.glob("*.sql")) or path.name == "migrations":
        supabase = path.parent if (path.parent / "config.toml").exists() else None
        return (supabase.parent if supabase else path), supabase, path
    if (below := only_supabase_folder(path)) is not None:
        return below.parent, below, below / "migrations"
    raise InputError(
        f"{path}: no migrations found",
        hint="expected supabase/migrations/, migrations/ or .sql files in this folder, or a "
        "supabase/ folder below it",
    )


BOM_NOTE = (
    "starts with a {bom} byte-order mark: the Supabase CLI sends the file's bytes as they "
    "are and PostgreSQL rejects them, so pgvet fails it the same way (--decode-bom, or "
    "decode_bom = true in [replay], decodes it instead); re-save it as UTF-8 without a BOM"
)


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """The file's text and encoding, saying what was unusual.

    A file with a byte-order mark is decoded (so its statements can be shown and, with
    ``--decode-bom``, replayed) and keeps a note: the CLI sends its bytes undecoded.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16", [BOM_NOTE.format(bom="UTF-16")]
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig", [BOM_NOTE.format(bom="UTF-8")]
    return data.decode("utf-8"), "utf-8", []


def _line_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in re.finditer("\n", text)))


def _code_start(text: str, start: int, end: int) -> int:
    """Skip blank space and comments at the head of a statement slice."""
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            i = end if nl == -1 else nl + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = end if close == -1 else close + 2
        else:
            break
    return min(i, end)


def _slices(text: str) -> list[slice]:
    """Statement spans: libpg_query's parser-based split, or tokens when the file won't parse.

    The parser split knows ``BEGIN ATOMIC ... END`` bodies; the token fallback splits at
    top-level semicolons, so a file with a syntax error still gets every statement located.
    """
    try:
        return list(pg_parser.split(text, with_parser=True, only_slices=True))
    except Exception:
        pass
    try:
        tokens = [t for t in pg_parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    except Exception:  # the scanner failed too (e.g. an unterminated quote): one statement
        return [slice(0, len(text))]
    out: list[slice] = []
    start: int | None = None
    last_end = 0
    for token in tokens:
        if token.name == "ASCII_59":
            if start is not None:
                out.append(slice(start, last_end))
            start = None
        else:
            start = token.start if start is None else start
            last_end = token.end + 1
    if start is not None:
        out.append(slice(start, last_end))
    return out


def split_statements(filename: str, text: str, line_starts: tuple[int, ...]) -> list[Statement]:
    """Split SQL text into statements that know their file, line and column."""
    statements: list[Statement] = []
    previous_end = 0
    for piece in _slices(text):
        start = _code_start(text, piece.start, piece.stop)
        body = text[start : piece.stop].rstrip()
        if not body:
            continue
        line = bisect.bisect_right(line_starts, start)
        statements.append(
            Statement(
                file=filename,
                index=len(statements),
                start=start,
                end=start + len(body),
                line=line,
                column=start - line_starts[line - 1] + 1,
                text=body,
                leading=text[previous_end:start],
            )
        )
        previous_end = start + len(body)
    return statements


def split_sql(sql: str, filename: str = "<sql>") -> list[Statement]:
    """Statements of a piece of SQL that is not a migration file (fixes, examples)."""
    return split_statements(filename, sql, _line_starts(sql))


def read_migration(
    path: Path, version: str, name: str, label: str | None = None
) -> MigrationFile | Unreadable:
    """Read one file; ``label`` names it in reports (default: its file name)."""
    try:
        data = path.read_bytes()
    except OSError as exc:  # e.g. a symlink to a file that does not exist
        return Unreadable(path, version, f"cannot be read: {exc.strerror or exc}")
    try:
        text, encoding, notes = _decode(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4]
        return Unreadable(
            path,
            version,
            f"not valid {exc.encoding.upper()} at byte {exc.start} (line {line}): bytes {bad!r}",
        )
    if "\x00" in text:
        offset = text.index("\x00")
        return Unreadable(path, version, f"contains a NUL character at offset {offset}")
    line_starts = _line_starts(text)
    statements = split_statements(label or path.name, text, line_starts)
    non_tx = tuple(s for s in statements if runs_standalone(s.text))
    if not statements:
        notes.append("empty: no SQL statement (only blank space or comments)")
    return MigrationFile(
        path,
        version,
        name,
        text,
        encoding,
        tuple(notes),
        tuple(statements),
        non_tx,
        line_starts,
        data if encoding != "utf-8" else None,
        label,
    )


def _config(supabase_dir: Path | None, root: Path) -> tuple[int | None, tuple[Path, ...], bool]:
    """``major_version``, the seed files and ``[auth] enable_anonymous_sign_ins`` of
    ``supabase/config.toml``; every file it names must stay inside the project ``root``."""
    if supabase_dir is None or not (supabase_dir / "config.toml").exists():
        default_seed = supabase_dir / "seed.sql" if supabase_dir else None
        if default_seed and default_seed.exists():
            return None, (ensure_inside(default_seed, [root], "seed file"),), False
        return None, (), False
    config_path = ensure_inside(supabase_dir / "config.toml", [root], "config file")
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{config_path}: not valid TOML: {exc}") from exc
    db = config.get("db", {})
    major = db.get("major_version")
    seed_conf = db.get("seed", {})
    patterns = seed_conf.get("sql_paths", ["./seed.sql"]) if seed_conf.get("enabled", True) else []
    seeds: list[Path] = []
    for pattern in patterns:
        if not isinstance(pattern, str) or Path(pattern).is_absolute():
            raise InputError(
                f"{config_path}: [db.seed] sql_paths: {pattern!r} is not a relative path",
                hint="seed paths are relative to the supabase/ folder",
            )
        found = sorted(p for p in supabase_dir.glob(pattern.removeprefix("./")) if p.is_file())
        seeds += [ensure_inside(p, [root], "seed file") for p in found]
    auth = config.get("auth", {})
    anonymous = isinstance(auth, dict) and auth.get("enable_anonymous_sign_ins") is True
    return (int(major) if isinstance(major, int) else None), tuple(seeds), anonymous


OLD_INIT_REASON = (
    "an `<timestamp>_init.sql` first file older than 2021-12-09 (made by old CLI versions): "
    "the CLI skips it; rename it to apply it"
)


def _old_init_file(name: str) -> bool:
    """The CLI's backward-compatibility rule: such a first file is never applied."""
    match = _INIT_FILE.search(name)
    return bool(match) and int(match[1]) < _INIT_CUTOFF  # type: ignore[index]


def load_project(path: Path) -> Project:
    """Read a project folder: the files the CLI would apply, and what it would skip."""
    root, supabase_dir, migrations_dir = locate(path)
    ensure_inside(migrations_dir, [root], "migrations folder")
    files: list[MigrationFile] = []
    unreadable: list[Unreadable] = []
    skipped: list[Skipped] = []
    by_version: dict[str, list[str]] = defaultdict(list)
    for position, entry in enumerate(sorted(migrations_dir.iterdir(), key=lambda p: p.name)):
        if position == 0 and _old_init_file(entry.name):
            skipped.append(Skipped(entry, OLD_INIT_REASON))
            continue
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            ensure_inside(entry, [root], "subfolder of the migrations folder")
            for nested in sorted(entry.rglob("*.sql")):
                rel = nested.relative_to(migrations_dir)
                skipped.append(
                    Skipped(nested, f"in subfolder {rel.parent}/: the CLI reads only the top level")
                )
            continue
        match = MIGRATION_NAME.match(entry.name)
        if not match:
            reason = (
                "name does not match <digits>_<name>.sql"
                if entry.suffix == ".sql"
                else "not a .sql file"
            )
            skipped.append(Skipped(entry, reason))
            continue
        version, name = match.groups()
        by_version[version].append(entry.name)
        loaded = read_migration(ensure_inside(entry, [root], "migration"), version, name)
        (unreadable if isinstance(loaded, Unreadable) else files).append(loaded)  # type: ignore[arg-type]
    major, seeds, anonymous = _config(supabase_dir, root)
    duplicates = tuple((v, tuple(n)) for v, n in by_version.items() if len(n) > 1)
    return Project(
        root=root,
        migrations_dir=migrations_dir,
        supabase_dir=supabase_dir,
        files=tuple(files),
        unreadable=tuple(unreadable),
        skipped=tuple(skipped),
        duplicate_versions=duplicates,
        major_version=major,
        seed_paths=seeds,
        anonymous_sign_ins=anonymous,
    )
