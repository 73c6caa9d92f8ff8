"""pgvet's own hints for the mistakes real migration folders make.

PostgreSQL says *what* failed; these say *why it happened here* and what to do, the way a
senior colleague would: the object is created by a file that sorts later, this is MySQL
syntax, ``RAISE`` only exists inside PL/pgSQL, a uuid is compared with text, an enum value
is used before it is added, the sandbox lacks an extension.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import TYPE_CHECKING

from pgvet.replay.ddl import touches
from pgvet.replay.platform_hints import platform_refusal

if TYPE_CHECKING:
    from pgvet.replay.failure import Failure
    from pgvet.replay.project import MigrationFile, Project

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
    (
        re.compile(r"create\s+table[^;]*?,\s*(unique\s+)?(index|key)\s+[\w\"]*\s*\(", re.I | re.S),
        "INDEX/KEY inside CREATE TABLE is MySQL syntax; create the index with a separate "
        "`create index ... on table (...)` statement",
    ),
)

Place = tuple[str, int]
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


@cache
def _definitions(project: Project) -> dict[tuple[str, str], list[Place]]:
    """(kind, name) → places that create it, over every file, in file order."""
    index: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for migration in project.files:
        for stmt in migration.statements:
            for touch in touches(stmt):
                if not touch.created:
                    continue
                kind = {"view": "table", "sequence": "table"}.get(touch.kind, touch.kind)
                index[(kind, touch.name.lower())].append((stmt.file, stmt.line))
                index[(kind, f"{touch.schema}.{touch.name}".lower())].append((stmt.file, stmt.line))
    return index


def _where_created(
    kind: str, name: str, migration: MigrationFile, project: Project, line: int | None
) -> str | None:
    what = {"table": "relation", "function": "function", "type": "type"}[kind]
    places = _definitions(project).get((kind, name.lower().replace('"', "")), [])
    here = migration.filename
    later = [p for p in places if p[0] > here or (p[0] == here and line and p[1] > line)]
    earlier = [p for p in places if p[0] < here]
    if later and not earlier:
        file, at = later[0]
        if file == here:
            return (
                f"{what} {name} does not exist yet: it is created further down this file, "
                f"at line {at}; move that statement up"
            )
        return (
            f"{what} {name} does not exist — it is created at {file}:{at}, which sorts after "
            f"this file; rename one of the two so the creating file sorts first (the Supabase "
            "CLI applies files in name order)"
        )
    if earlier:
        file, at = earlier[-1]
        return (
            f"{what} {name} is created at {file}:{at}, an earlier file: check that file "
            "applied, that it was not dropped since, and the schema it was created in"
        )
    return (
        f"no migration in this folder creates {what} {name}: it was probably made by hand "
        "(dashboard) or by a file that is skipped; add it to a migration"
    )


def explain(failure: Failure, migration: MigrationFile, project: Project) -> str | None:
    """pgvet's hint for a failure, or None when there is nothing to add to PostgreSQL's."""
    state, message, sql = failure.sqlstate, failure.message, failure.statement or ""
    if refusal := platform_refusal(failure):
        return refusal
    if state in ("42601", "42704") or "syntax error" in message:
        # MySQL's `INDEX name (col)` inside CREATE TABLE parses as a column of type `name`,
        # so PostgreSQL answers 42704 (type does not exist) rather than a syntax error
        for pattern, why in _MYSQL:
            if pattern.search(sql):
                return f"MySQL syntax: {why}"
        if re.match(r"\s*raise\b", sql, re.I) or 'near "RAISE"' in message.upper():
            return (
                "RAISE is PL/pgSQL and only works inside a function or a DO block: "
                "wrap it as `do $$ begin raise notice '...'; end $$;`"
            )
    if state == "42P01" and (m := _RELATION.search(message)):
        return _where_created("table", m.group(1), migration, project, failure.line)
    if state == "42883":
        if m := _UUID_TEXT.search(message):
            return (
                f"{m.group(1)}: a uuid is compared with text. Compare uuid with uuid "
                "(auth.uid() already returns uuid; cast the text side with ::uuid), which "
                "also lets PostgreSQL use the index on the uuid column"
            )
        if m := _FUNCTION.search(message):
            name = m.group(1).replace('"', "")
            short = name.split(".")[-1]
            for extension, functions in EXTENSION_FUNCTIONS.items():
                if short in functions and not _definitions(project).get(("function", short)):
                    return (
                        f"{short}() comes from the {extension} extension: create it first "
                        f'(`create extension if not exists "{extension}" with schema '
                        "extensions;`) in this or an earlier migration, and call it "
                        "schema-qualified or with extensions on the search_path"
                    )
            return _where_created("function", name, migration, project, failure.line)
    if state == "42704" and (m := _TYPE.search(message)):
        return _where_created("type", m.group(1), migration, project, failure.line)
    if state in ("22P02", "55P04"):
        found = _ENUM_INPUT.search(message) or _UNSAFE_ENUM.search(message)
        if found:
            enum, value = found.groups() if found.re is _ENUM_INPUT else reversed(found.groups())
            return _enum_hint(enum.replace('"', ""), value, migration, project)
    if state in ("58P01", "0A000", "42704") and "extension" in message:
        m = _EXTENSION.search(message)
        name = (m.group(1) or m.group(2)) if m else "this extension"
        return (
            f"the sandbox server has no extension {name}: pgvet ships stand-ins only for "
            "Supabase's usual ones. Point PGVET_PG_BINDIR at a PostgreSQL that has it, or "
            "use --keep-going to review the rest"
        )
    if state == "25001":
        return (
            "this statement cannot run inside a transaction block, and the Supabase CLI "
            "wraps each migration file in one: move it into a migration file of its own"
        )
    if state == "23505" and "schema_migrations" in (failure.message + (failure.detail or "")):
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
    if state in ("42P07", "42710") and (m := _QUOTED.search(message)):
        places = [
            p
            for key, ps in _definitions(project).items()
            if key[1] == m.group(1).lower()
            for p in ps
        ]
        before = sorted(p for p in places if p != (migration.filename, failure.statement_line))
        if before:
            file, at = before[0]
            return (
                f"{m.group(1)} was already created at {file}:{at}; use IF NOT EXISTS / "
                "OR REPLACE, or drop the duplicate statement"
            )
    return None


def _enum_hint(enum: str, value: str, migration: MigrationFile, project: Project) -> str:
    short = enum.split(".")[-1]
    places = _definitions(project).get(("enum_value", f"{short}.{value}".lower()), [])
    here = migration.filename
    same = [p for p in places if p[0] == here]
    later = [p for p in places if p[0] > here]
    if same:
        return (
            f"enum value '{value}' is added to {enum} in this same file (line {same[0][1]}); "
            "a new enum value cannot be used in the transaction that adds it: move the "
            "`alter type ... add value` into an earlier migration file of its own"
        )
    if later:
        return (
            f"enum value '{value}' is added to {enum} only at {later[0][0]}:{later[0][1]}, "
            "which sorts after this file: add the value first"
        )
    return f"no migration adds the value '{value}' to enum {enum}"
