"""Fill a replayed sandbox with generated rows: binary COPY, chunk by chunk, with progress.

Rows are loaded as pgvet's superuser with ``session_replication_role = replica``, as
``pg_restore --disable-triggers`` does: user triggers (a sign-up trigger that inserts a
profile, an audit trigger) do not add rows of their own, and foreign keys, which pgvet
guarantees itself, are not checked row by row; they are all checked at the end, one query
per foreign key, and any violation is reported. Checks, NOT NULL and unique keys are
enforced as usual: a chunk PostgreSQL rejects is rolled back, the columns named by the
error move to their next stage (see :mod:`pgvet.data.columns`) and the chunk is made again.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import psycopg
from psycopg import errors, sql
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from pgvet.catalog.model import Catalog, Column, Constraint, QualifiedName, Table
from pgvet.data import binary
from pgvet.data.constraints import TypeInfo, check_value_lists
from pgvet.data.facts import TypeFacts, binary_constant, column_facts
from pgvet.data.generate import Chunk, Keys, TableGenerator, Unfillable
from pgvet.data.like import shapers_for
from pgvet.data.plan import (
    AUTH_CONSTANTS,
    AUTH_USERS,
    Plan,
    Scale,
    TablePlan,
    auth_users_table,
    fillable,
    make_plan,
)
from pgvet.data.text import vocabulary
from pgvet.data.usage import Usage
from pgvet.live.distributions import LiveShape
from pgvet.rls.values import Counter, materialize, typed_candidates

CHUNK_ROWS = 50_000
#: attempts at one chunk before the table is given up
MAX_ATTEMPTS = 24
#: typed candidates tried per column
MAX_CONSTANTS = 6
#: the generated period: this many days up to today
PERIOD_DAYS = 3 * 365
DAY_US = 86_400_000_000


@dataclass
class TableResult:
    """What happened to one table."""

    schema: str
    name: str
    requested: int
    rows: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    adjusted: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


@dataclass
class FillResult:
    """Every table's outcome, the foreign keys checked and any that do not hold."""

    tables: list[TableResult]
    seconds: float
    foreign_keys_checked: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


