"""The migration files a plan becomes: one file per fix, as the Supabase CLI will run them.

The CLI runs each file in one transaction, so one file per fix makes a fix that fails roll
back alone, exactly as it did when pgvet proved it. ``CREATE/DROP INDEX CONCURRENTLY``
refuses to run in a transaction block: such a fix gets one file per statement. Files are
timestamped after the project's last migration, in the plan's order, and say which
findings they answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pgvet.fixing.plan import Unit
from pgvet.replay.project import MIGRATION_NAME

_STAMP = "%Y%m%d%H%M%S"
HEADER = "-- Written by `pgvet fix` (proven on a replay of this project): review before applying.\n"


@dataclass(frozen=True)
class FixFile:
    unit: Unit
    name: str
    body: str

    @property
    def version(self) -> str:
        return self.name.split("_", 1)[0]


def first_stamp(migrations_dir: Path, now: datetime | None = None) -> datetime:
    """A second after the last migration's version, or now when that is later."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0, tzinfo=None)
    versions = [
        m.group(1) for p in migrations_dir.glob("*.sql") if (m := MIGRATION_NAME.match(p.name))
    ]
    if versions:
        try:
            latest = datetime.strptime(max(versions)[:14].ljust(14, "0"), _STAMP)
        except ValueError:
            latest = moment
        if latest >= moment:
            moment = latest + timedelta(seconds=1)
    return moment


def slug(unit: Unit) -> str:
    first = unit.findings[0]
    raw = f"{first.rule}_{first.object.split(' on ')[0].split('.')[-1]}"
    return re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_")[:60] or "fix"


def layout(units: list[Unit], start: datetime) -> list[FixFile]:
    """The files of ``units`` (in order), the first stamped ``start``."""
    files: list[FixFile] = []
    moment = start
    for unit in units:
        answers = "".join(
            f"-- answers {f.code} {f.rule}: {_one_line(f.object)}\n" for f in unit.findings
        )
        parts = [[s] for s in unit.statements] if unit.concurrent else [list(unit.statements)]
        for n, part in enumerate(parts, start=1):
            suffix = f"_{n}" if len(parts) > 1 else ""
            note = (
                "-- alone in its file: CONCURRENTLY cannot run inside the CLI's transaction\n"
                if unit.concurrent
                else ""
            )
            body = HEADER + answers + note + "\n" + "\n\n".join(part) + "\n"
            name = f"{moment.strftime(_STAMP)}_pgvet_fix_{slug(unit)}{suffix}.sql"
            files.append(FixFile(unit, name, body))
            moment += timedelta(seconds=1)
    return files


def _one_line(text: str) -> str:
    """A name from the migrations inside a ``--`` comment: a line break in a quoted
    identifier would end the comment and turn the rest into SQL."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", "?", text)
