"""A local history of inspections (``--save``) and each table's growth from it.

Growth needs two points in time, and production keeps no history of sizes, so pgvet keeps
one: each saved inspection adds a row per table (row estimate, total bytes) to a SQLite
file on the machine that runs pgvet (``[inspect] history``; nothing is written to the
database). Inspections are grouped by the database they came from (host, port and
database name as libpq reads the DSN; never the user or password). Growth is the change
between the oldest and newest inspection of the last ``WINDOW_DAYS`` days, per day, and the
forecast is linear: when a growing table passes ``large_rows`` or ``large_gb``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from pgvet.errors import InputError
from pgvet.inspect.model import Growth, Inspection
from pgvet.inspect.settings import InspectSettings

WINDOW_DAYS = 90
#: points closer than this in time give no meaningful rate
MIN_SPAN_DAYS = 1 / 24

_SCHEMA = """
create table if not exists inspection (
  id integer primary key,
  target text not null,
  taken_at text not null
);
create table if not exists table_size (
  inspection_id integer not null references inspection (id) on delete cascade,
  schema_name text not null,
  table_name text not null,
  row_estimate integer not null,
  total_bytes integer not null,
  primary key (inspection_id, schema_name, table_name)
);
create index if not exists inspection_target on inspection (target, taken_at);
"""


def target_key(dsn: str) -> str:
    """Which database a DSN reaches, without credentials: ``host:port/dbname``."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        params = {}
    host = params.get("host") or params.get("hostaddr") or "localhost"
    return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user') or ''}"


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
    except (OSError, sqlite3.Error) as exc:
        raise InputError(f"{path}: cannot open the inspect history: {exc}") from exc
    try:
        db.executescript(_SCHEMA)
        with db:
            yield db
    except sqlite3.DatabaseError as exc:
        raise InputError(
            f"{path}: not a pgvet inspect history ({exc})",
            hint="point [inspect] history or --history at another file",
        ) from exc
    finally:
        db.close()


def save(path: Path, target: str, ins: Inspection) -> None:
    """Add this inspection's table sizes to the history file."""
    with _open(path) as db:
        cur = db.execute(
            "insert into inspection (target, taken_at) values (?, ?)",
            (target, ins.server.now.isoformat()),
        )
        db.executemany(
            "insert into table_size values (?, ?, ?, ?, ?)",
            [(cur.lastrowid, t.schema, t.name, t.rows, t.total_bytes) for t in ins.tables],
        )


def growth(path: Path, target: str, ins: Inspection, s: InspectSettings) -> tuple[Growth, ...]:
    """Each table's growth between the oldest saved inspection of the window and now."""
    if not path.is_file():
        return ()
    since = (ins.server.now - timedelta(days=WINDOW_DAYS)).isoformat()
    with _open(path) as db:
        first = db.execute(
            "select id, taken_at from inspection where target = ? and taken_at >= ? "
            "order by taken_at limit 1",
            (target, since),
        ).fetchone()
        if first is None:
            return ()
        then = {
            (schema, name): (rows, size)
            for schema, name, rows, size in db.execute(
                "select schema_name, table_name, row_estimate, total_bytes from table_size "
                "where inspection_id = ?",
                (first[0],),
            )
        }
    taken = datetime.fromisoformat(first[1])
    taken = taken if taken.tzinfo else taken.replace(tzinfo=UTC)  # edited by hand
    days = (ins.server.now - taken).total_seconds() / 86400
    if days < MIN_SPAN_DAYS:
        return ()
    out = []
    for t in ins.tables:
        if (t.schema, t.name) not in then:
            continue
        rows0, bytes0 = then[(t.schema, t.name)]
        rows_rate = (t.rows - rows0) / days
        bytes_rate = (t.total_bytes - bytes0) / days
        out.append(
            Growth(
                t.schema,
                t.name,
                days,
                rows_rate,
                bytes_rate,
                _until(t.rows, s.large_rows, rows_rate),
                _until(t.total_bytes, s.large_gb * 2**30, bytes_rate),
            )
        )
    return tuple(out)


def _until(now: float, limit: float, rate: float) -> float | None:
    """Days until ``limit`` at ``rate`` per day (0 or less: already past; None: never)."""
    if now >= limit:
        return 0.0
    return (limit - now) / rate if rate > 0 else None
