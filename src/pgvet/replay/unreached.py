"""Objects that never reached the sandbox, so that no report is silent about them.

When a file fails (or is not run), what it would have created is absent from the catalog,
and so from the inventory, the lint findings and the coverage table, as if it never
existed. This lists, after a replay, every object that a failed or unrun file creates and
every object a failure says is missing, that the sandbox does not have (checked on the
server), with why: a reviewer then knows what was not reviewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg

from pgvet.replay.definitions import creations, places

if TYPE_CHECKING:
    from pgvet.replay.apply import ReplayResult

#: kinds of object checked (policies, triggers and constraints go with their table)
CHECKED_KINDS = ("table", "view", "sequence", "index", "type", "function", "schema", "extension")
_MISSING = (
    ("42P01", "table", re.compile(r'relation "([^"]+)" does not exist')),
    ("42704", "type", re.compile(r'type "([^"]+)" does not exist')),
    ("42883", "function", re.compile(r"function ([\w.\"]+)\(")),
    ("3F000", "schema", re.compile(r'schema "([^"]+)" does not exist')),
)
_EXISTS = """
select case c.kind
  when 'function' then exists (
    select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.proname = c.name and (c.schema = '' or n.nspname = c.schema))
  when 'type' then to_regtype(
    case when c.schema = '' then format('%%I', c.name) else format('%%I.%%I', c.schema, c.name) end
  ) is not null
  when 'schema' then exists (select from pg_namespace where nspname = c.name)
  when 'extension' then exists (select from pg_extension where extname = c.name)
  else to_regclass(
    case when c.schema = '' then format('%%I', c.name) else format('%%I.%%I', c.schema, c.name) end
  ) is not null
end
from unnest(%s::text[], %s::text[], %s::text[]) with ordinality as c(kind, schema, name, n)
order by c.n
"""


@dataclass(frozen=True)
class Unreached:
    """An object the migrations meant to exist that the sandbox does not have."""

    kind: str
    name: str  # schema-qualified when the migration qualifies it or creates it
    why: str


def _split(name: str) -> tuple[str, str]:
    parts = name.replace('"', "").split(".")
    return (parts[-2], parts[-1]) if len(parts) > 1 else ("", parts[-1])


def _candidates(result: ReplayResult) -> dict[tuple[str, str, str], str]:
    """(kind, schema, name) → why, for everything a failed or unrun file creates and every
    object a failure says is missing."""
    out: dict[tuple[str, str, str], str] = {}
    files = {f.filename: f for f in (*result.prelude, *result.project.files)}
    for file_result in result.files:
        migration = files.get(file_result.filename)
        if file_result.status == "applied" or migration is None:
            continue
        verb = "failed" if file_result.status == "failed" else "was not run"
        for stmt in migration.statements:
            for touch, line in creations(stmt):
                if touch.created and touch.kind in CHECKED_KINDS:
                    key = (touch.kind, touch.schema, touch.name)
                    out.setdefault(key, f"created at {stmt.file}:{line}, in a file that {verb}")
    for file_result in result.files:
        failure = file_result.failure
        if failure is None:
            continue
        for state, kind, pattern in _MISSING:
            if failure.sqlstate == state and (m := pattern.search(failure.message)):
                schema, name = _split(m.group(1))
                if any(k[0] == kind and k[2] == name for k in out):
                    continue
                made = places(result.project, kind, name, result.prelude)
                why = f"needed at {failure.location}; " + (
                    "no migration creates it" if not made else f"created at {made[-1].location}"
                )
                out.setdefault((kind, schema, name), why)
    return out


def never_reached(conn: psycopg.Connection, result: ReplayResult) -> list[Unreached]:
    """The objects of :func:`_candidates` the sandbox does not have, in file order."""
    wanted = _candidates(result)
    if not wanted:
        return []
    keys = list(wanted)
    kinds, schemas, names = ([k[i] for k in keys] for i in range(3))
    rows = conn.execute(_EXISTS, (kinds, schemas, names)).fetchall()
    return [
        Unreached(kind, f"{schema}.{name}" if schema else name, wanted[(kind, schema, name)])
        for (kind, schema, name), (exists,) in zip(keys, rows, strict=True)
        if not exists
    ]
