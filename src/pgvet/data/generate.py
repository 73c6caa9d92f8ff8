"""Rows of one table, chunk by chunk: keys that hold, tenants that agree, values that pass.

Foreign keys pick parent rows already loaded (their key columns are kept in memory as
numpy arrays). Tenants are skewed (Zipf over the tenant table: a few big clinics, many
small ones) and *consistent*: a row first gets its tenant, from its tenant column or from
its first parent, and every other parent is then picked among that tenant's rows, so a
booking's customer, doctor and branch belong to the booking's clinic, as in production.
A self-reference points at an earlier row. Unique keys hold by construction where a column
can be made distinct (numbers, codes, e-mails, uuids), else duplicates are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pgvet.catalog.model import Catalog, Column, Constraint, QualifiedName, Table
from pgvet.data import columns
from pgvet.data.binary import Field, Fixed, Variable
from pgvet.data.constraints import (
    check_value_lists,
    column_orderings,
    exact_lengths,
    json_required_keys,
    numeric_bounds,
)
from pgvet.data.facts import TypeFacts
from pgvet.data.like import Shaper
from pgvet.data.plan import AUTH_USERS, TablePlan
from pgvet.data.text import zipf_weights
from pgvet.data.usage import Usage

#: share of NULLs in a nullable foreign key, and in a nullable self-reference
FK_NULL_SHARE = 0.3
SELF_NULL_SHARE = 0.7
#: Zipf exponent of rows per tenant
TENANT_SKEW = 1.0
_DISTINCT_TYPES = ("int2", "int4", "int8", "text", "varchar", "citext", "uuid")


class Unfillable(Exception):
    """A table pgvet cannot fill (a required parent is missing), with the reason."""


@dataclass
class Keys:
    """What children need of a loaded table: its referenced columns, all rows, and the
    tenant of each row (an index into the tenant table), with rows grouped by tenant."""

    columns: dict[str, Any]
    tenant: np.ndarray | None
    rows: int
    _groups: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def groups(self, tenants: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row numbers sorted by tenant, and where each tenant's run starts and how long."""
        if self._groups is None:
            assert self.tenant is not None
            order = np.argsort(self.tenant, kind="stable")
            counts = np.bincount(self.tenant, minlength=tenants)
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            self._groups = (order, starts, counts)
        return self._groups


@dataclass
class Chunk:
    """Generated rows ready for COPY, and what to remember once they are in."""

    names: list[str]
    fields: list[Field]
    rows: int
    keys: dict[str, Any]
    tenant: np.ndarray | None


