"""Benchmark: `pgvet data` loading a narrow table, against PostgreSQL's own COPY FROM.

On one sandbox (PostgreSQL 15 where installed), the same narrow table
``(id int8 primary key, tenant_id uuid, created_at timestamptz, amount int4, active bool)``
is loaded with N rows four ways, each into a fresh copy of the table, median of --runs:
  * floor        — COPY FROM STDIN of a pre-generated file (text format, made before the
                   clock starts): what PostgreSQL itself loads on this machine;
  * floor-binary — the same rows as a pre-generated binary COPY file;
  * pgvet        — pgvet's generator end to end: values made with numpy, encoded as whole
                   columns (data/binary.py), binary COPY — generation inside the clock;
  * write_row    — the same values sent with psycopg's row-by-row ``copy.write_row``
                   (binary), encoding inside the clock.
Goal: pgvet at 1M rows/s, or at least the text floor measured in the same run (exit
status 1 when it is below both).

Usage: python bench/data.py [--rows 1000000] [--runs 3] [--pg-version 15]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

import numpy as np
import psycopg

from pgvet.catalog import read_catalog
from pgvet.data.load import fill
from pgvet.data.plan import Scale
from pgvet.data.usage import Usage
from pgvet.sandbox import binaries, cluster

GOAL = 1_000_000
TABLE = """create table narrow (id int8 primary key, tenant_id uuid not null,
  created_at timestamptz not null, amount int4 not null, active bool not null)"""


def fresh(conn: psycopg.Connection) -> None:
    conn.execute("drop table if exists narrow")
    conn.execute(TABLE)
    conn.execute("checkpoint")


def timed(conn: psycopg.Connection, load) -> float:
    fresh(conn)
    started = time.perf_counter()
    load()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-version", type=int, default=15)
    args = parser.parse_args()
    n = args.rows
    installation, _warning = binaries.choose(args.pg_version)
    prepared = cluster.prepare(installation)
    rng = np.random.default_rng(1)
    ids = np.arange(1, n + 1)
    tenants = [f"{i:08x}-0000-4000-8000-000000000000" for i in rng.integers(0, 50, n)]
    moments = rng.integers(1_600_000_000, 1_700_000_000, n)
    amounts = rng.integers(0, 10_000, n)
    active = rng.random(n) < 0.8
    text_file = "".join(
        f"{i}\t{t}\t{m}\t{a}\t{'t' if b else 'f'}\n"
        for i, t, m, a, b in zip(
            ids,
            tenants,
            [time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(m)) for m in moments],
            amounts,
            active,
            strict=True,
        )
    ).encode()
    with cluster.sandbox(prepared) as server, server.admin() as conn:
        conn.autocommit = True
        fresh(conn)
        catalog = read_catalog(conn)

        def floor() -> None:
            with conn.cursor().copy("copy narrow from stdin") as copy:
                for start in range(0, len(text_file), 1 << 20):
                    copy.write(text_file[start : start + (1 << 20)])

        binary_file = io.BytesIO()
        floor_seconds = [timed(conn, floor) for _ in range(args.runs)]
        with conn.cursor().copy("copy narrow to stdout (format binary)") as copy:
            for block in copy:
                binary_file.write(block)
        binary_bytes = binary_file.getvalue()

        def floor_binary() -> None:
            with conn.cursor().copy("copy narrow from stdin (format binary)") as copy:
                for start in range(0, len(binary_bytes), 1 << 20):
                    copy.write(binary_bytes[start : start + (1 << 20)])

        def pgvet() -> float:
            """Seconds of generation and COPY (not the final vacuum analyze)."""
            fresh(conn)
            result = fill(
                conn,
                catalog,
                Scale(n),
                usage=Usage(),
                tenant_columns=(),
                only={("public", "narrow")},
                chunk_rows=250_000,
            )
            assert result.rows == n, result.tables
            return result.tables[0].seconds

        stamps = [datetime.fromtimestamp(int(m), UTC) for m in moments]
        uuids = [uuid.UUID(t) for t in tenants]

        def write_row() -> None:
            rows = zip(ids.tolist(), uuids, stamps, amounts.tolist(), active.tolist(), strict=True)
            with conn.cursor().copy(
                "copy narrow (id, tenant_id, created_at, amount, active) from stdin (format binary)"
            ) as copy:
                copy.set_types(["int8", "uuid", "timestamptz", "int4", "bool"])
                for row in rows:
                    copy.write_row(row)

        binary_seconds = [timed(conn, floor_binary) for _ in range(args.runs)]
        pgvet_seconds = [pgvet() for _ in range(args.runs)]
        write_seconds = [timed(conn, write_row) for _ in range(args.runs)]
    print(
        f"{n:,} rows of a narrow table (5 columns, primary key), {installation.label}, "
        f"median of {args.runs}"
    )
    rates = {}
    for name, seconds in (
        ("floor: COPY of a pre-generated text file", floor_seconds),
        ("floor-binary: COPY of a pre-generated binary file", binary_seconds),
        ("pgvet data: generate + encode + binary COPY", pgvet_seconds),
        ("psycopg write_row (binary)", write_seconds),
    ):
        median = statistics.median(seconds)
        rates[name] = n / median
        print(f"  {name:<52} {median:7.3f} s  {n / median:>12,.0f} rows/s")
    ours = rates["pgvet data: generate + encode + binary COPY"]
    floor_rate = rates["floor: COPY of a pre-generated text file"]
    print(
        f"pgvet / text floor: {ours / floor_rate:.2f}; "
        f"pgvet / write_row: {ours / rates['psycopg write_row (binary)']:.2f}"
    )
    return 0 if ours >= min(GOAL, floor_rate) else 1


if __name__ == "__main__":
    sys.exit(main())
