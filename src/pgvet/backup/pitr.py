"""WAL arithmetic and recovery settings for point-in-time recovery.

A restore to a target needs every WAL segment from the base backup's start up to the one
holding the record where recovery stops; one missing segment and PostgreSQL ends recovery
early (``recovery ended before configured recovery target was reached``). pgvet checks the
archive for that range before it restores, so a gap is named (which segment, between which
points) instead of being discovered in a server log on the day it matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_START = re.compile(r"START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+) \(file ([0-9A-F]{24})\)")
_SEGMENT = re.compile(r"^[0-9A-F]{24}$")


def parse_lsn(text: str) -> int:
    """``'0/5000028'`` → 83886120."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def segment_name(lsn: int, segment_size: int, timeline: int = 1) -> str:
    """The WAL file holding ``lsn`` (what ``pg_walfile_name`` says, for any timeline)."""
    per_id = 0x100000000 // segment_size
    segno = lsn // segment_size
    return f"{timeline:08X}{segno // per_id:08X}{segno % per_id:08X}"


def segment_range(first: str, last: str, segment_size: int) -> list[str]:
    """Every segment name from ``first`` to ``last`` included (same timeline)."""
    per_id = 0x100000000 // segment_size
    timeline = int(first[:8], 16)

    def number(name: str) -> int:
        return int(name[8:16], 16) * per_id + int(name[16:], 16)

    return [
        f"{timeline:08X}{n // per_id:08X}{n % per_id:08X}"
        for n in range(number(first), number(last) + 1)
    ]


def backup_start(base: Path) -> tuple[int, str]:
    """Where a base backup's WAL starts (its ``backup_label``): LSN and segment."""
    match = _START.search((base / "backup_label").read_text())
    if match is None:
        raise ValueError(f"{base}/backup_label has no START WAL LOCATION")
    return parse_lsn(match.group(1)), match.group(2)


@dataclass(frozen=True)
class ArchiveCheck:
    """The segments a restore needs, and those the archive lacks."""

    needed: tuple[str, ...]
    missing: tuple[str, ...]


def check_archive(archive: Path, base: Path, stop_lsn: int, segment_size: int) -> ArchiveCheck:
    """Which segments from the base backup's start to the one holding ``stop_lsn`` are in
    neither the archive nor (complete) in the base backup's own ``pg_wal``."""
    _, first = backup_start(base)
    last = segment_name(stop_lsn, segment_size)
    needed = segment_range(first, last, segment_size)
    present = {p.name for p in archive.iterdir() if _SEGMENT.match(p.name)}
    in_backup = sorted(p.name for p in (base / "pg_wal").iterdir() if _SEGMENT.match(p.name))
    present |= set(in_backup[:-1])  # the backup's last segment holds only its own end
    return ArchiveCheck(tuple(needed), tuple(s for s in needed if s not in present))


def recovery_settings(archive: Path, kind: str, value: str) -> str:
    """The lines added to ``postgresql.auto.conf`` for a restore to ``kind`` = ``value``."""
    quoted = value.replace("'", "''")
    return (
        f'restore_command = \'cp "{archive}/%f" "%p"\'\n'
        f"recovery_target_{kind} = '{quoted}'\n"
        "recovery_target_action = 'promote'\n"
    )