@dataclass
class TableGenerator:
    """Generates the rows of one table; ``stage`` and ``distinct`` are moved on by the
    loader when PostgreSQL rejects a chunk."""

    catalog: Catalog
    plan: TablePlan
    facts: dict[str, TypeFacts]
    loaded: dict[QualifiedName, Keys]
    usage: Usage
    rng: np.random.Generator
    period: tuple[int, int]
    words: list[str]
    root: QualifiedName | None
    tenant_columns: tuple[str, ...]
    deferred: list[Constraint]
    constants: Callable[[Column, int], bytes | None]
    overrides: dict[str, str] = field(default_factory=dict)
    stage: dict[str, int] = field(default_factory=dict)
    distinct: set[str] = field(default_factory=set)
    pools: dict[str, list[str]] = field(default_factory=dict)
    seen: dict[tuple[str, ...], set[tuple[Any, ...]]] = field(default_factory=dict)
    shapers: dict[str, Shaper] = field(default_factory=dict)
    _permutation: np.ndarray | None = None

    def __post_init__(self) -> None:
        table = self.table
        self.fks = self.catalog.foreign_keys_of(table.schema, table.name)
        self.fk_columns = {c for fk in self.fks for c in fk.columns}
        self.uniques = _unique_sets(self.catalog, table)
        self.distinct |= self._distinct_by_construction()
        self.referenced = {
            c for fk in self.catalog.referencing(table.schema, table.name) for c in fk.ref_columns
        }

    @property
    def table(self) -> Table:
        return self.plan.table

    def copy_columns(self) -> list[Column]:
        """The columns COPY fills: not generated, and not left to their default."""
        out = []
        for col in self.table.columns:
            if col.generated:
                continue
            facts = self.facts.get(col.name)
            if facts is None:
                continue
            known = col.name in self.fk_columns or col.name in self.overrides
            if not known and self.stage.get(col.name, 0) == 0 and not self._can_make(col, facts):
                if col.default is not None or not col.not_null:
                    continue
                self.stage[col.name] = 2
            out.append(col)
        return out

    def _can_make(self, col: Column, facts: TypeFacts) -> bool:
        if self.catalog.enum(col.type_schema, col.type_name) is not None:
            return True
        if facts.category == "A":
            return facts.element in ("text", "varchar", "citext", "int2", "int4", "int8", "uuid")
        return facts.base in columns._MAKERS or facts.category == "S"

    def chunk(self, rows: int, offset: int) -> Chunk:
        """Rows ``offset`` … ``offset + rows - 1`` of the table."""
        ctx = self._context()
        generated: dict[str, columns.Generated] = {}
        tenant = self._tenants_and_parents(ctx, rows, offset, generated)
        cols = self.copy_columns()
        for col in self._column_order(cols):
            if col.name in generated:
                continue
            generated[col.name] = self._column(ctx, col, rows, offset)
            ctx.done[col.name] = generated[col.name]
        keep = self._dedupe(cols, generated, rows)
        names = [c.name for c in cols]
        fields = [generated[n].field for n in names]
        keys = {c: generated[c].raw for c in self.referenced if c in generated}
        if keep is not None:
            fields = [_take(f, keep) for f in fields]
            keys = {c: _take_raw(v, keep) for c, v in keys.items()}
            tenant = tenant[keep] if tenant is not None else None
            rows = int(keep.sum())
        return Chunk(names, fields, rows, keys, tenant)

    # -- parents and tenants --

    def _tenants_and_parents(
        self, ctx: columns.Context, rows: int, offset: int, out: dict[str, columns.Generated]
    ) -> np.ndarray | None:
        rng = self.rng
        tenant: np.ndarray | None = None
        if self.root is not None and self.table.key == self.root:
            tenant = np.arange(offset, offset + rows, dtype=np.int64)
        root_keys = self.loaded.get(self.root) if self.root is not None else None
        if root_keys is not None and not root_keys.rows:
            root_keys = None
        pending = list(self.fks)
        if root_keys is not None:
            for fk in pending:
                if (
                    _refs(fk) == self.root
                    and len(fk.columns) == 1
                    and (fk.columns[0] in self.tenant_columns)
                ):
                    weights = zipf_weights(root_keys.rows, TENANT_SKEW)
                    tenant = rng.choice(root_keys.rows, rows, p=weights)
                    self._fill(fk, root_keys, tenant, out, nullable=False)
                    pending.remove(fk)
                    break
        one = self.plan.one_to_one
        if one is not None and one in pending:
            parent = self._parent(one)
            if self._permutation is None:
                self._permutation = rng.permutation(parent.rows)
            picks = self._permutation[offset : offset + rows]
            self._fill(one, parent, picks, out, nullable=False)
            tenant = (
                parent.tenant[picks] if tenant is None and parent.tenant is not None else tenant
            )
            pending.remove(one)
        if tenant is None and root_keys is not None:
            for fk in pending:
                parent = self.loaded.get(_refs(fk))
                if (
                    parent is not None
                    and parent.rows
                    and parent.tenant is not None
                    and self._required(fk)
                ):
                    picks = rng.integers(0, parent.rows, rows)
                    tenant = parent.tenant[picks]
                    self._fill(fk, parent, picks, out, nullable=False)
                    pending.remove(fk)
                    break
        for fk in pending:
            if _refs(fk) == self.table.key:
                self._self_reference(fk, rows, offset, out)
                continue
            if fk in self.deferred:
                for c in fk.columns:
                    out[c] = _nulls_for(self.facts[c], rows)
                continue
            parent = self._parent(fk)
            if tenant is not None and parent.tenant is not None and root_keys is not None:
                picks = _within_tenant(rng, parent, tenant, root_keys.rows)
            else:
                picks = rng.integers(0, parent.rows, rows)
            self._fill(fk, parent, picks, out, nullable=not self._required(fk))
        if tenant is not None and root_keys is not None:
            self._tenant_values(root_keys, tenant, out)
        return tenant

    def _parent(self, fk: Constraint) -> Keys:
        parent = self.loaded.get(_refs(fk))
        if parent is None or parent.rows == 0:
            name = ".".join(_refs(fk))
            raise Unfillable(f"needs rows in {name}, which were not generated")
        return parent

    def _required(self, fk: Constraint) -> bool:
        return any((c := self.table.column(n)) is not None and c.not_null for n in fk.columns)

    def _fill(
        self,
        fk: Constraint,
        parent: Keys,
        picks: np.ndarray,
        out: dict[str, columns.Generated],
        *,
        nullable: bool,
    ) -> None:
        nulls = None
        if nullable:
            nulls = self.rng.random(len(picks)) < FK_NULL_SHARE
            nulls = nulls if nulls.any() else None
        for col, ref in zip(fk.columns, fk.ref_columns, strict=True):
            raw = _take_raw(parent.columns[ref], picks)
            out[col] = columns.Generated(raw, nulls, _encode_key(raw, self.facts[col], nulls))

    def _self_reference(
        self, fk: Constraint, rows: int, offset: int, out: dict[str, columns.Generated]
    ) -> None:
        """An earlier row of the same table (a reply to an older message, a parent
        category); mostly NULL where allowed. Keys of this chunk are made first."""
        rng = self.rng
        mine = self.loaded.get(self.table.key)
        own = np.arange(offset, offset + rows)
        picks = np.floor(rng.random(rows) * np.maximum(own, 1)).astype(np.int64)
        required = self._required(fk)
        nulls = None if required else rng.random(rows) < SELF_NULL_SHARE
        if nulls is not None:
            nulls |= own == 0
        for col, ref in zip(fk.columns, fk.ref_columns, strict=True):
            ref_col = self.table.column(ref)
            assert ref_col is not None
            if ref not in out:
                ctx = self._context()
                out[ref] = self._column(ctx, ref_col, rows, offset)
            here = out[ref].raw
            earlier = mine.columns.get(ref) if mine is not None else None
            pool = here if earlier is None else _concat(earlier, here)
            raw = _take_raw(pool, picks)
            out[col] = columns.Generated(raw, nulls, _encode_key(raw, self.facts[col], nulls))

    def _tenant_values(
        self, root: Keys, tenant: np.ndarray, out: dict[str, columns.Generated]
    ) -> None:
        """Tenant columns without a foreign key (a bare ``tenant_id uuid``) get the row's
        tenant key too."""
        for name in self.tenant_columns:
            col = self.table.column(name)
            if col is None or name in out or name in self.fk_columns:
                continue
            for ref_values in root.columns.values():
                facts = self.facts[name]
                if _kind(ref_values) == _kind_of(facts):
                    raw = _take_raw(ref_values, tenant)
                    out[name] = columns.Generated(raw, None, _encode_key(raw, facts, None))
                break

    # -- other columns --

    def _context(self) -> columns.Context:
        table = self.table
        start, end = self.period
        earlier = {
            later: (before, strict)
            for later, before, strict in column_orderings(self.catalog, table)
        }
        return columns.Context(
            rng=self.rng,
            start_us=start,
            end_us=end,
            words=self.words,
            pools=self.pools,
            value_lists=check_value_lists(self.catalog, table),
            bounds=numeric_bounds(self.catalog, table),
            earlier=earlier,
            json_required=json_required_keys(self.catalog, table),
            lengths=exact_lengths(self.catalog, table),
            distinct=self.distinct,
        )

    def _column_order(self, cols: list[Column]) -> list[Column]:
        """Creation times first, and a column a check orders after another after it."""
        after = {later for later, _b, _s in column_orderings(self.catalog, self.table)}
        return sorted(
            cols,
            key=lambda c: (not columns._CREATED.match(c.name.lower()), c.name in after),
        )

    def _column(
        self, ctx: columns.Context, col: Column, rows: int, offset: int
    ) -> columns.Generated:
        stage = self.stage.get(col.name, 0)
        if col.name in self.overrides and stage == 0:
            stage = 2
        if stage == 1:
            return columns.Generated([None] * rows, np.ones(rows, bool), Variable([None] * rows))
        facts = self.facts[col.name]
        if stage == 0:
            enum = self.catalog.enum(col.type_schema, col.type_name)
            made = columns.generate(
                ctx,
                col,
                facts,
                rows,
                offset,
                enum.values if enum else None,
                self.usage.shape(col.name),
            )
            if made is not None:
                shaper = self.shapers.get(col.name)
                return made if shaper is None else shaper.apply(self.rng, made, rows)
            stage = 2
        constant = self.constants(col, stage - 2)
        if constant is None:
            raise Unfillable(f"no value pgvet can make for {col.name} ({col.type})")
        return columns.Generated([constant] * rows, None, Variable([constant] * rows))

    def constrained(self) -> set[str]:
        """Columns whose values the generator must make itself (keys, foreign keys,
        unique and tenant columns, columns a check orders): ``--like`` leaves them be;
        all of ``auth.users`` (GoTrue's unique indexes are outside the catalog)."""
        if self.table.key == AUTH_USERS:
            return set(self.table.column_names)
        ordered = {
            c
            for later, before, _s in column_orderings(self.catalog, self.table)
            for c in (later, before)
        }
        unique = {c for key in self.uniques for c in key}
        return (
            self.fk_columns
            | self.referenced
            | self.distinct
            | unique
            | ordered
            | set(self.overrides)
            | (set(self.tenant_columns) if self.root is not None else set())
        )

    def _distinct_by_construction(self) -> set[str]:
        """Columns made distinct so unique keys hold without dropping rows: the one column
        of a single-column key, or the non-foreign-key number/text column of a composite
        key (``(clinic_id, customer_code)``)."""
        out = set()
        labels = check_value_lists(self.catalog, self.table)
        for cols in self.uniques:
            free = [
                c
                for c in cols
                if c not in self.fk_columns
                and c not in labels
                and (f := self.facts.get(c)) is not None
                and f.base in _DISTINCT_TYPES
                and not self.catalog.enum(*_type_key(self.table, c))
            ]
            if free:
                out.add(free[-1])
        return out

    def _dedupe(
        self, cols: list[Column], generated: dict[str, columns.Generated], rows: int
    ) -> np.ndarray | None:
        """Drop rows whose unique key repeats one already made (in this chunk or before)."""
        keep: np.ndarray | None = None
        present = {c.name for c in cols}
        for key in self.uniques:
            if any(c in self.distinct for c in key) or not set(key) <= present:
                continue
            seen = self.seen.setdefault(key, set())
            raws = [_hashable(generated[c]) for c in key]
            mask = np.ones(rows, bool)
            for row, values in enumerate(zip(*raws, strict=True)):
                if None in values:
                    continue
                if values in seen:
                    mask[row] = False
                else:
                    seen.add(values)
            if not mask.all():
                keep = mask if keep is None else keep & mask
        return keep


