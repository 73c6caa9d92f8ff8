"""Two snapshots side by side: every difference, named (object, rows, columns).

Schema differences come from the two :class:`~pgvet.catalog.Catalog` values: each object
kind is keyed by its name and compared field by field, leaving out what a restore does not
carry or what says nothing about the schema (comments, which ``supabase db dump`` drops on
purpose with ``--no-comments``; planner estimates; index sizes; migration origins).
Supabase's own functions (``auth.uid()``…) and extension members are the platform's, not
the backup's, and are left out. Data differences come from the row counts and hashes of
:mod:`pgvet.backup.snapshot`; for small tables, the rows (by primary key) and columns.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pgvet.backup.snapshot import ROLE_FIELDS, Snapshot, TableData
from pgvet.catalog import Catalog

#: Fields that a faithful restore may change, or that say nothing about the schema.
IGNORED_FIELDS = frozenset({"comment", "reltuples", "size_bytes", "origins", "partial", "position"})
#: At most this many rows are named per table.
ROWS_SHOWN = 10


@dataclass(frozen=True)
class Difference:
    """One way the restore differs from the source."""

    area: str  # schema, data, sequence, role, extension
    kind: str  # table, policy, rows, …
    name: str
    detail: str
    rows: tuple[str, ...] = ()


def _plain(value: Any) -> Any:
    """A model value as nested tuples, without the ignored fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _plain(getattr(value, f.name)))
            for f in dataclasses.fields(value)
            if f.name not in IGNORED_FIELDS and not f.name.startswith("_")
        )
    if isinstance(value, frozenset):
        return tuple(sorted(map(str, value)))
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _describe(a: Any, b: Any) -> str:
    """Which fields differ, ``field: source → restored`` (columns by name)."""
    fa, fb = dict(_plain(a)), dict(_plain(b))
    parts = []
    for key in fa:
        if fa[key] == fb.get(key):
            continue
        if key == "columns":
            ca = {dict(c)["name"]: c for c in fa[key]}
            cb = {dict(c)["name"]: c for c in fb[key]}
            for name in [*ca, *(n for n in cb if n not in ca)]:
                if name not in cb:
                    parts.append(f"column {name} missing")
                elif name not in ca:
                    parts.append(f"column {name} extra")
                elif ca[name] != cb[name]:
                    changed = [
                        f"{k}: {_short(v)} → {_short(dict(cb[name]).get(k))}"
                        for k, v in ca[name]
                        if v != dict(cb[name]).get(k)
                    ]
                    parts.append(f"column {name} ({'; '.join(changed)})")
            continue
        parts.append(f"{key}: {_short(fa[key])} → {_short(fb.get(key))}")
    return "; ".join(parts)


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _diff_objects(
    kind: str,
    source: Iterable[Any],
    restored: Iterable[Any],
    key: Callable[[Any], str],
) -> list[Difference]:
    a = {key(o): o for o in source}
    b = {key(o): o for o in restored}
    out = []
    for name in sorted(a.keys() | b.keys()):
        if name not in b:
            out.append(Difference("schema", kind, name, "missing from the restore"))
        elif name not in a:
            out.append(Difference("schema", kind, name, "in the restore, not in the source"))
        elif _plain(a[name]) != _plain(b[name]):
            out.append(Difference("schema", kind, name, _describe(a[name], b[name])))
    return out


def _project_functions(catalog: Catalog) -> list[Any]:
    return [f for f in catalog.functions if not f.is_internal_schema and f.extension is None]


def diff_catalogs(source: Catalog, restored: Catalog) -> list[Difference]:
    """Every schema difference between the two catalogs, keyed by object name."""
    q = ".".join
    kinds: list[tuple[str, Callable[[Catalog], Iterable[Any]], Callable[[Any], str]]] = [
        ("schema", lambda c: c.schemas, lambda o: o.name),
        ("table", lambda c: c.tables, lambda o: q((o.schema, o.name))),
        ("constraint", lambda c: c.constraints, lambda o: q((o.schema, o.table, o.name))),
        ("index", lambda c: c.indexes, lambda o: q((o.schema, o.name))),
        ("policy", lambda c: c.policies, lambda o: q((o.schema, o.table, o.name))),
        ("function", _project_functions, lambda o: o.signature),
        ("view", lambda c: c.views, lambda o: q((o.schema, o.name))),
        ("trigger", lambda c: c.triggers, lambda o: q((o.schema, o.table, o.name))),
        ("enum", lambda c: c.enums, lambda o: q((o.schema, o.name))),
        ("sequence", lambda c: c.sequences, lambda o: q((o.schema, o.name))),
        ("grant", lambda c: c.privileges, lambda o: f"{o.schema}.{o.table} to {o.role}"),
        (
            "column grant",
            lambda c: c.column_privileges,
            lambda o: f"{o.schema}.{o.table}.{o.column} to {o.role}",
        ),
    ]
    out: list[Difference] = []
    for kind, items, key in kinds:
        out += _diff_objects(kind, items(source), items(restored), key)
    return out


def diff_extensions(source: Catalog, restored: Catalog) -> tuple[list[Difference], list[str]]:
    """Missing or extra extensions are differences; another version is a note (the
    sandbox's stand-in may have another version than the platform's)."""
    a = {e.name: e for e in source.extensions}
    b = {e.name: e for e in restored.extensions}
    diffs, notes = [], []
    for name in sorted(a.keys() | b.keys()):
        if name not in b:
            diffs.append(Difference("extension", "extension", name, "missing from the restore"))
        elif name not in a:
            diffs.append(Difference("extension", "extension", name, "not in the source"))
        elif a[name].version != b[name].version:
            notes.append(f"extension {name}: version {a[name].version} → {b[name].version}")
    return diffs, notes


