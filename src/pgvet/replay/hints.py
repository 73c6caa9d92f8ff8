"""pgvet's own hints for the mistakes real migration folders make.

PostgreSQL says *what* failed; these say *why it happened here* and what to do, the way a
senior colleague would: the object is created by a file that sorts later (or by one that
failed), this is MySQL syntax, ``RAISE`` only exists inside PL/pgSQL, a uuid is compared
with text, an enum value is used before it is added, a ``CREATE TABLE IF NOT EXISTS`` was
skipped. Every premise a hint states ("created later", "never created", "that file
failed") is checked first: against the statements of every file
(:mod:`pgvet.replay.definitions`) and against what became of each file in this replay
(:mod:`pgvet.replay.ledger`). A hint that cannot check its premise is not given.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pgvet.replay.columns import skipped_create_hint
from pgvet.replay.definitions import Place, definitions, places, removals
from pgvet.replay.ledger import Ledger
from pgvet.replay.platform_hints import platform_refusal
from pgvet.replay.vector_options import OPTIONS

if TYPE_CHECKING:
    from collections.abc import Callable

    from pgvet.replay.failure import Failure
    from pgvet.replay.project import MigrationFile, Project

    #: asked in turn by :func:`explain`: a hint, NO_HINT (mine, nothing to add) or None
    Handler = Callable[[Failure, MigrationFile, Project, Ledger], str | None]

_VECTOR_INDEX = re.compile(r"\busing\s+(ivfflat|hnsw)\b", re.I)
_UNRECOGNIZED = re.compile(r'unrecognized parameter "([^"]+)"')
_QUOTED = re.compile(r'"([^"]+)"')
_RELATION = re.compile(r'relation "([^"]+)" does not exist')
_FUNCTION = re.compile(r"function ([\w.\"]+)\(")
_TYPE = re.compile(r'type "([^"]+)" does not exist')
_ENUM_INPUT = re.compile(r'invalid input value for enum ([\w."]+): "([^"]*)"')
_UNSAFE_ENUM = re.compile(r'unsafe use of new value "([^"]*)" of enum type ([\w."]+)')
_EXTENSION = re.compile(r'extension "([^"]+)"|extension/([\w-]+)\.control')
_UUID_TEXT = re.compile(
    r"operator does not exist: "
    r"(uuid = text|text = uuid|uuid = character varying|character varying = uuid)"
)
_MYSQL = (
    (re.compile(r"`"), "backticks quote names in MySQL; PostgreSQL uses double quotes"),
    (
        re.compile(r"\bauto_increment\b", re.I),
        "AUTO_INCREMENT is MySQL; use `generated always as identity` (or bigserial)",
    ),
    (re.compile(r"\)\s*engine\s*=", re.I), "ENGINE= is a MySQL table option; remove it"),
)
_CREATE_TABLE = re.compile(
    r"\s*create\s+(?:(?:global\s+|local\s+)?(?:temp|temporary|unlogged)\s+)?table\b", re.I
)
#: a MySQL index clause: ``INDEX name (col)``, ``KEY (col)``, ``INDEX name ON t (col)``,
#: ``UNIQUE INDEX name USING btree (col)``, ``FULLTEXT KEY ...``
_MYSQL_INDEX_LINE = re.compile(
    r"^\s*,?\s*(?:(?:unique|fulltext|spatial)\s+)?(?:index|key)\b(?!\s+(?:text|int|integer|"
    r"bigint|varchar|uuid|jsonb?|boolean|serial|bigserial|numeric|timestamptz?)\b)",
    re.I,
)
MYSQL_INDEX = (
    "MySQL syntax: INDEX/KEY inside CREATE TABLE is MySQL syntax; create the index with a "
    "separate `create index ... on table (...)` statement after the CREATE TABLE"
)
_ADD_CONSTRAINT_IF = re.compile(r"add\s+constraint\s+if\s+not\s+exists\b", re.I)
ADD_CONSTRAINT_IF = (
    "PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS (it reads `if` as the constraint's "
    "name): drop it first (`alter table ... drop constraint if exists name;`) and add it "
    "again, or add it in a DO block that checks pg_constraint"
)

#: Functions people call without creating the extension that provides them.
EXTENSION_FUNCTIONS = {
    "pgcrypto": (
        "gen_random_bytes",
        "digest",
        "hmac",
        "crypt",
        "gen_salt",
        "pgp_sym_encrypt",
        "pgp_sym_decrypt",
        "encrypt",
        "decrypt",
        "armor",
        "dearmor",
    ),
    "uuid-ossp": ("uuid_generate_v1", "uuid_generate_v4", "uuid_generate_v5", "uuid_nil"),
    "pg_trgm": ("similarity", "word_similarity", "show_trgm", "set_limit"),
    "http": ("http_get", "http_post", "http_put", "http_delete", "http"),
    "pg_net": ("http_get", "http_post", "http_delete"),
    "pgjwt": ("sign", "verify"),
    "unaccent": ("unaccent",),
    "vector": ("l2_distance", "cosine_distance", "inner_product"),
}


def _line_text(migration: MigrationFile, line: int | None) -> str:
    if line is None or not 0 < line <= len(migration.line_starts):
        return ""
    start = migration.line_starts[line - 1]
    end = migration.text.find("\n", start)
    return migration.text[start : end if end != -1 else None]


def _offset(migration: MigrationFile, failure: Failure) -> int | None:
    if failure.line is None or not 0 < failure.line <= len(migration.line_starts):
        return None
    return migration.line_starts[failure.line - 1] + (failure.column or 1) - 1


def _syntax(failure: Failure, migration: MigrationFile) -> str | None:
    """MySQL habits, ADD CONSTRAINT IF NOT EXISTS, RAISE outside PL/pgSQL — each only when
    the error's own position is on the construct."""
    sql, message = failure.statement or "", failure.message
    at = _offset(migration, failure)
    if at is not None and failure.statement_line is not None:
        stmt = migration.statement_at(at)
        if stmt is not None:
            for found in _ADD_CONSTRAINT_IF.finditer(migration.text, stmt.start, stmt.end):
                if found.start() <= at <= found.end() + 40:
                    return ADD_CONSTRAINT_IF
        if _CREATE_TABLE.match(sql) and _MYSQL_INDEX_LINE.match(
            _line_text(migration, failure.line)
        ):
            return MYSQL_INDEX
    for pattern, why in _MYSQL:
        if pattern.search(sql):
            return f"MySQL syntax: {why}"
    if re.match(r"\s*raise\b", sql, re.I) or 'near "RAISE"' in message.upper():
        return (
            "RAISE is PL/pgSQL and only works inside a function or a DO block: "
            "wrap it as `do $$ begin raise notice '...'; end $$;`"
        )
    return None


