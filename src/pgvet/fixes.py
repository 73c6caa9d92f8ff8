"""Turn findings' fixes into a new migration the Supabase CLI will apply after the others.

The CLI runs each migration file in a transaction, and ``CREATE/DROP INDEX CONCURRENTLY``
refuses to run in one; so in the default (concurrent) mode each concurrent statement gets a
file of its own, and the remaining fixes share one file. ``plain`` mode writes everything
in one file without CONCURRENTLY (simpler, but it blocks writes while each index builds),
with a comment saying so.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pgvet.findings import Finding
from pgvet.replay.project import MIGRATION_NAME, split_sql

_CONCURRENTLY = re.compile(r"\bconcurrently\s+", re.I)
_STAMP = "%Y%m%d%H%M%S"
_OBJECT_NAME = re.compile(
    r"(?:index|policy|function|table)\s+(?:concurrently\s+)?(?:if\s+(?:not\s+)?exists\s+)?"
    r"([\w.\"]+)",
    re.I,
)


def fix_statements(findings: list[Finding]) -> list[str]:
    """Distinct fix statements, drops first (they free names and write cost), in order."""
    seen: dict[str, None] = {}
    for f in findings:
        if f.fix:
            for stmt in _split(f.fix):
                seen.setdefault(stmt, None)
    statements = list(seen)
    return sorted(statements, key=lambda s: 0 if s.lower().startswith("drop") else 1)


def _split(sql: str) -> list[str]:
    return [s.text.strip() + ";" for s in split_sql(sql)]


def _next_stamp(migrations_dir: Path, now: datetime | None) -> datetime:
    moment = (now or datetime.now(UTC)).replace(microsecond=0, tzinfo=None)
    versions = [
        m.group(1) for p in migrations_dir.glob("*.sql") if (m := MIGRATION_NAME.match(p.name))
    ]
    if versions:
        last = max(versions)
        try:
            latest = datetime.strptime(last[:14].ljust(14, "0"), _STAMP)
        except ValueError:
            latest = moment
        if latest >= moment:
            moment = latest + timedelta(seconds=1)
    return moment


def _slug(statement: str) -> str:
    name = re.search(
        r"(?:index|policy|function|table)\s+(?:concurrently\s+)?(?:if\s+(?:not\s+)?exists\s+)?([\w.\"]+)",
        statement,
        re.I,
    )
    raw = name.group(1) if name else "fix"
    return re.sub(r"[^a-z0-9]+", "_", raw.lower().split(".")[-1]).strip("_")[:40] or "fix"


def write_fix_migrations(
    findings: list[Finding],
    migrations_dir: Path,
    *,
    concurrent: bool = True,
    now: datetime | None = None,
) -> list[Path]:
    """Write the fixes as timestamped migrations; returns the files written (maybe none)."""
    statements = fix_statements(findings)
    if not statements:
        return []
    moment = _next_stamp(migrations_dir, now)
    header = "-- Written by `pgvet fix`: review before applying.\n"
    written: list[Path] = []

    def emit(name: str, body: str) -> None:
        nonlocal moment
        path = migrations_dir / f"{moment.strftime(_STAMP)}_{name}.sql"
        path.write_text(header + body, encoding="utf-8")
        written.append(path)
        moment += timedelta(seconds=1)

    if not concurrent:
        plain = [_CONCURRENTLY.sub("", s) for s in statements]
        note = (
            "-- CONCURRENTLY removed so the whole fix runs in one transaction: each index build\n"
            "-- blocks writes to its table until it finishes. Fine for small tables; for big\n"
            "-- ones run `pgvet fix` without --plain: each concurrent build in a file of its\n"
            "-- own.\n\n"
        )
        emit("pgvet_fixes", note + "\n\n".join(plain) + "\n")
        return written
    together = [s for s in statements if not _CONCURRENTLY.search(s)]
    if together:
        emit("pgvet_fixes", "\n" + "\n\n".join(together) + "\n")
    for stmt in (s for s in statements if _CONCURRENTLY.search(s)):
        note = "-- alone in its file: CONCURRENTLY cannot run inside the CLI's transaction\n"
        emit(f"pgvet_fix_{_slug(stmt)}", note + stmt + "\n")
    return written