def _row_label(key: tuple[str, ...], columns: tuple[str, ...]) -> str:
    if not columns:
        return f"a row with content hash {key[0][:12]}"
    return ", ".join(f"{c}={v}" for c, v in zip(columns, key, strict=False))


def _signature(values: dict[str, str | None], columns: tuple[str, ...]) -> tuple[str | None, ...]:
    return tuple(values.get(c) for c in columns)


def diff_table(
    name: str, a: TableData, b: TableData, ignore: frozenset[str] = frozenset()
) -> Difference | None:
    """The difference in one table's rows, naming rows and columns when it is small.

    ``ignore``: columns left out (values that differ between two replays of a project);
    rows are then compared as a multiset of their other columns.
    """
    same_hash = a.digest == b.digest and not ignore
    if a.count == b.count and a.columns == b.columns and same_hash:
        return None
    head = (
        f"{a.count} rows in the source, {b.count} restored"
        if a.count != b.count
        else f"{a.count} rows on both sides, contents differ"
    )
    if a.columns != b.columns:
        head += " (column lists differ; see the schema differences)"
    if a.rows is None or b.rows is None:
        return None if a.count == b.count and ignore else Difference("data", "rows", name, head)
    compared = tuple(c for c in a.columns if c not in ignore and c in b.columns)
    key_cols = a.key if a.key == b.key and not set(a.key) & ignore else ()
    if key_cols:
        ra = {k: _signature(v[1], compared) for k, v in a.rows.items()}
        rb = {k: _signature(v[1], compared) for k, v in b.rows.items()}
    else:
        ra = _numbered(a, compared)
        rb = _numbered(b, compared)
    missing = sorted(k for k in ra if k not in rb)
    extra = sorted(k for k in rb if k not in ra)
    changed = sorted(
        (k, [c for c, x, y in zip(compared, ra[k], rb[k], strict=True) if x != y])
        for k in ra.keys() & rb.keys()
        if ra[k] != rb[k]
    )
    if not (missing or extra or changed):
        return None
    rows: list[str] = []
    for k in missing[:ROWS_SHOWN]:
        rows.append(f"missing from the restore: {_row_label(k, key_cols)}")
    for k in extra[:ROWS_SHOWN]:
        rows.append(f"only in the restore: {_row_label(k, key_cols)}")
    for k, cols in changed[:ROWS_SHOWN]:
        rows.append(f"changed: {_row_label(k, key_cols)}: column {', '.join(cols)} differs")
    counts = f"{len(missing)} missing, {len(extra)} extra, {len(changed)} changed"
    return Difference("data", "rows", name, f"{head}: {counts}", tuple(rows))


def _numbered(
    t: TableData, columns: tuple[str, ...]
) -> dict[tuple[str, ...], tuple[str | None, ...]]:
    """Rows without a usable key, keyed by their compared values (and a counter for equal
    rows), so that a multiset comparison names what is missing or extra."""
    out: dict[tuple[str, ...], tuple[str | None, ...]] = {}
    for _, values in t.rows.values():  # type: ignore[union-attr]
        sig = _signature(values, columns)
        digest = hashlib.md5(repr(sig).encode(), usedforsecurity=False).hexdigest()
        n = 0
        while (digest, str(n)) in out:
            n += 1
        out[(digest, str(n))] = sig
    return out


def diff_snapshots(source: Snapshot, restored: Snapshot) -> tuple[list[Difference], list[str]]:
    """All differences (schema, data, sequences, roles, extensions) and notes."""
    out = diff_catalogs(source.catalog, restored.catalog)
    ext_diffs, notes = diff_extensions(source.catalog, restored.catalog)
    out += ext_diffs
    for key in sorted(source.tables.keys() | restored.tables.keys()):
        name = ".".join(key)
        a, b = source.tables.get(key), restored.tables.get(key)
        if a is None or b is None:
            what = "missing from the restore" if b is None else "in the restore, not in the source"
            count = (a or b).count  # type: ignore[union-attr]
            out.append(Difference("data", "table", name, f"{what} ({count} rows)"))
        elif diff := diff_table(name, a, b, source.volatile.get(key, frozenset())):
            out.append(diff)
    for key in sorted(source.sequences.keys() | restored.sequences.keys()):
        if key in source.sequences and key in restored.sequences:
            va, vb = source.sequences[key], restored.sequences[key]
            if va != vb:
                detail = f"last value {va} in the source, {vb} restored"
                out.append(Difference("sequence", "sequence", ".".join(key), detail))
    for role in sorted(source.roles.keys() | restored.roles.keys()):
        ra, rb = source.roles.get(role), restored.roles.get(role)
        if ra is None or rb is None:
            what = "missing from the restore" if rb is None else "in the restore, not in the source"
            out.append(Difference("role", "role", role, what))
        elif ra != rb:
            changed = [
                f"{f}: {_short(x)} → {_short(y)}"
                for f, x, y in zip(ROLE_FIELDS, ra, rb, strict=True)
                if x != y
            ]
            out.append(Difference("role", "role", role, "; ".join(changed)))
    return out, notes