class _RowRate(ProgressColumn):
    """Rows per second of the task (rich's own speed columns are for bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>10,.0f} rows/s", style="progress.data.speed")


def fill(
    conn: psycopg.Connection,
    catalog: Catalog,
    scale: Scale,
    *,
    usage: Usage,
    tenant_columns: tuple[str, ...],
    seed: int = 0,
    console: Console | None = None,
    chunk_rows: int = CHUNK_ROWS,
    only: set[QualifiedName] | None = None,
    like: LiveShape | None = None,
) -> FillResult:
    """Generate and load rows into every table of ``catalog`` on ``conn`` (a superuser
    connection to the sandbox), then check every foreign key and analyze the tables.
    ``only`` limits the filling to those tables (their parents must be among them);
    ``like`` reshapes the columns a live database has statistics for (``--like``)."""
    started = time.perf_counter()
    conn.autocommit = True
    conn.execute("set session_replication_role = replica")
    tables = fillable(catalog)
    auth = _auth_users(conn)
    if auth is not None:
        tables = [auth, *tables]
    if only is not None:
        tables = [t for t in tables if t.key in only]
    plan = make_plan(catalog, tables, scale, tenant_columns)
    facts = _facts(conn, tables)
    rng = np.random.default_rng(seed)
    end = (int(time.time() * 1_000_000) // DAY_US) * DAY_US
    loader = _Loader(conn, catalog, plan, facts, usage, rng, (end - PERIOD_DAYS * DAY_US, end))
    loader.like = like
    results = []
    with _progress(console, sum(p.rows for p in plan.tables)) as progress:
        total = progress.add_task("generating", total=sum(p.rows for p in plan.tables))
        for table_plan in plan.tables:
            result = loader.load(table_plan, chunk_rows, lambda n: progress.advance(total, n))
            progress.update(total, description=f"{table_plan.table.name[:32]}")
            results.append(result)
    loaded = {r.key for r in results if r.rows}
    _fill_deferred(conn, plan.deferred, loaded)
    _set_sequences(conn, catalog, [p.table for p in plan.tables if p.table.key in loaded])
    checked, violations = check_foreign_keys(conn, catalog, loaded)
    status = console.status("analyzing…") if console else contextlib.nullcontext()
    with status:
        for key in sorted(loaded):
            conn.execute(sql.SQL("vacuum analyze {}").format(sql.Identifier(*key)))
    conn.execute("reset session_replication_role")
    return FillResult(results, time.perf_counter() - started, checked, violations)


def _auth_users(conn: psycopg.Connection) -> Table | None:
    found = conn.execute("select to_regclass('auth.users') is not null").fetchone()
    return auth_users_table(conn) if found and found[0] else None


def _facts(
    conn: psycopg.Connection, tables: list[Table]
) -> dict[QualifiedName, dict[str, TypeFacts]]:
    out: dict[QualifiedName, dict[str, TypeFacts]] = {}
    for schema in sorted({t.schema for t in tables}):
        for (table, column), facts in column_facts(conn, schema).items():
            out.setdefault((schema, table), {})[column] = facts
    return out


class _Loader:
    """Loads one table after the other, remembering the keys children will need."""

    def __init__(
        self,
        conn: psycopg.Connection,
        catalog: Catalog,
        plan: Plan,
        facts: dict[QualifiedName, dict[str, TypeFacts]],
        usage: Usage,
        rng: np.random.Generator,
        period: tuple[int, int],
    ) -> None:
        self.conn = conn
        self.catalog = catalog
        self.plan = plan
        self.facts = facts
        self.usage = usage
        self.rng = rng
        self.period = period
        self.words = vocabulary(usage.search_words)
        self.loaded: dict[QualifiedName, Keys] = {}
        self.counter = Counter()
        self.pools: dict[str, list[str]] = {}
        self._constants: dict[tuple[QualifiedName, str, int], bytes | None] = {}
        self.like: LiveShape | None = None

    def load(self, table_plan: TablePlan, chunk_rows: int, advance) -> TableResult:
        table = table_plan.table
        result = TableResult(table.schema, table.name, table_plan.rows)
        started = time.perf_counter()
        generator = TableGenerator(
            catalog=self.catalog,
            plan=table_plan,
            facts=self.facts.get(table.key, {}),
            loaded=self.loaded,
            usage=self.usage,
            rng=self.rng,
            period=self.period,
            words=self.words,
            root=self.plan.root,
            tenant_columns=self.plan.tenant_columns,
            deferred=self.plan.deferred,
            constants=lambda col, index: self._constant(table, col, index),
            overrides=AUTH_CONSTANTS if table.key == AUTH_USERS else {},
            pools=self.pools,
        )
        live = self.like.tables.get(table.key) if self.like is not None else None
        if live is not None and live.columns:
            generator.shapers = shapers_for(
                self.conn,
                live.columns,
                list(table.columns),
                generator.facts,
                generator.constrained(),
                table_plan.rows,
            )
        base = self._existing_max(table, generator)
        keys: list[dict] = []
        tenants: list[np.ndarray] = []
        try:
            for offset in range(0, table_plan.rows, chunk_rows):
                rows = min(chunk_rows, table_plan.rows - offset)
                chunk = self._load_chunk(generator, rows, base + offset, result)
                keys.append(chunk.keys)
                if chunk.tenant is not None:
                    tenants.append(chunk.tenant)
                result.rows += chunk.rows
                self._remember(table, keys, tenants, result.rows)
                advance(rows)
        except Unfillable as exc:
            result.skipped = str(exc)
            self.conn.execute(sql.SQL("delete from {}").format(sql.Identifier(*table.key)))
            result.rows = 0
            self.loaded.pop(table.key, None)
            advance(table_plan.rows - min(table_plan.rows, result.rows))
        result.seconds = time.perf_counter() - started
        return result

    def _existing_max(self, table: Table, generator: TableGenerator) -> int:
        """Row numbers start after rows the migrations inserted, so numbered keys and
        codes do not collide with theirs."""
        found = self.conn.execute(
            sql.SQL("select count(*) from {}").format(sql.Identifier(*table.key))
        ).fetchone()
        existing = int(found[0]) if found else 0
        if not existing:
            return 0
        for key in generator.uniques:  # keys the migrations' rows already hold
            if not any(c in generator.distinct for c in key):
                query = sql.SQL("select {} from {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, key)), sql.Identifier(*table.key)
                )
                with self.conn.cursor(binary=True) as cur:
                    held = cur.execute(query).fetchall()
                generator.seen.setdefault(key, set()).update(map(tuple, held))
        base = existing
        for name in generator.distinct:
            facts = generator.facts.get(name)
            if facts is not None and facts.base in ("int2", "int4", "int8"):
                top = self.conn.execute(
                    sql.SQL("select coalesce(max({}), 0) from {}").format(
                        sql.Identifier(name), sql.Identifier(*table.key)
                    )
                ).fetchone()
                base = max(base, int(top[0]) if top else 0)
        return base

    def _remember(
        self, table: Table, keys: list[dict], tenants: list[np.ndarray], rows: int
    ) -> None:
        columns = {}
        for name in keys[0]:
            parts = [k[name] for k in keys]
            columns[name] = (
                np.concatenate(parts)
                if isinstance(parts[0], np.ndarray)
                else list(itertools.chain.from_iterable(parts))
            )
        tenant = np.concatenate(tenants) if tenants else None
        self.loaded[table.key] = Keys(columns, tenant, rows)

    def _load_chunk(
        self, generator: TableGenerator, rows: int, offset: int, result: TableResult
    ) -> Chunk:
        last = ""
        for _attempt in range(MAX_ATTEMPTS):
            chunk = generator.chunk(rows, offset)
            if chunk.rows == 0:
                return chunk
            try:
                with self.conn.transaction():
                    copy_rows(self.conn, generator.table, chunk.names, chunk.fields, chunk.rows)
                return chunk
            except psycopg.Error as exc:
                last = _first_line(exc)
                if not _adjust(generator, exc, result):
                    break
        raise Unfillable(f"PostgreSQL rejected every attempt: {last}")

    def _constant(self, table: Table, col: Column, index: int) -> bytes | None:
        """The ``index``-th typed candidate of the RLS fixture for ``col``, in binary."""
        cache = (table.key, col.name, index)
        if cache in self._constants:
            return self._constants[cache]
        facts = self.facts[table.key][col.name]
        info = TypeInfo(facts.typtype, facts.category, facts.base)
        enum = self.catalog.enum(col.type_schema, col.type_name)
        candidates = typed_candidates(
            col,
            info,
            check_value_lists(self.catalog, table),
            enum.values if enum else None,
            "data",
            self.counter,
        )
        if table.key == AUTH_USERS and col.name in AUTH_CONSTANTS:
            candidates = [AUTH_CONSTANTS[col.name]]
        value = None
        for candidate in candidates[index:]:
            try:
                value = binary_constant(self.conn, str(materialize(candidate)), col.type)
                break
            except psycopg.Error:
                continue
        self._constants[cache] = value
        return value


def _adjust(generator: TableGenerator, exc: psycopg.Error, result: TableResult) -> bool:
    """Move the columns PostgreSQL named to their next stage; False when nothing is left
    to try."""
    table = generator.table
    diag = exc.diag
    if isinstance(exc, errors.UniqueViolation):
        cols = _constraint_columns(generator, diag.constraint_name)
        new = [c for c in cols if c not in generator.distinct]
        if not new:
            return False
        generator.distinct.add(new[-1])
        result.adjusted[new[-1]] = "made distinct"
        return True
    if isinstance(exc, errors.CheckViolation):
        cols = _constraint_columns(generator, diag.constraint_name) or (
            [diag.column_name] if diag.column_name else []
        )
    elif diag.column_name:
        cols = [diag.column_name]
    else:  # no column named (numeric overflow, a bad value): the first suspect left
        numeric = exc.sqlstate == "22003"
        cols = [
            c.name
            for c in reversed(table.columns)
            if generator.stage.get(c.name, 0) == 0
            and (f := generator.facts.get(c.name)) is not None
            and (f.category == "N" or not numeric)
        ][:1]
    for name in reversed(cols):  # an odometer over the columns' stages, last one first
        col = table.column(name)
        if col is None or name in generator.fk_columns:
            continue
        stage = _next_stage(generator, col, generator.stage.get(name, 0))
        if stage is None:
            generator.stage[name] = 0
            result.adjusted.pop(name, None)
            continue
        generator.stage[name] = stage
        result.adjusted[name] = "NULL" if stage == 1 else f"constant #{stage - 1}"
        return True
    return False


def _next_stage(generator: TableGenerator, col: Column, stage: int) -> int | None:
    """After generated values: NULL (when allowed), then the typed candidates; a column
    that must stay distinct gets no constants."""
    stage += 1
    if stage == 1 and col.not_null:
        stage = 2
    if stage >= 2 and col.name in generator.distinct:
        return None
    return stage if stage < 2 + MAX_CONSTANTS else None


def _constraint_columns(generator: TableGenerator, name: str | None) -> list[str]:
    table = generator.table
    for con in generator.catalog.constraints_of(table.schema, table.name):
        if con.name == name:
            return list(con.columns)
    for idx in generator.catalog.indexes_of(table.schema, table.name):
        if idx.name == name:
            return [c for c in idx.columns if c] or [
                n for n in table.column_names if any(n in e for e in idx.expressions)
            ]
    return []


def copy_rows(
    conn: psycopg.Connection, table: Table, names: list[str], fields: list, rows: int
) -> None:
    """One binary COPY of pre-encoded rows."""
    query = sql.SQL("copy {} ({}) from stdin (format binary)").format(
        sql.Identifier(*table.key), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    payload = binary.encode_rows(fields, rows)
    with conn.cursor().copy(query) as copy:
        copy.write(binary.HEADER)
        copy.write(payload)
        copy.write(binary.TRAILER)


def _fill_deferred(conn: psycopg.Connection, deferred: list[Constraint], loaded: set) -> None:
    """Foreign keys that closed a cycle were loaded NULL: point most rows at a parent now."""
    for fk in deferred:
        parent = (fk.ref_schema or "public", fk.ref_table or "")
        if (fk.schema, fk.table) not in loaded or parent not in loaded or len(fk.columns) != 1:
            continue
        query = sql.SQL(
            "with p as (select {ref} as ref, row_number() over () as rn from {parent}), "
            "n as (select count(*) as n from p), "
            "c as (select t.ctid as id, 1 + floor(random() * n.n)::int8 as rn from {child} t, n "
            "      where random() < 0.7) "
            "update {child} t set {col} = p.ref from c join p using (rn) where t.ctid = c.id"
        ).format(
            ref=sql.Identifier(fk.ref_columns[0]),
            parent=sql.Identifier(*parent),
            child=sql.Identifier(fk.schema, fk.table),
            col=sql.Identifier(fk.columns[0]),
        )
        conn.execute(query)


def _set_sequences(conn: psycopg.Connection, catalog: Catalog, tables: list[Table]) -> None:
    """Sequences behind serial and identity columns continue after the generated keys."""
    for table in tables:
        for col in table.columns:
            if not (col.identity or (col.default and "nextval(" in col.default)):
                continue
            conn.execute(
                sql.SQL(
                    "select setval(s, coalesce((select max({c}) from {t}), 0) + 1, false) "
                    "from pg_get_serial_sequence(%s, %s) s where s is not null"
                ).format(c=sql.Identifier(col.name), t=sql.Identifier(*table.key)),
                (f'"{table.schema}"."{table.name}"', col.name),
            )


def check_foreign_keys(
    conn: psycopg.Connection, catalog: Catalog, loaded: set[QualifiedName]
) -> tuple[int, list[str]]:
    """Every foreign key of the filled tables, checked with one anti-join each."""
    checked = 0
    violations = []
    for fk in catalog.foreign_keys:
        if (fk.schema, fk.table) not in loaded:
            continue
        pairs = list(zip(fk.columns, fk.ref_columns, strict=True))
        query = sql.SQL(
            "select count(*) from {child} c where {present} and not exists "
            "(select 1 from {parent} p where {match})"
        ).format(
            child=sql.Identifier(fk.schema, fk.table),
            parent=sql.Identifier(fk.ref_schema or "public", fk.ref_table or ""),
            present=sql.SQL(" and ").join(
                sql.SQL("c.{} is not null").format(sql.Identifier(c)) for c, _r in pairs
            ),
            match=sql.SQL(" and ").join(
                sql.SQL("p.{} = c.{}").format(sql.Identifier(r), sql.Identifier(c))
                for c, r in pairs
            ),
        )
        found = conn.execute(query).fetchone()
        checked += 1
        if found and found[0]:
            violations.append(f"{fk.schema}.{fk.table}.{fk.name}: {found[0]} rows")
    return checked, violations


@contextlib.contextmanager
def _progress(console: Console | None, total: int) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("[progress.description]{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RowRate(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=console is None or not console.is_terminal or total < 1,
    )
    with progress:
        yield progress


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    state = getattr(exc, "sqlstate", None) or ""
    return f"{state} {text.splitlines()[0] if text else type(exc).__name__}".strip()