def _where_created(
    kind: str,
    name: str,
    migration: MigrationFile,
    project: Project,
    line: int | None,
    ledger: Ledger,
) -> str:
    """Why ``name`` is missing, told from where it is created and what became of that file."""
    what = {"table": "relation", "function": "function", "type": "type"}[kind]
    found = places(project, kind, name, ledger.prelude)
    here = migration.filename
    made = [p for p in found if p.source != "skipped"]
    before = [
        p
        for p in made
        if p.source == "prelude" or p.file < here or (p.file == here and line and p.line < line)
    ]
    after = [p for p in made if p not in before and (p.file, p.line) != (here, line)]
    applied = [p for p in made if p.file != here and ledger.status(p.file) == "applied"]
    if applied:
        return _gone(what, kind, name, applied[-1], project, ledger)
    failed = [p for p in before if ledger.status(p.file) == "failed"]
    if failed:
        place = failed[-1]
        return (
            f"{what} {name} is created at {place.location}, {ledger.describe(place.file)}: "
            f"so it never reached the sandbox; fix {place.file} first"
        )
    if after:
        place = after[0]
        if place.file == here:
            return (
                f"{what} {name} does not exist yet: it is created further down this file, "
                f"at line {place.line}; move that statement up"
            )
        return (
            f"{what} {name} does not exist — it is created at {place.location}, which sorts "
            f"after this file ({ledger.describe(place.file)}); rename one of the two so the "
            "creating file sorts first (the Supabase CLI applies files in name order)"
        )
    skipped = [p for p in found if p.source == "skipped"]
    if skipped:
        place = skipped[0]
        return (
            f"{what} {name} is created only at {place.location}, "
            f"{ledger.describe(place.file)}: make it a migration the CLI applies"
        )
    if made:  # created earlier in this same file, in a block that did not run it
        place = made[0]
        return (
            f"{what} {name} is created at {place.location} only inside a block or condition "
            "that did not create it here; check that condition"
        )
    searched = "migration, prelude file" if ledger.prelude else "migration"
    return (
        f"no {searched} or skipped file in this folder creates {what} {name}: it was "
        "probably made by hand (dashboard); add it to a migration, or list a file that "
        "creates it in [replay] prelude"
    )


