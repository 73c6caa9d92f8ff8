"""``[rls.tenancy]``: the tenancy a team declares, checked against the schema.

Discovery guesses; a declaration is a promise, so it is never silently ignored: every
table named must exist, a root must have a single-column primary key, a membership must
link a user to one of the roots, a claim must name a tenant column some table has. Any
mismatch is an :class:`~pgvet.errors.InputError` naming the key.
"""

from __future__ import annotations

from dataclasses import replace

from pgvet.catalog.model import Catalog, QualifiedName
from pgvet.errors import InputError
from pgvet.rls.settings import RlsSettings
from pgvet.rls.tenancy import Tenancy, discover
from pgvet.rls.users import Signup


def qualify(name: str) -> QualifiedName:
    schema, _, bare = name.rpartition(".")
    return (schema or "public", bare)


def _tables(catalog: Catalog, names: tuple[str, ...], key: str) -> tuple[QualifiedName, ...]:
    out = []
    for name in names:
        table = qualify(name)
        if catalog.find_table(*table) is None:
            raise InputError(
                f"{key}: no table {'.'.join(table)} in the replayed schema",
                hint="tables are schema.name; the schema defaults to public",
            )
        out.append(table)
    return tuple(out)


def tenancy_for(
    catalog: Catalog,
    tenant_columns: tuple[str, ...],
    signups: tuple[Signup, ...],
    settings: RlsSettings,
) -> Tenancy:
    """Discovered tenancy, overridden and validated by ``[rls.tenancy]``."""
    where = f"{settings.source}: " if settings.source else ""
    roots = _tables(catalog, settings.tenant_roots, f"{where}rls.tenancy.roots")
    members = _tables(catalog, settings.membership, f"{where}rls.tenancy.membership")
    profiles = _tables(catalog, settings.profiles, f"{where}rls.tenancy.profiles")
    for root in roots:
        pk = catalog.primary_key(*root)
        if pk is None or len(pk.columns) != 1:
            raise InputError(
                f"{where}rls.tenancy.roots: {'.'.join(root)} has no single-column primary key"
            )
    extra = tuple(Signup("[rls.tenancy] profiles", f"insert into {'.'.join(p)}") for p in profiles)
    columns = tenant_columns + ((settings.claim,) if settings.claim else ())
    tenancy = discover(catalog, columns, signups + extra, roots, members, settings.claim)
    found = {m.table for m in tenancy.memberships}
    for table in members:
        if table not in found:
            raise InputError(
                f"{where}rls.tenancy.membership: {'.'.join(table)} links no user to a root "
                f"({', '.join('.'.join(r) for r in tenancy.roots) or 'no root found'})",
                hint="a membership has a reference to auth.users (or a profile table) and one "
                "to a root in [rls.tenancy] roots",
            )
    for table in profiles:
        if table not in tenancy.profiles:
            raise InputError(
                f"{where}rls.tenancy.profiles: {'.'.join(table)} needs a uuid primary key "
                "holding the auth.users id"
            )
    if settings.claim and tenancy.mode != "value":
        raise InputError(
            f"{where}rls.tenancy.claim: no table has a column {settings.claim!r} without a "
            "foreign key (or a membership was found: drop the claim or the membership)"
        )
    declared = bool(roots or members or profiles or settings.claim)
    return replace(tenancy, declared=declared)
