"""Read a live database's figures: one query per kind, in one read-only transaction.

One transaction gives one snapshot of the statistics (``stats_fetch_consistency =
snapshot``, see :data:`pgvet.inspect.queries.SESSION`), so the hit rates, scans and sizes
printed together were read together. Figures that need an extension or a privilege the
role may lack (pg_stat_statements, pgstattuple) are read in a savepoint: when they fail,
the inspection goes on and says why in ``notes``.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from pgvet.inspect import bloat, queries
from pgvet.inspect.latency import percentile_bounds
from pgvet.inspect.model import (
    Bloat,
    Index,
    Inspection,
    Replica,
    Sequence,
    Server,
    Session,
    Slot,
    Statement,
    Table,
)
from pgvet.inspect.settings import InspectSettings, like_patterns

_TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}
_LITERAL = re.compile(r"'(?:[^']|'')*'")


def mask_literals(query: str) -> str:
    """A session's query with its string literals replaced by ``'…'``: pg_stat_activity
    holds the raw text, literals (emails, tokens) included, and a report is no place for it."""
    return _LITERAL.sub("'…'", query)


def _reloption(options: list[str], name: str) -> str | None:
    prefix = f"{name}="
    return next((o[len(prefix) :] for o in options if o.startswith(prefix)), None)


def _server(conn: psycopg.Connection) -> Server:
    row = conn.execute(queries.SERVER).fetchone()
    assert row is not None
    (
        db,
        version,
        num,
        size,
        started,
        now,
        reset,
        window,
        uptime,
        recovery,
        max_conn,
        reserved,
        autovacuum,
        threshold,
        scale,
        block,
        hit,
        read,
        commits,
        rollbacks,
        deadlocks,
        temp,
        xid,
        mxid,
        cluster_xid,
        extensions,
    ) = row
    return Server(
        db,
        version,
        num,
        size,
        started,
        now,
        reset,
        float(window),
        float(uptime),
        recovery,
        max_conn,
        reserved,
        autovacuum == "on",
        threshold,
        scale,
        block,
        hit or 0,
        read or 0,
        commits or 0,
        rollbacks or 0,
        deadlocks or 0,
        temp or 0,
        xid or 0,
        mxid or 0,
        cluster_xid or 0,
        dict(extensions),
    )


def _table(row: tuple[Any, ...], server: Server) -> Table:
    (
        schema,
        name,
        reltuples,
        relpages,
        heap,
        toast,
        idx,
        live,
        dead,
        seq,
        seq_read,
        idx_scan,
        idx_fetch,
        writes,
        mod,
        last_vac,
        last_autovac,
        last_an,
        last_autoan,
        hh,
        hr,
        ih,
        ir,
        xid,
        mxid,
        options,
        exact,
    ) = row
    threshold = _reloption(options, "autovacuum_vacuum_threshold")
    scale = _reloption(options, "autovacuum_vacuum_scale_factor")
    trigger = (float(threshold) if threshold else server.vacuum_threshold) + (
        float(scale) if scale else server.vacuum_scale_factor
    ) * max(reltuples, 0)
    enabled = server.autovacuum and _reloption(options, "autovacuum_enabled") not in (
        "false",
        "off",
        "0",
        "no",
    )
    return Table(
        schema,
        name,
        reltuples,
        relpages,
        heap,
        toast,
        idx,
        live or 0,
        dead or 0,
        seq or 0,
        seq_read or 0,
        idx_scan or 0,
        idx_fetch or 0,
        writes or 0,
        mod or 0,
        last_vac,
        last_autovac,
        last_an,
        last_autoan,
        hh or 0,
        hr or 0,
        ih or 0,
        ir or 0,
        xid or 0,
        mxid or 0,
        trigger,
        enabled,
        exact,
    )


def _index(row: tuple[Any, ...]) -> Index:
    (
        schema,
        table,
        name,
        size,
        reltuples,
        relpages,
        method,
        scans,
        tup_read,
        hit,
        read,
        unique,
        primary,
        valid,
        constraint,
        expr,
        columns,
        definition,
        exact,
    ) = row
    return Index(
        schema,
        table,
        name,
        size,
        reltuples,
        relpages,
        method,
        scans or 0,
        tup_read or 0,
        hit or 0,
        read or 0,
        unique,
        primary,
        valid,
        constraint,
        expr,
        tuple(columns or ()),
        definition,
        exact,
    )


def _sequence(row: tuple[Any, ...]) -> Sequence:
    schema, name, low, high, step, cycle, last, table, column, typ = row
    high = min(high, _TYPE_MAX.get(typ or "", high)) if step > 0 else high
    low = max(low, -_TYPE_MAX.get(typ or "", -low) - 1) if step < 0 else low
    where = f"{table}.{column}" if table else None
    return Sequence(schema, name, last, low, high, step, cycle, where, typ)


def _statements(
    conn: psycopg.Connection, schema: str, top: int
) -> tuple[tuple[Statement, ...], Any]:
    ext = sql.Identifier(schema).as_string(conn)
    rows = conn.execute(queries.STATEMENTS.format(schema=ext), {"top": top}).fetchall()
    out = []
    for qid, text, calls, total, mean, std, low, high, nrows, hit, read, all_time in rows:
        out.append(
            Statement(
                qid or 0,
                text or "",
                calls,
                total,
                mean,
                std,
                low,
                high,
                nrows,
                hit,
                read,
                total / all_time if all_time else 0.0,
                percentile_bounds(0.95, mean, std, low, high),
                percentile_bounds(0.99, mean, std, low, high),
            )
        )
    reset = None
    with conn.transaction():
        info = conn.execute(queries.STATEMENTS_INFO.format(schema=ext)).fetchone()
        reset = info[0] if info else None
    return tuple(out), reset


def _optional(conn: psycopg.Connection, notes: dict[str, str], kind: str, fn: Any) -> Any:
    """``fn()`` in a savepoint; its failure (a missing privilege) becomes a note."""
    try:
        with conn.transaction():
            return fn()
    except psycopg.errors.QueryCanceled:
        raise
    except psycopg.Error as exc:
        notes[kind] = f"not read: {exc.diag.message_primary or exc}"
        return None


def read_inspection(conn: psycopg.Connection, settings: InspectSettings) -> Inspection:
    """Every figure of the database ``conn`` is connected to (read-only)."""
    params = {"excluded": like_patterns(settings.exclude_schemas), "exact": settings.exact_sizes}
    notes: dict[str, str] = {}
    with conn.transaction():
        conn.execute("set transaction read only")
        conn.execute(queries.SESSION)
        server = _server(conn)
        tables = tuple(_table(r, server) for r in conn.execute(queries.TABLES, params))
        indexes = tuple(_index(r) for r in conn.execute(queries.INDEXES, params))
        stats = bloat.column_stats(conn.execute(queries.COLUMN_STATS, params).fetchall())
        estimates = [
            b
            for b in [
                *(bloat.estimate_table(t, stats, server.block_size) for t in tables),
                *(bloat.estimate_index(i, stats, server.block_size) for i in indexes),
            ]
            if b is not None
        ]
        found_bloat = _bloat(conn, server, settings, estimates, notes)
        sequences = tuple(_sequence(r) for r in conn.execute(queries.SEQUENCES, params))
        connections = {
            (role, state): n for role, state, n in conn.execute(queries.CONNECTIONS).fetchall()
        }
        sessions = tuple(
            Session(
                pid,
                role,
                app,
                state,
                q,
                s,
                x,
                wait,
                tuple(by or ()),
                blocking,
                mask_literals(text or ""),
            )
            for pid, role, app, state, q, s, x, wait, by, blocking, text in conn.execute(
                queries.SESSIONS,
                {"long": settings.long_running, "idle": settings.idle_in_transaction},
            )
        )
        slots = tuple(Slot(*r) for r in conn.execute(queries.SLOTS).fetchall())
        replicas = tuple(Replica(*r) for r in conn.execute(queries.REPLICAS).fetchall())
        statements, reset = None, None
        schema = server.extensions.get("pg_stat_statements")
        if schema is None:
            notes["statements"] = "pg_stat_statements is not installed in this database"
        elif (
            found := _optional(
                conn, notes, "statements", lambda: _statements(conn, schema, settings.statements)
            )
        ) is not None:
            statements, reset = found
    return Inspection(
        server,
        tables,
        indexes,
        found_bloat,
        sequences,
        connections,
        sessions,
        slots,
        replicas,
        statements,
        reset,
        notes,
    )


def _bloat(
    conn: psycopg.Connection,
    server: Server,
    settings: InspectSettings,
    estimates: list[Bloat],
    notes: dict[str, str],
) -> tuple[Bloat, ...]:
    """The estimates, with those past the thresholds measured exactly where pgstattuple
    is installed (the largest ``exact_bloat_limit`` of them)."""
    candidates = [b for b in estimates if bloat.bloated(b, settings)]
    flagged = sorted(candidates, key=lambda b: -b.waste_bytes)[: settings.exact_bloat_limit]
    schema = server.extensions.get("pgstattuple")
    if not flagged or schema is None:
        return tuple(estimates)
    measured = _optional(
        conn, notes, "bloat", lambda: bloat.exact(conn, flagged, schema, server.block_size)
    )
    if not measured:
        return tuple(estimates)
    exact = {(b.kind, b.schema, b.name): b for b in measured}
    return tuple(exact.get((b.kind, b.schema, b.name), b) for b in estimates)
