"""Find how a project splits its data between tenants, from the schema alone.

* **Users** are ``auth.users`` and the profile tables of :mod:`pgvet.rls.users` (linked by
  a foreign key, made by a sign-up trigger, or matched by id and email).
* **Membership tables** link a user to a *tenant root*: a user reference and a reference
  to another table, covered together by a unique key (``clinic_staff(user_id,
  clinic_id)``), or in a table named for it (``organization_members``, ``user_roles``).
  A role comes from a ``role`` column (enum or ``check (role in …)``), a ``roles text[]``
  column or a reference to a roles table; several such tables (membership plus a
  separate RBAC table) are all filled for every persona.
* **Tenant roots** are what memberships and tenant columns (``tenant_columns``) point
  at, minus tables that are themselves under another root (a branch is part of a clinic).
* **Value tenancy**: no root table, but tenant columns without a foreign key
  (``tenant_id text`` on every table) and helpers that read the tenant from a JWT claim
  (``get_current_tenant_id()``) or look it up for ``auth.uid()``: tenants are values.
* Otherwise each **user** is a tenant (rows carry their owner's user id).

Every table with a *tenant path* (foreign keys, and columns named after a root such as
``owned_by_group``, leading to a root, a user or a tenant value) is tenant-scoped; the
path is kept, because each generated row is checked against it (:mod:`.evidence`) and
each leak shows it. The rest are *shared* (catalogues, settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pgvet.catalog.model import Catalog, Column, QualifiedName, Table
from pgvet.data.constraints import check_value_lists
from pgvet.rls.users import AUTH_USERS, Profile, Signup, find_profiles, single_fk_target

_PRIVILEGED = ("super", "platform", "root", "system", "service")
_CLAIM = re.compile(r"->>?\s*'(\w+)'")
_SETTING = re.compile(r"current_setting\s*\(\s*'([\w.]+)'")
Mode = Literal["membership", "user", "value"]


@dataclass(frozen=True)
class Step:
    """One hop of a tenant path: ``table.columns`` → ``ref.ref_columns``."""

    table: QualifiedName
    columns: tuple[str, ...]
    ref: QualifiedName
    ref_columns: tuple[str, ...]
    implied: bool = False  # a column named after the root, without a foreign key

    def label(self) -> str:
        mark = " (no foreign key)" if self.implied else ""
        return f"{'.'.join(self.table)}.{','.join(self.columns)} → {'.'.join(self.ref)}{mark}"


@dataclass(frozen=True)
class TenantPath:
    """How a row of ``table`` reaches its tenant: hops, then the anchor column."""

    table: QualifiedName
    steps: tuple[Step, ...]
    anchor: QualifiedName  # a root, a user table, or the table holding the tenant value
    column: str  # the anchor's column holding the tenant's (or user's) id

    def label(self) -> str:
        if not self.steps:
            return f"{'.'.join(self.table)}.{self.column}"
        return " → ".join([".".join(self.table), *(".".join(s.ref) for s in self.steps)])


@dataclass(frozen=True)
class Membership:
    """A way a user belongs to a tenant, with the role it gives."""

    table: QualifiedName
    user_column: str
    tenant_column: str
    root: QualifiedName
    role_column: str | None = None
    roles: tuple[str, ...] = ()
    profile: bool = False
    role_array: bool = False  # roles text[]
    role_table: QualifiedName | None = None  # roles named by a catalogue table

    @property
    def label(self) -> str:
        if self.table == self.root:
            return f"{'.'.join(self.table)}({self.user_column} → auth.users)"
        role = ""
        if self.role_column:
            source = f" from {'.'.join(self.role_table)}" if self.role_table else ""
            kind = "[]" if self.role_array else ""
            role = f", role {self.role_column}{kind}{source}"
        return (
            f"{'.'.join(self.table)}({self.user_column}, {self.tenant_column} → "
            f"{'.'.join(self.root)}{role})"
        )


@dataclass(frozen=True)
class Tenancy:
    """What :func:`discover` (or ``[rls.tenancy]``) says about tenants."""

    mode: Mode
    roots: tuple[QualifiedName, ...] = ()
    memberships: tuple[Membership, ...] = ()
    profiles: tuple[QualifiedName, ...] = ()
    profile_info: tuple[Profile, ...] = ()
    user_refs: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    tenant_columns: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    scoped: frozenset[QualifiedName] = frozenset()
    shared: tuple[QualifiedName, ...] = ()
    #: user mode: tables a tenant column points at that belong to one user (workspaces)
    owned: tuple[Membership, ...] = ()
    paths: dict[QualifiedName, TenantPath] = field(default_factory=dict)
    #: value mode: table → the column holding the tenant value (no root table)
    value_columns: dict[QualifiedName, str] = field(default_factory=dict)
    claim: str | None = None  # the JWT claim a helper reads the tenant from
    settings: tuple[str, ...] = ()  # settings a helper falls back to (app.current_tenant_id)
    helpers: tuple[str, ...] = ()  # functions policies call to find the tenant
    implied: tuple[Step, ...] = ()
    declared: bool = False

    @property
    def primary(self) -> Membership | None:
        """The membership that decides the personas: the first non-profile one with roles."""
        ranked = sorted(self.memberships, key=lambda m: (m.profile, not m.roles, m.table))
        return ranked[0] if ranked else None

    @property
    def persona_roles(self) -> tuple[str, ...]:
        """One generated user per membership role ("member" when there is no role)."""
        primary = self.primary
        if self.mode != "membership" or primary is None or not primary.roles:
            return ("member",)
        return primary.roles

    def describe(self) -> list[str]:
        """A short explanation for reports: roots, memberships, roles, helpers."""
        lines = []
        if self.declared:
            lines.append("tenancy declared in [rls.tenancy]")
        if self.mode == "user":
            lines.append("each user is a tenant (rows carry their owner's user id)")
            lines += [f"owned by a user: {m.label}" for m in self.owned]
        elif self.mode == "value":
            cols = sorted(set(self.value_columns.values()))
            source = f"JWT claim {self.claim!r}" if self.claim else "a lookup for auth.uid()"
            if self.settings:
                source += f" (else setting {', '.join(self.settings)})"
            lines.append(
                f"tenants are values of {', '.join(cols)} on {len(self.value_columns)} "
                f"table(s), no tenant table; the tenant comes from {source}"
            )
        else:
            lines.append("tenant roots: " + ", ".join(".".join(r) for r in self.roots))
            lines += [f"membership: {m.label}" for m in self.memberships]
        if self.helpers:
            lines.append("helpers: " + ", ".join(f"{h}()" for h in self.helpers))
        if self.profile_info:
            lines.append(
                "profile tables: "
                + ", ".join(f"{'.'.join(p.table)} ({p.how})" for p in self.profile_info)
            )
        if self.implied:
            lines.append(
                "references without a foreign key: " + "; ".join(s.label() for s in self.implied)
            )
        return lines


def is_privileged(value: str) -> bool:
    """A role value that means "sees every tenant" (super_admin, platform, …)."""
    low = value.lower()
    return any(word in low for word in _PRIVILEGED)


# --- discovery -----------------------------------------------------------------------------


def discover(
    catalog: Catalog,
    tenant_columns: tuple[str, ...],
    signups: tuple[Signup, ...] = (),
    roots_override: tuple[QualifiedName, ...] = (),
    membership_override: tuple[QualifiedName, ...] = (),
    claim_override: str | None = None,
) -> Tenancy:
    """Work out users, roots, memberships, roles, helpers and every table's tenant path."""
    wanted = {c.lower() for c in tenant_columns}
    pointed = frozenset(
        (fk.ref_schema or "public", fk.ref_table or "")
        for fk in catalog.foreign_keys
        if len(fk.columns) == 1 and fk.columns[0].lower() in wanted
    )
    profile_info = find_profiles(catalog, signups, pointed)
    profiles = tuple(p.table for p in profile_info)
    users = {AUTH_USERS, *profiles}
    user_refs = _user_refs(catalog, users)
    fks = _single_fks(catalog, users)
    tenant_fks = {k: [(c, t) for c, t in links if c.lower() in wanted] for k, links in fks.items()}
    tenant_fks = {k: v for k, v in tenant_fks.items() if v}
    linked = _member_links(catalog, fks, user_refs)
    if roots_override:
        roots = roots_override
    else:
        candidates = {t for links in tenant_fks.values() for _, t in links}
        candidates |= {root for _, _, root in linked}
        candidates -= users
        roots = tuple(
            sorted(
                c
                for c in candidates
                if not any(t in candidates and t != c for _, t in fks.get(c, []))
            )
        )
    memberships = _memberships(catalog, roots, linked, profile_info, tenant_fks)
    if membership_override:
        memberships = [m for m in memberships if m.table in membership_override]
    implied = _implied(catalog, roots, fks)
    value_columns: dict[QualifiedName, str] = {}
    claim, settings, helpers = None, (), ()
    if memberships:
        mode: Mode = "membership"
        helpers = _helpers(catalog, {m.table for m in memberships})
    else:
        value_columns = _value_columns(catalog, wanted, fks)
        claim, settings, helpers = _claim_helpers(catalog, set(value_columns.values()))
        claim = claim_override or claim
        mode = "value" if value_columns and (claim or helpers) else "user"
        if mode == "user":
            value_columns = {}
    anchors: dict[QualifiedName, str] = {AUTH_USERS: "id"}
    if mode == "membership":
        for root in roots:
            pk = catalog.primary_key(*root)
            if pk is not None and len(pk.columns) == 1:
                anchors[root] = pk.columns[0]
    for p in profile_info:
        anchors[p.table] = p.column
    paths = _paths(catalog, anchors, value_columns, implied, users)
    scoped = frozenset(t for t in paths if catalog.find_table(*t) is not None)
    if mode != "membership":
        roots = ()
    shared = tuple(sorted(t.key for t in catalog.base_tables if t.key not in scoped))
    tenant_cols = {k: tuple(dict.fromkeys(c for c, _ in v)) for k, v in tenant_fks.items()}
    owned = tuple(
        Membership(t, user_refs[t][0], user_refs[t][0], t)
        for t in sorted({t for links in tenant_fks.values() for _, t in links})
        if mode == "user" and user_refs.get(t)
    )
    return Tenancy(
        mode=mode,
        roots=roots,
        memberships=tuple(memberships),
        profiles=profiles,
        profile_info=profile_info,
        user_refs=user_refs,
        tenant_columns=tenant_cols,
        scoped=scoped,
        shared=shared,
        owned=owned,
        paths=paths,
        value_columns=value_columns,
        claim=claim,
        settings=settings,
        helpers=helpers,
        implied=tuple(implied),
    )


