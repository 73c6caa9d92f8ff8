"""Find how a project splits its data between tenants, from the schema alone.

* **Users** are ``auth.users`` and *profile tables*: a table whose single-column primary
  key is a foreign key to ``auth.users(id)`` (``public.users``), so a reference to it holds
  a user id too.
* **Tenant roots** are the tables that tenant columns (``clinic_id``, ``account_id``, … from
  ``tenant_columns``) point at, minus those that are themselves under another root
  (``branches`` has a ``clinic_id``: a branch is part of a clinic, not a tenant).
* **Membership tables** link a user to a root: a user column and a tenant column covered
  together by a primary key or unique constraint (``clinic_staff(user_id, clinic_id)``,
  ``account_user``). A profile table with a tenant column (``users.clinic_id``) links
  them too. A ``role``-like column (enum or ``check (role in …)``) gives the roles.
* With roots and memberships the project is **membership**-tenanted; without a
  membership (chatbot-ui: every row has its owner's ``user_id``) each **user** is a tenant.

Every table with a foreign-key path to a root or a user is *tenant-scoped*; the rest are
*shared* (catalogues, settings) and only read, never expected to be isolated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pgvet.catalog.model import Catalog, Column, Constraint, QualifiedName, Table
from pgvet.rls.values import check_value_lists

AUTH_USERS: QualifiedName = ("auth", "users")
_PRIVILEGED = ("super", "platform", "root", "system", "service")


@dataclass(frozen=True)
class Membership:
    """A way a user belongs to a tenant."""

    table: QualifiedName
    user_column: str
    tenant_column: str
    root: QualifiedName
    role_column: str | None = None
    roles: tuple[str, ...] = ()
    profile: bool = False

    @property
    def label(self) -> str:
        if self.table == self.root:
            return f"{'.'.join(self.table)}({self.user_column} → auth.users)"
        role = f", role {self.role_column}" if self.role_column else ""
        return f"{'.'.join(self.table)}({self.user_column} → {'.'.join(self.root)}{role})"


@dataclass(frozen=True)
class Tenancy:
    """What :func:`discover` found."""

    mode: Literal["membership", "user"]
    roots: tuple[QualifiedName, ...] = ()
    memberships: tuple[Membership, ...] = ()
    profiles: tuple[QualifiedName, ...] = ()
    user_refs: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    tenant_columns: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    scoped: frozenset[QualifiedName] = frozenset()
    shared: tuple[QualifiedName, ...] = ()
    #: user mode: tables a tenant column points at that belong to one user (workspaces)
    owned: tuple[Membership, ...] = ()

    @property
    def primary(self) -> Membership | None:
        """The membership that decides the personas: the first non-profile one with roles."""
        ranked = sorted(self.memberships, key=lambda m: (m.profile, not m.roles, m.table))
        return ranked[0] if ranked else None

    @property
    def persona_roles(self) -> tuple[str, ...]:
        """One generated user per membership role ("member" when there is no role column)."""
        primary = self.primary
        if self.mode == "user" or primary is None or not primary.roles:
            return ("member",)
        return primary.roles

    def describe(self) -> list[str]:
        """Plain sentences for reports."""
        lines = []
        if self.mode == "user":
            lines.append("each user is a tenant (rows carry their owner's user id)")
            lines += [f"owned by a user: {m.label}" for m in self.owned]
        else:
            roots = ", ".join(".".join(r) for r in self.roots)
            lines.append(f"tenant roots: {roots}")
            lines += [f"membership: {m.label}" for m in self.memberships]
        if self.profiles:
            lines.append("profile tables: " + ", ".join(".".join(p) for p in self.profiles))
        return lines


def _single_fk_target(con: Constraint) -> QualifiedName | None:
    if con.kind != "foreign" or len(con.columns) != 1 or con.ref_table is None:
        return None
    return (con.ref_schema or "public", con.ref_table)


def _profiles(catalog: Catalog) -> tuple[QualifiedName, ...]:
    out = []
    for table in catalog.base_tables:
        pk = catalog.primary_key(table.schema, table.name)
        if pk is None or len(pk.columns) != 1:
            continue
        for fk in catalog.foreign_keys_of(table.schema, table.name):
            if fk.columns == pk.columns and _single_fk_target(fk) == AUTH_USERS:
                out.append(table.key)
    return tuple(out)


def _user_refs(catalog: Catalog, users: set[QualifiedName]) -> dict[QualifiedName, tuple[str, ...]]:
    refs: dict[QualifiedName, list[str]] = {}
    for fk in catalog.foreign_keys:
        if _single_fk_target(fk) in users:
            refs.setdefault((fk.schema, fk.table), []).append(fk.columns[0])
    return {k: tuple(dict.fromkeys(v)) for k, v in refs.items()}


def _role_column(catalog: Catalog, table: Table) -> tuple[str | None, tuple[str, ...]]:
    checks = check_value_lists(catalog, table)
    for col in table.columns:
        name = col.name.lower()
        if not (name == "role" or name.endswith("_role") or name.startswith("role_")):
            continue
        values = _column_values(catalog, col, checks)
        if values:
            return col.name, values
    return None, ()


def _column_values(
    catalog: Catalog, col: Column, checks: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    if col.name in checks:
        return checks[col.name]
    enum = catalog.enum(col.type_schema, col.type_name)
    return enum.values if enum else ()


def is_privileged(value: str) -> bool:
    """A role value that means "sees every tenant" (super_admin, platform, …)."""
    low = value.lower()
    return any(word in low for word in _PRIVILEGED)


def discover(
    catalog: Catalog,
    tenant_columns: tuple[str, ...],
    roots_override: tuple[str, ...] = (),
    membership_override: tuple[str, ...] = (),
) -> Tenancy:
    """Work out roots, memberships, profiles and which tables are tenant-scoped."""
    profiles = _profiles(catalog)
    users = {AUTH_USERS, *profiles}
    user_refs = _user_refs(catalog, users)
    wanted = {c.lower() for c in tenant_columns}

    tenant_fks: dict[QualifiedName, list[tuple[str, QualifiedName]]] = {}
    for fk in catalog.foreign_keys:
        target = _single_fk_target(fk)
        if target is None or target in users or fk.columns[0].lower() not in wanted:
            continue
        if catalog.find_table(*target) is None:
            continue
        tenant_fks.setdefault((fk.schema, fk.table), []).append((fk.columns[0], target))

    if roots_override:
        roots = tuple(_qualify(r) for r in roots_override)
    else:
        candidates = {t for links in tenant_fks.values() for _, t in links}
        roots = tuple(
            sorted(
                c
                for c in candidates
                if not any(t in candidates and t != c for _, t in tenant_fks.get(c, []))
            )
        )
    memberships = _memberships(catalog, roots, tenant_fks, user_refs, profiles)
    if membership_override:
        keep = {_qualify(m) for m in membership_override}
        memberships = [m for m in memberships if m.table in keep]
    mode: Literal["membership", "user"] = "membership" if memberships else "user"

    scoped = _scoped(catalog, set(roots) | users)
    shared = tuple(sorted(t.key for t in catalog.base_tables if t.key not in scoped))
    tenant_cols = {k: tuple(dict.fromkeys(c for c, _ in v)) for k, v in tenant_fks.items()}
    owned = tuple(
        Membership(root, user_refs[root][0], user_refs[root][0], root)
        for root in roots
        if mode == "user" and user_refs.get(root)
    )
    return Tenancy(
        mode=mode,
        roots=roots if mode == "membership" else (),
        memberships=tuple(memberships),
        profiles=profiles,
        user_refs=user_refs,
        tenant_columns=tenant_cols,
        scoped=frozenset(scoped),
        shared=shared,
        owned=owned,
    )


def _memberships(
    catalog: Catalog,
    roots: tuple[QualifiedName, ...],
    tenant_fks: dict[QualifiedName, list[tuple[str, QualifiedName]]],
    user_refs: dict[QualifiedName, tuple[str, ...]],
    profiles: tuple[QualifiedName, ...],
) -> list[Membership]:
    out: list[Membership] = []
    for key, links in sorted(tenant_fks.items()):
        table = catalog.find_table(*key)
        if table is None or key in roots:
            continue
        for tenant_col, root in links:
            if root not in roots:
                continue
            role_col, roles = _role_column(catalog, table)
            if key in profiles:
                pk = catalog.primary_key(*key)
                assert pk is not None
                out.append(Membership(key, pk.columns[0], tenant_col, root, None, (), True))
                continue
            keys = [
                set(c.columns)
                for c in catalog.constraints_of(*key)
                if c.kind in ("primary", "unique")
            ] + [
                {c for c in i.columns if c}
                for i in catalog.indexes_of(*key)
                if i.unique and not i.predicate and not i.has_expressions
            ]
            for user_col in user_refs.get(key, ()):
                if {user_col, tenant_col} in keys:
                    out.append(Membership(key, user_col, tenant_col, root, role_col, roles))
                    break
    return out


def _scoped(catalog: Catalog, anchors: set[QualifiedName]) -> set[QualifiedName]:
    """Tables with a foreign-key path to an anchor (a root or a user table)."""
    scoped = {a for a in anchors if catalog.find_table(*a) is not None}
    changed = True
    while changed:
        changed = False
        for fk in catalog.foreign_keys:
            src = (fk.schema, fk.table)
            dst = (fk.ref_schema or "public", fk.ref_table or "")
            if src not in scoped and (dst in scoped or dst in anchors):
                scoped.add(src)
                changed = True
    return scoped


def _qualify(name: str) -> QualifiedName:
    schema, _, bare = name.rpartition(".")
    return (schema or "public", bare)