def _gone(what: str, kind: str, name: str, place: Place, project: Project, ledger: Ledger) -> str:
    """An object whose creating file applied, yet is missing: dropped, renamed, or made in a
    schema the statement does not look in."""
    made = f"{what} {name} is created at {place.location}, {ledger.describe(place.file)}"
    removed = [
        r
        for r in removals(project, kind, name)
        if (r.file, r.line) > (place.file, place.line) and ledger.status(r.file) == "applied"
    ]
    if removed:
        return f"{made}, but dropped or renamed at {removed[-1].location} (which applied)"
    qualified = [key[1] for key, ps in _qualified(project, kind, name, ledger) if place in ps]
    if "." not in name and qualified and not qualified[0].startswith("public."):
        return (
            f"{made}, as {qualified[0]}; this statement looks for {name} on the search_path, "
            f"which does not include that schema: write {qualified[0]}"
        )
    return f"{made}; it is not there now: check the schema this statement looks in"


def _qualified(
    project: Project, kind: str, name: str, ledger: Ledger
) -> list[tuple[tuple[str, str], list[Place]]]:
    index = definitions(project, ledger.prelude)
    kind = {"view": "table", "sequence": "table"}.get(kind, kind)
    return [
        (key, ps)
        for key, ps in index.items()
        if key[0] == kind and key[1].endswith(f".{name.lower()}")
    ]


def _standin_refused_options(failure: Failure) -> bool:
    """Whether the error is the pgvector stand-in refusing one of pgvector's own options
    (``unrecognized parameter "m"`` for hnsw): real pgvector accepts them."""
    method = _VECTOR_INDEX.search(failure.statement or "")
    option = _UNRECOGNIZED.match(failure.message)
    return bool(method and option and option.group(1) in OPTIONS[method.group(1).lower()])


#: a handler's answer "this failure is mine, and pgvet has nothing to add"
NO_HINT = ""


def explain(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger | None = None
) -> str | None:
    """pgvet's hint for a failure, or None when there is nothing to add to PostgreSQL's.

    ``ledger`` says what became of the other files so far (none: a file replayed alone).
    The handlers are asked in order; the first that claims the failure answers."""
    ledger = ledger or Ledger(project)
    for handler in _HANDLERS:
        hint = handler(failure, migration, project, ledger)
        if hint is not None:
            return hint or None
    return None