def _single_fks(
    catalog: Catalog, users: set[QualifiedName]
) -> dict[QualifiedName, list[tuple[str, QualifiedName]]]:
    """Table → (column, referenced table) for single-column references to non-user tables."""
    out: dict[QualifiedName, list[tuple[str, QualifiedName]]] = {}
    for fk in catalog.foreign_keys:
        target = single_fk_target(fk)
        if target is None or target in users or catalog.find_table(*target) is None:
            continue
        if target == (fk.schema, fk.table):
            continue
        out.setdefault((fk.schema, fk.table), []).append((fk.columns[0], target))
    return out


def _user_refs(catalog: Catalog, users: set[QualifiedName]) -> dict[QualifiedName, tuple[str, ...]]:
    refs: dict[QualifiedName, list[str]] = {}
    for fk in catalog.foreign_keys:
        if single_fk_target(fk) in users:
            refs.setdefault((fk.schema, fk.table), []).append(fk.columns[0])
    return {k: tuple(dict.fromkeys(v)) for k, v in refs.items()}


def _unique_keys(catalog: Catalog, key: QualifiedName) -> list[set[str]]:
    return [
        set(c.columns) for c in catalog.constraints_of(*key) if c.kind in ("primary", "unique")
    ] + [
        {c for c in i.columns if c}
        for i in catalog.indexes_of(*key)
        if i.unique and not i.predicate and not i.has_expressions
    ]


