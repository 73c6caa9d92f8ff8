"""PostgreSQL's binary COPY format, written from whole columns at once.

psycopg's ``write_row`` encodes one value at a time in Python (measured here at about a
third of what the server can load; see ``bench/data.py``). Here a column of fixed-width
values (integers, uuids, timestamps, dates, booleans, numerics of a fixed layout) is one
numpy array in network byte order, and consecutive such columns without NULLs become one
structured array whose bytes *are* the COPY rows: a narrow table is encoded without a
Python loop. Variable-width values (text, JSON, arrays) are bytes objects joined per row.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
NULL_FIELD = b"\xff\xff\xff\xff"
_LENGTH = struct.Struct(">i").pack

#: microseconds and days between the Unix epoch and PostgreSQL's (2000-01-01)
PG_EPOCH_US = 946_684_800_000_000
PG_EPOCH_DAYS = 10_957


@dataclass
class Fixed:
    """A column of fixed-width values: ``values`` already in the wire dtype (``>i4``,
    ``V16``…); ``nulls`` marks the rows that are NULL (None: none are)."""

    values: np.ndarray
    nulls: np.ndarray | None = None


@dataclass
class Variable:
    """A column of variable-width values, each already encoded (None for NULL)."""

    values: Sequence[bytes | None]


Field = Fixed | Variable


def encode_rows(fields: Sequence[Field], rows: int) -> bytes:
    """The COPY data (no header) of ``rows`` rows made of ``fields``, in order."""
    count = np.full(rows, len(fields), dtype=">i2")
    run: list[tuple[str, np.ndarray]] = [("n", count)]
    pieces: list[list[bytes]] = []
    for index, item in enumerate(fields):
        if isinstance(item, Fixed) and item.nulls is None:
            run.append((f"f{index}", item.values))
            continue
        pieces.append(_run_bytes(run, rows, as_list=True))  # type: ignore[arg-type]
        run = []
        pieces.append(_with_length(item))
    if not pieces:
        return _run_bytes(run, rows, as_list=False)  # type: ignore[return-value]
    if run:
        pieces.append(_run_bytes(run, rows, as_list=True))  # type: ignore[arg-type]
    return b"".join(itertools.chain.from_iterable(zip(*pieces, strict=True)))


def _run_bytes(run: list[tuple[str, np.ndarray]], rows: int, *, as_list: bool) -> bytes | list:
    """Consecutive non-NULL fixed columns as one structured array (length words included)."""
    if not run:
        return [b""] * rows
    layout: list[tuple[str, object]] = []
    for name, values in run:
        if name != "n":
            layout.append((f"l{name}", ">i4"))
        layout.append((name, values.dtype))
    packed = np.empty(rows, dtype=layout)
    for name, values in run:
        if name != "n":
            packed[f"l{name}"] = values.dtype.itemsize
        packed[name] = values
    if not as_list:
        return packed.tobytes()
    return packed.view(np.dtype((np.void, packed.dtype.itemsize))).tolist()


def _with_length(item: Field) -> list[bytes]:
    if isinstance(item, Variable):
        return [NULL_FIELD if v is None else _LENGTH(len(v)) + v for v in item.values]
    size = item.values.dtype.itemsize
    packed = np.empty(len(item.values), dtype=[("l", ">i4"), ("v", item.values.dtype)])
    packed["l"] = size
    packed["v"] = item.values
    out = packed.view(np.dtype((np.void, packed.dtype.itemsize))).tolist()
    assert item.nulls is not None
    for row in np.flatnonzero(item.nulls):
        out[row] = NULL_FIELD
    return out


# --- values of the common types ------------------------------------------------------------


def timestamps(unix_us: np.ndarray) -> np.ndarray:
    """``timestamptz`` / ``timestamp`` from microseconds since the Unix epoch."""
    return (unix_us - PG_EPOCH_US).astype(">i8")


def dates(unix_days: np.ndarray) -> np.ndarray:
    """``date`` from days since the Unix epoch."""
    return (unix_days - PG_EPOCH_DAYS).astype(">i4")


def uuids(random_bytes: bytes) -> np.ndarray:
    """Version-4 uuids from 16 random bytes each."""
    raw = np.frombuffer(random_bytes, dtype=np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw.view("V16").reshape(-1)


def numerics(scaled: np.ndarray, scale: int) -> np.ndarray:
    """``numeric`` values ``scaled / 10**scale`` (|value| < 10**12, scale ≤ 4) in one fixed
    layout of four base-10000 digits; the server strips the zero digits on receipt."""
    scale = min(scale, 4)
    magnitude = np.abs(scaled).astype(np.int64)
    whole, frac = np.divmod(magnitude, 10**scale)
    out = np.empty(len(scaled), dtype=[("h", ">i2", 4), ("d", ">i2", 4)])
    out["h"][:, 0] = 4
    out["h"][:, 1] = 2
    out["h"][:, 2] = np.where(scaled < 0, 0x4000, 0)
    out["h"][:, 3] = scale
    out["d"][:, 0] = (whole // 100_000_000) % 10_000
    out["d"][:, 1] = (whole // 10_000) % 10_000
    out["d"][:, 2] = whole % 10_000
    out["d"][:, 3] = frac * 10 ** (4 - scale)
    return out.view("V16").reshape(-1)


def inets(addresses: np.ndarray) -> np.ndarray:
    """``inet`` host addresses (IPv4, /32) from 32-bit integers."""
    out = np.empty(len(addresses), dtype=[("h", "u1", 4), ("a", ">u4")])
    out["h"] = (2, 32, 0, 4)
    out["a"] = addresses
    return out.view("V8").reshape(-1)


def text_array(items: Sequence[bytes], element_oid: int) -> bytes:
    """A one-dimensional array of already-encoded elements (no NULL elements)."""
    if not items:
        return struct.pack(">iiI", 0, 0, element_oid)
    head = struct.pack(">iiIii", 1, 0, element_oid, len(items), 1)
    return head + b"".join(_LENGTH(len(v)) + v for v in items)