def _within_tenant(
    rng: np.random.Generator, parent: Keys, tenant: np.ndarray, tenants: int
) -> np.ndarray:
    """For each row, a parent row of the same tenant (any parent row when that tenant has
    none)."""
    order, starts, counts = parent.groups(tenants)
    mine = counts[tenant]
    offsets = np.floor(rng.random(len(tenant)) * np.maximum(mine, 1)).astype(np.int64)
    picks = order[np.minimum(starts[tenant] + offsets, len(order) - 1)]
    empty = mine == 0
    if empty.any():
        picks[empty] = rng.integers(0, parent.rows, int(empty.sum()))
    return picks


def _refs(fk: Constraint) -> QualifiedName:
    return (fk.ref_schema or "public", fk.ref_table or "")


def _type_key(table: Table, name: str) -> tuple[str, str]:
    col = table.column(name)
    assert col is not None
    return (col.type_schema, col.type_name)


def _unique_sets(catalog: Catalog, table: Table) -> list[tuple[str, ...]]:
    """Column sets that must be unique: keys, unique constraints and unique indexes (partial
    ones too, to be safe; expression keys by the columns they name)."""
    out: list[tuple[str, ...]] = []
    for con in catalog.constraints_of(table.schema, table.name):
        if con.kind in ("primary", "unique") and con.columns not in out:
            out.append(con.columns)
    for idx in catalog.indexes_of(table.schema, table.name):
        if not idx.unique:
            continue
        cols = tuple(
            c if c is not None else n
            for c, expr in zip(idx.columns, idx.expressions, strict=True)
            for n in ([None] if c is not None else [_named(table, expr)])
            if (c or n)
        )
        cols = tuple(c for c in cols if c)
        if cols and cols not in out:
            out.append(cols)
    return out