def _member_links(
    catalog: Catalog,
    fks: dict[QualifiedName, list[tuple[str, QualifiedName]]],
    user_refs: dict[QualifiedName, tuple[str, ...]],
) -> list[tuple[QualifiedName, str, QualifiedName]]:
    """(table, user column, tenant column, root) links that look like a membership: the
    pair is unique together (alone or with a role), or the table is named for it."""
    out = []
    for key, links in sorted(fks.items()):
        users_here = user_refs.get(key, ())
        if not users_here:
            continue
        keys = _unique_keys(catalog, key)
        low = key[1].lower()
        for col, root in links:
            if _role_like(col):
                continue  # role_id → roles is where the role comes from, not the tenant
            pair = {users_here[0], col}
            unique = any(pair <= k and all(_role_like(c) for c in k - pair) for k in keys)
            singular = root[1].lower().removesuffix("s")
            named = (
                "member" in low
                or low in (f"user_{root[1].lower()}", f"{singular}_users")
                or low.endswith(("user_roles", "_roles"))
            ) and "permission" not in low
            if root != key and (unique or named):
                out.append((key, col, root))
                break
    return [(k, c, r) for k, c, r in out]


def _role_like(column: str) -> bool:
    low = column.lower()
    return low in ("role", "roles", "role_id") or low.endswith(("_role", "_roles"))