def _refused(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    return platform_refusal(failure) or None


def _vector_options(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate != "22023" or not _standin_refused_options(failure):
        return None
    # pgvector itself never calls its own options unrecognized: the vector here is
    # pgvet's SQL stand-in, whose options pgvet handles only in top-level statements
    return (
        "this server has no pgvector; for its SQL stand-in pgvet checks ivfflat/hnsw "
        "options (lists, m, ef_construction) as pgvector does and removes valid ones "
        "in a migration's own CREATE INDEX statements and DO blocks, not in function "
        "bodies or dynamic SQL (an invalid one in a DO block is left for the server to "
        "refuse). The embedded PostgreSQL 18 ships the real pgvector: replay with "
        "--pg-version 18"
    )


def _mysql_syntax(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    # MySQL's `INDEX name (col)` inside CREATE TABLE parses as a column of type `name`,
    # so PostgreSQL answers 42704 (type does not exist) rather than a syntax error
    if failure.sqlstate in ("42601", "42704") or "syntax error" in failure.message:
        return _syntax(failure, migration)
    return None


def _missing_relation(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate == "42P01" and (m := _RELATION.search(failure.message)):
        where = _where_created("table", m.group(1), migration, project, failure.line, ledger)
        return where or NO_HINT
    return None


def _missing_column(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate == "42703":
        return skipped_create_hint(failure, migration, project, ledger)
    return None


def _missing_function(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate != "42883":
        return None
    if m := _UUID_TEXT.search(failure.message):
        return (
            f"{m.group(1)}: a uuid is compared with text. Compare uuid with uuid "
            "(auth.uid() already returns uuid; cast the text side with ::uuid), which "
            "also lets PostgreSQL use the index on the uuid column"
        )
    if m := _FUNCTION.search(failure.message):
        name = m.group(1).replace('"', "")
        short = name.split(".")[-1]
        for extension, functions in EXTENSION_FUNCTIONS.items():
            if short in functions and not places(project, "function", short, ledger.prelude):
                return (
                    f"{short}() comes from the {extension} extension: create it first "
                    f'(`create extension if not exists "{extension}" with schema '
                    "extensions;`) in this or an earlier migration, and call it "
                    "schema-qualified or with extensions on the search_path"
                )
        where = _where_created("function", name, migration, project, failure.line, ledger)
        return where or NO_HINT
    return None


def _missing_type(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate == "42704" and (m := _TYPE.search(failure.message)):
        where = _where_created("type", m.group(1), migration, project, failure.line, ledger)
        return where or NO_HINT
    return None


def _enum_value(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate not in ("22P02", "55P04"):
        return None
    found = _ENUM_INPUT.search(failure.message) or _UNSAFE_ENUM.search(failure.message)
    if not found:
        return None
    enum, value = found.groups() if found.re is _ENUM_INPUT else reversed(found.groups())
    return _enum_hint(enum.replace('"', ""), value, migration, project, ledger) or NO_HINT


def _missing_extension(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate not in ("58P01", "0A000", "42704") or "extension" not in failure.message:
        return None
    m = _EXTENSION.search(failure.message)
    name = (m.group(1) or m.group(2)) if m else "this extension"
    return (
        f"the sandbox server has no extension {name}: pgvet ships stand-ins only for "
        "Supabase's usual ones. Point PGVET_PG_BINDIR at a PostgreSQL that has it, or "
        "use --keep-going to review the rest"
    )


def _outside_transaction(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate != "25001":
        return None
    return (
        "this statement cannot run inside a transaction block: the Supabase CLI runs "
        "only CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, VACUUM, ALTER "
        "SYSTEM, CLUSTER and database, tablespace and subscription DDL outside the "
        "file's transaction, and not inside a BEGIN of the file's own, a DO block or a "
        "function: write it as a top-level statement, without BEGIN/COMMIT around it"
    )


def _reused_version(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate != "23505" or "schema_migrations" not in (
        failure.message + (failure.detail or "")
    ):
        return None
    others = [
        n
        for v, names in project.duplicate_versions
        if v == migration.version
        for n in names
        if n != migration.filename
    ]
    return (
        f"version {migration.version} is also used by {', '.join(others) or 'another file'}; "
        "the Supabase CLI fails the same way: give this file a new timestamp"
    )


def _already_exists(
    failure: Failure, migration: MigrationFile, project: Project, ledger: Ledger
) -> str | None:
    if failure.sqlstate not in ("42P07", "42710") or not (m := _QUOTED.search(failure.message)):
        return None
    made = [
        p
        for key, ps in definitions(project, ledger.prelude).items()
        if key[1] == m.group(1).lower()
        for p in ps
        if p.source != "skipped" and ledger.status(p.file) == "applied"
    ]
    before = sorted({(p.file, p.line) for p in made})
    if not before:
        return None
    file, at = before[0]
    return (
        f"{m.group(1)} was already created at {file}:{at} ({ledger.describe(file)}); "
        "use IF NOT EXISTS / OR REPLACE, or drop the duplicate statement"
    )


_HANDLERS: tuple[Handler, ...] = (
    _refused,
    _vector_options,
    _mysql_syntax,
    _missing_relation,
    _missing_column,
    _missing_function,
    _missing_type,
    _enum_value,
    _missing_extension,
    _outside_transaction,
    _reused_version,
    _already_exists,
)


def _enum_hint(
    enum: str, value: str, migration: MigrationFile, project: Project, ledger: Ledger
) -> str:
    short = enum.split(".")[-1]
    found = places(project, "enum_value", f"{short}.{value}", ledger.prelude)
    here = migration.filename
    same = [p for p in found if p.file == here]
    later = [p for p in found if p.source == "migration" and p.file > here]
    failed = [p for p in found if p.file < here and ledger.status(p.file) == "failed"]
    if same:
        return (
            f"enum value '{value}' is added to {enum} in this same file (line {same[0].line}); "
            "a new enum value cannot be used in the transaction that adds it: move the "
            "`alter type ... add value` into an earlier migration file of its own"
        )
    if failed:
        return (
            f"enum value '{value}' is added to {enum} at {failed[-1].location}, "
            f"{ledger.describe(failed[-1].file)}: fix that file first"
        )
    if later:
        return (
            f"enum value '{value}' is added to {enum} only at {later[0].location}, "
            f"which sorts after this file ({ledger.describe(later[0].file)}): add the value "
            "first"
        )
    return f"no migration adds the value '{value}' to enum {enum}"