def _named(table: Table, expression: str) -> str | None:
    """The first column of ``table`` an index expression names (``lower(email)``)."""
    for name in table.column_names:
        if name in expression.replace('"', " ").replace("(", " ").replace(")", " ").split():
            return name
    return None


def _nulls_for(facts: TypeFacts, rows: int) -> columns.Generated:
    return columns.Generated([None] * rows, np.ones(rows, bool), Variable([None] * rows))


def _kind(raw: Any) -> str:
    if isinstance(raw, np.ndarray):
        return "uuid" if raw.dtype.kind == "V" else "int"
    return "text"


def _kind_of(facts: TypeFacts) -> str:
    if facts.base == "uuid":
        return "uuid"
    if facts.base in ("int2", "int4", "int8"):
        return "int"
    return "text"


def _encode_key(raw: Any, facts: TypeFacts, nulls: np.ndarray | None) -> Field:
    """A key value copied from a parent, in the child column's own type."""
    if isinstance(raw, np.ndarray) and raw.dtype.kind == "V":
        return Fixed(raw, nulls)
    if isinstance(raw, np.ndarray):
        dtype = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}.get(facts.base, ">i8")
        return Fixed(raw.astype(dtype), nulls)
    values: list[bytes | None] = [None if v is None else str(v).encode() for v in raw]
    if nulls is not None:
        for row in np.flatnonzero(nulls):
            values[row] = None
    return Variable(values)


def _take_raw(raw: Any, picks: np.ndarray) -> Any:
    if isinstance(raw, np.ndarray):
        return raw[picks]
    return [raw[i] for i in (np.flatnonzero(picks) if picks.dtype == bool else picks)]


def _concat(first: Any, second: Any) -> Any:
    if isinstance(first, np.ndarray):
        return np.concatenate([first, second])
    return list(first) + list(second)


def _take(item: Field, keep: np.ndarray) -> Field:
    if isinstance(item, Fixed):
        return Fixed(item.values[keep], item.nulls[keep] if item.nulls is not None else None)
    return Variable([v for v, k in zip(item.values, keep, strict=True) if k])


def _hashable(generated: columns.Generated) -> list[Any]:
    raw = generated.raw
    values = raw.tolist() if isinstance(raw, np.ndarray) else list(raw)
    if generated.nulls is not None:
        for row in np.flatnonzero(generated.nulls):
            values[row] = None
    return values