def _role(
    catalog: Catalog, table: Table
) -> tuple[str | None, tuple[str, ...], bool, QualifiedName | None]:
    """The role column of a membership: its values, whether it is an array, its table."""
    checks = check_value_lists(catalog, table)
    role_fks = {
        fk.columns[0]: single_fk_target(fk)
        for fk in catalog.foreign_keys_of(table.schema, table.name)
        if single_fk_target(fk) is not None
    }
    for col in table.columns:
        if not _role_like(col.name):
            continue
        values = _column_values(catalog, col, checks)
        target = role_fks.get(col.name)
        if values:
            return col.name, values, col.is_array, None
        if target is not None:
            return col.name, (), False, target
        if col.is_array:
            return col.name, (), True, _roles_table(catalog, table.schema)
    return None, (), False, None


def _roles_table(catalog: Catalog, schema: str) -> QualifiedName | None:
    """A catalogue of roles (``rbac.roles(name)``) that an array of role names refers to."""
    for t in sorted(catalog.base_tables, key=lambda t: (t.schema != schema, t.key)):
        if t.name.lower() == "roles" and t.column("name") is not None:
            return t.key
    return None


def _column_values(
    catalog: Catalog, col: Column, checks: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    if col.name in checks:
        return checks[col.name]
    enum = catalog.enum(col.type_schema, col.type_name)
    return enum.values if enum else ()


def _memberships(
    catalog: Catalog,
    roots: tuple[QualifiedName, ...],
    linked: list[tuple[QualifiedName, str, QualifiedName]],
    profiles: tuple[Profile, ...],
    tenant_fks: dict[QualifiedName, list[tuple[str, QualifiedName]]],
) -> list[Membership]:
    out: list[Membership] = []
    profile_of = {p.table: p for p in profiles}
    done: set[QualifiedName] = set()
    for key, col, root in linked:
        if root not in roots or key in roots:
            continue
        table = catalog.table(*key)
        user_col = next(
            fk.columns[0]
            for fk in catalog.foreign_keys_of(*key)
            if single_fk_target(fk) == ("auth", "users") or single_fk_target(fk) in profile_of
        )
        role_col, roles, array, role_table = _role(catalog, table)
        out.append(Membership(key, user_col, col, root, role_col, roles, False, array, role_table))
        done.add(key)
    for key, p in profile_of.items():  # users.clinic_id: a profile tied to one tenant
        for col, root in tenant_fks.get(key, []):
            if root in roots and key not in done:
                out.append(Membership(key, p.column, col, root, None, (), True))
                break
    return out


def _implied(
    catalog: Catalog,
    roots: tuple[QualifiedName, ...],
    fks: dict[QualifiedName, list[tuple[str, QualifiedName]]],
) -> list[Step]:
    """Columns named after a root but without a foreign key (``owned_by_group`` → groups)."""
    out = []
    for root in roots:
        pk = catalog.primary_key(*root)
        root_table = catalog.find_table(*root)
        if pk is None or len(pk.columns) != 1 or root_table is None:
            continue
        pk_col = root_table.column(pk.columns[0])
        singular = root[1].lower().removesuffix("s")
        names = (singular, f"{singular}_id")
        for table in catalog.base_tables:
            if table.key == root:
                continue
            linked = {c for c, _ in fks.get(table.key, [])}
            for col in table.columns:
                low = col.name.lower()
                matches = low in names or low.endswith((f"_{singular}", f"_{singular}_id"))
                if matches and col.name not in linked and pk_col and col.type == pk_col.type:
                    out.append(Step(table.key, (col.name,), root, pk.columns, True))
    return out


def _value_columns(
    catalog: Catalog, wanted: set[str], fks: dict[QualifiedName, list[tuple[str, QualifiedName]]]
) -> dict[QualifiedName, str]:
    """Tables carrying a tenant column that references nothing (``tenant_id text``)."""
    out = {}
    for table in catalog.base_tables:
        if table.schema in ("auth", "storage"):
            continue
        linked = {c for c, _ in fks.get(table.key, [])}
        for col in table.columns:
            if col.name.lower() in wanted and col.name not in linked:
                out[table.key] = col.name
                break
    return out


def _claim_helpers(
    catalog: Catalog, columns: set[str]
) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The JWT claim, fallback settings and helper functions the policies use to find the
    tenant (``get_current_tenant_id()`` reading ``->>'tenant_id'``)."""
    if not columns:
        return None, (), ()
    called = " ".join(f"{p.using or ''} {p.with_check or ''}" for p in catalog.policies).lower()
    claim = None
    settings: list[str] = []
    helpers = []
    for f in catalog.functions:
        if f.is_internal_schema or f"{f.name.lower()}(" not in called:
            continue
        body = f.body.lower()
        keys = [k for k in _CLAIM.findall(body) if k in columns]
        looks_up = "auth.uid()" in body and any(c in body for c in columns)
        if ("jwt" in body and keys) or looks_up:
            helpers.append(f.name)
            if "jwt" in body and keys:
                claim = claim or keys[0]
            settings += [s for s in _SETTING.findall(body) if "jwt" not in s]
    return claim, tuple(dict.fromkeys(settings)), tuple(dict.fromkeys(helpers))


def _helpers(catalog: Catalog, tables: set[QualifiedName]) -> tuple[str, ...]:
    """Functions the policies call that read a membership table (``my_orgs()``)."""
    called = " ".join(f"{p.using or ''} {p.with_check or ''}" for p in catalog.policies).lower()
    names = {t[1].lower() for t in tables}
    out = []
    for f in catalog.functions:
        if f.is_internal_schema or f"{f.name.lower()}(" not in called:
            continue
        body = f.body.lower()
        if any(re.search(rf"\b{re.escape(n)}\b", body) for n in names):
            out.append(f.name)
    return tuple(sorted(dict.fromkeys(out)))


def _paths(
    catalog: Catalog,
    anchors: dict[QualifiedName, str],
    value_columns: dict[QualifiedName, str],
    implied: list[Step],
    users: set[QualifiedName],
) -> dict[QualifiedName, TenantPath]:
    """The shortest path from every table to a tenant (breadth first over reverse edges),
    and only for tables with none, to a user: a document with a ``project_id`` and a
    ``created_by`` belongs to the project's tenant, not to whoever wrote it."""
    edges: dict[QualifiedName, list[Step]] = {}
    for fk in catalog.foreign_keys:
        ref = (fk.ref_schema or "public", fk.ref_table or "")
        src = (fk.schema, fk.table)
        if src != ref:
            edges.setdefault(ref, []).append(Step(src, fk.columns, ref, fk.ref_columns))
    for step in implied:
        edges.setdefault(step.ref, []).append(step)
    paths: dict[QualifiedName, TenantPath] = {}
    tenants = {**value_columns, **{t: c for t, c in anchors.items() if t not in users}}
    for phase in (tenants, {t: c for t, c in anchors.items() if t in users}):
        frontier = []
        for table, col in phase.items():
            if table not in paths:
                paths[table] = TenantPath(table, (), table, col)
                frontier.append(table)
        while frontier:
            nxt = []
            for ref in frontier:
                inner = paths[ref]
                for step in edges.get(ref, []):
                    if step.table in paths or len(step.columns) != 1:
                        continue
                    steps = (step, *inner.steps)
                    paths[step.table] = TenantPath(step.table, steps, inner.anchor, inner.column)
                    nxt.append(step.table)
            frontier = nxt
    return paths
