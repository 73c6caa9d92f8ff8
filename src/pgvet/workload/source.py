"""The project's workload file, with its default parameters.

The queries are read by the same parser the ``workload-filter-not-indexed`` rule uses
(:func:`pgvet.analysis.workload.read_workload`); what only running them needs is here: the
original text with psycopg placeholders (the rule turns them into ``$n`` to parse) and the
``-- params: {json}`` line that gives each parameter a default.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pgvet.analysis.workload import DEFAULT_WORKLOAD, parse_workload
from pgvet.config import Config
from pgvet.errors import InputError
from pgvet.replay.paths import ensure_inside

_PARAMS_LINE = re.compile(r"^[ \t]*--[ \t]*params:[ \t]*(\{.*\})[ \t]*$", re.M)
_NAME_LINE = re.compile(r"^[ \t]*--[ \t]*name:[ \t]*(\S+).*$", re.M)
_PERSONA_LINE = re.compile(r"^[ \t]*--[ \t]*persona:[ \t]*(\S+)[ \t]*$", re.M)


@dataclass(frozen=True)
class Query:
    """One named query as written: psycopg text (``%(name)s`` placeholders), and the
    persona its ``-- persona: NAME`` line asks for (None: pgvet picks one)."""

    name: str
    text: str
    persona: str | None = None


@dataclass(frozen=True)
class Workload:
    """The queries of a workload file and its default parameter values."""

    path: Path
    queries: tuple[Query, ...]
    defaults: dict[str, Any] = field(default_factory=dict)


def workload_file(root: Path, config: Config) -> Path | None:
    """``[lint] workload`` (relative to the project root) or ``workload.sql`` in the root;
    None when there is neither. A file outside the project is refused."""
    setting = config.raw.get("lint", {}).get("workload")
    if setting is None:
        default = root / DEFAULT_WORKLOAD
        return ensure_inside(default, [root], "workload file") if default.is_file() else None
    if not isinstance(setting, str) or not setting:
        raise InputError(f"[lint] workload = {setting!r}: expected the path of a .sql file")
    path = Path(setting).expanduser()
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise InputError(f"[lint] workload = {setting!r}: no such file ({path})")
    return ensure_inside(path, [root], "workload file")


def read(path: Path) -> Workload:
    """Read and split a workload file; unreadable text or a broken params line is exit 2."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the workload file: {exc}") from exc
    defaults: dict[str, Any] = {}
    for match in _PARAMS_LINE.finditer(text):
        try:
            found = json.loads(match.group(1))
        except json.JSONDecodeError as exc:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(f"{path}:{line}: the params line is not JSON: {exc}") from exc
        if isinstance(found, dict):
            defaults.update(found)
    parsed = parse_workload(text)
    bodies = _bodies(text)
    queries = []
    for item in parsed:
        body = bodies.get(item.name, item.sql).strip()
        persona = _PERSONA_LINE.search(body)
        queries.append(Query(item.name, body, persona.group(1) if persona else None))
    if not queries:
        raise InputError(f"{path}: no queries found", hint="name each one with `-- name: x`")
    return Workload(path, tuple(queries), defaults)


def _bodies(text: str) -> dict[str, str]:
    """Name → the query's own text (placeholders kept), as ``parse_workload`` splits it."""
    marks = list(_NAME_LINE.finditer(text))
    out = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        body = _PARAMS_LINE.sub("", text[mark.end() : end]).strip()
        out[mark.group(1)] = body.rstrip().rstrip(";")
    return out
