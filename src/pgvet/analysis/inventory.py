"""The inventory the clinic team counted by hand: tables by domain, indexes, RLS, tenancy.

Domains come from configuration when given, else from names and foreign keys: tables
sharing a name prefix (``sales_leads``, ``sales_proposals``) form a domain; a table with a
prefix of its own joins the domain it has most foreign-key links with, not counting hub
tables that everything references (``users``, ``clinics``); groups of one or two tables
fold into the domain they link to; what is left is ``core`` if it is a hub, else
``other``. ``[domains]`` in the config overrides all of this for the tables it names.
"""

from __future__ import annotations

import fnmatch
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pgvet.catalog import Catalog
from pgvet.config import Config

HUB_SHARE = 0.15  # a table referenced by this share of all tables (or ≥ 5) is a hub


@dataclass(frozen=True)
class TableSummary:
    schema: str
    name: str
    domain: str
    kind: str
    columns: int
    indexes: int
    rls_enabled: bool
    rls_forced: bool
    policies: int
    tenant_columns: tuple[str, ...]
    foreign_keys: int
    origin: str | None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Inventory:
    tables: tuple[TableSummary, ...]
    domains: dict[str, tuple[str, ...]]
    totals: dict[str, int]
    partial: bool = False
    extensions: tuple[str, ...] = field(default=())


def _prefix(name: str) -> str:
    return name.split("_", 1)[0]


def assign_domains(catalog: Catalog, config: Config) -> dict[tuple[str, str], str]:
    """Domain of every base table (schema, name)."""
    tables = [t for t in catalog.tables if not t.is_view]
    keys = [(t.schema, t.name) for t in tables]
    out: dict[tuple[str, str], str] = {}
    for domain, patterns in config.domains.items():
        for key in keys:
            if key not in out and any(
                fnmatch.fnmatch(key[1], p) or fnmatch.fnmatch(f"{key[0]}.{key[1]}", p)
                for p in patterns
            ):
                out[key] = domain
    links: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    referenced: Counter[tuple[str, str]] = Counter()
    for fk in catalog.foreign_keys:
        src, dst = (fk.schema, fk.table), (fk.ref_schema or "", fk.ref_table or "")
        if src == dst:
            continue
        links[src][dst] += 1
        links[dst][src] += 1
        referenced[dst] += 1
    hub_floor = max(5, int(len(keys) * HUB_SHARE))
    hubs = {k for k, n in referenced.items() if n >= hub_floor}
    prefixes = Counter(_prefix(k[1]) for k in keys if k not in out)
    for key in keys:
        if key not in out and prefixes[_prefix(key[1])] >= 2 and key not in hubs:
            out[key] = _prefix(key[1])
    for _ in range(3):  # let assignments spread through chains of single tables
        for key in keys:
            if key in out or key in hubs:
                continue
            votes = Counter(
                {out[n]: c for n, c in links[key].items() if n in out and n not in hubs}
            )
            if votes:
                out[key] = votes.most_common(1)[0][0]
    _merge_small_groups(out, links, hubs, set(config.domains))
    for key in keys:
        out.setdefault(key, "core" if key in hubs else "other")
    return out


SMALL_GROUP = 2


def _merge_small_groups(
    out: dict[tuple[str, str], str],
    links: dict[tuple[str, str], Counter[tuple[str, str]]],
    hubs: set[tuple[str, str]],
    configured: set[str],
) -> None:
    """Fold tiny prefix groups (``promo_*``, ``purchase_*``) into the domain they link to."""
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, domain in out.items():
        members[domain].append(key)
    for domain, keys in sorted(members.items(), key=lambda kv: len(kv[1])):
        if domain in configured or len(keys) > SMALL_GROUP:
            continue
        votes: Counter[str] = Counter()
        for key in keys:
            for neighbour, count in links[key].items():
                target = out.get(neighbour)
                if target and target != domain and neighbour not in hubs:
                    votes[target] += count
        if votes:
            target = votes.most_common(1)[0][0]
            for key in keys:
                out[key] = target


def build_inventory(catalog: Catalog, config: Config) -> Inventory:
    domains = assign_domains(catalog, config)
    tenant_set = set(config.tenant_columns)
    summaries = []
    for table in catalog.tables:
        if table.is_view:
            continue
        key = (table.schema, table.name)
        origin = catalog.origin_of("table", table.schema, table.name)
        summaries.append(
            TableSummary(
                schema=table.schema,
                name=table.name,
                domain=domains[key],
                kind=table.kind,
                columns=len(table.columns),
                indexes=len(catalog.indexes_of(table.schema, table.name)),
                rls_enabled=table.rls_enabled,
                rls_forced=table.rls_forced,
                policies=len(catalog.policies_of(table.schema, table.name)),
                tenant_columns=tuple(c.name for c in table.columns if c.name in tenant_set),
                foreign_keys=sum(
                    1
                    for c in catalog.constraints_of(table.schema, table.name)
                    if c.kind == "foreign"
                ),
                origin=f"{origin.file}:{origin.line}" if origin else None,
            )
        )
    summaries.sort(key=lambda s: (s.domain, s.schema, s.name))
    by_domain: dict[str, list[str]] = defaultdict(list)
    for s in summaries:
        by_domain[s.domain].append(s.qualified)
    totals = {
        "tables": len(summaries),
        "indexes": sum(s.indexes for s in summaries),
        "policies": sum(s.policies for s in summaries),
        "tables_without_rls": sum(1 for s in summaries if not s.rls_enabled),
        "tables_rls_without_policy": sum(1 for s in summaries if s.rls_enabled and not s.policies),
        "tenant_tables": sum(1 for s in summaries if s.tenant_columns),
        "views": sum(1 for t in catalog.tables if t.is_view),
        "functions": sum(
            1 for f in catalog.functions if not f.extension and not f.is_internal_schema
        ),
        "domains": len(by_domain),
    }
    return Inventory(
        tuple(summaries),
        {k: tuple(v) for k, v in sorted(by_domain.items())},
        totals,
        partial=catalog.partial,
        extensions=tuple(sorted(e.name for e in catalog.extensions)),
    )
