"""Who each workload query runs as, and which tenant that puts it in.

Through the API every query runs as a role with the caller's JWT, RLS on; a query timed as
the superuser measures a database production never sees. A query names its persona with a
``-- persona: NAME`` line: one of ``[rls.personas]`` in pgvet.toml, or ``anon`` /
``service_role``. Without one it runs as **``authenticated`` with a member of the biggest
tenant**: the tenant with the most rows in the largest tenant-scoped table, and a user of
the membership table (:mod:`pgvet.rls.tenancy`) in it, an unprivileged role first. The
biggest tenant is where slow plans show first; a super admin would hide the policies' cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from pgvet.analysis.sql.quote import ident
from pgvet.catalog.model import Catalog
from pgvet.config import Config
from pgvet.errors import InputError
from pgvet.rls.personas import Persona, builtin
from pgvet.rls.settings import rls_settings
from pgvet.rls.tenancy import Membership, discover, is_privileged

DEFAULT_PERSONA = "tenant_member"


@dataclass(frozen=True)
class Acting:
    """A resolved persona, the tenant value its parameters are drawn from (None: none) and
    the column that holds it."""

    persona: Persona
    tenant: str | None
    tenant_column: str | None


def personas_for(
    conn: psycopg.Connection, catalog: Catalog, config: Config, wanted: set[str | None]
) -> dict[str | None, Acting]:
    """Persona name (None: the default) → who to act as, resolved on ``conn``'s data."""
    configured = {p.name: p for p in rls_settings(config).personas}
    tenancy = discover(catalog, config.tenant_columns)
    member = tenancy.primary if tenancy.mode == "membership" else None
    out: dict[str | None, Acting] = {}
    for name in wanted:
        if name is None:
            out[None] = _default(conn, catalog, config, member)
            continue
        persona = configured.get(name) or builtin(name)
        if persona is None:
            known = sorted([*configured, "anon", "service_role"])
            raise InputError(
                f"-- persona: {name}: no such persona",
                hint=f"known: {', '.join(known)} (define others in [rls.personas])",
            )
        persona = persona.resolve(conn)
        tenant = _tenant_of(conn, member, persona.user_id)
        out[name] = Acting(persona, tenant, member.tenant_column if tenant and member else None)
    return out


def _default(
    conn: psycopg.Connection, catalog: Catalog, config: Config, member: Membership | None
) -> Acting:
    found = biggest_tenant(conn, catalog, config.tenant_columns, member)
    tenant, column = found if found else (None, None)
    user = _member_of(conn, member, tenant) if member is not None and tenant else None
    if user is None:
        user = _scalar(conn, "select id::text from auth.users order by created_at, id limit 1")
    description = "authenticated, a member of the biggest tenant"
    persona = Persona(DEFAULT_PERSONA, user_id=user, description=description).resolve(conn)
    return Acting(persona, tenant, column)


def biggest_tenant(
    conn: psycopg.Connection,
    catalog: Catalog,
    tenant_columns: tuple[str, ...],
    member: Membership | None,
) -> tuple[str, str] | None:
    """(value, column): the tenant with the most rows in the largest table that has the
    tenant column (the membership's, else any of ``tenant_columns``)."""
    wanted = {member.tenant_column.lower()} if member else {c.lower() for c in tenant_columns}
    best: tuple[int, str, str, str] | None = None
    for table in catalog.tables:
        if table.extension or table.schema in ("auth", "storage"):
            continue
        column = next((c.name for c in table.columns if c.name.lower() in wanted), None)
        if column is None:
            continue
        rows = _scalar(conn, f"select count(*) from {ident(table.schema)}.{ident(table.name)}")
        if rows and (best is None or int(rows) > best[0]):
            best = (int(rows), table.schema, table.name, column)
    if best is None:
        return None
    _, schema, name, column = best
    value = _scalar(
        conn,
        f"select {ident(column)}::text from {ident(schema)}.{ident(name)} "
        f"where {ident(column)} is not null group by 1 order by count(*) desc, 1 limit 1",
    )
    return None if value is None else (value, column)


def _member_of(conn: psycopg.Connection, member: Membership, tenant: str) -> str | None:
    table = f"{ident(member.table[0])}.{ident(member.table[1])}"
    user, where = ident(member.user_column), ident(member.tenant_column)
    order = "1"
    if member.role_column:
        privileged = [r for r in member.roles if is_privileged(r)]
        if privileged:
            listed = ", ".join("'" + r.replace("'", "''") + "'" for r in privileged)
            order = f"({ident(member.role_column)}::text in ({listed})), 1"
    return _scalar(
        conn,
        f"select {user}::text from {table} where {where}::text = %s and {user} is not null "
        f"order by {order} limit 1",
        (tenant,),
    )


def _tenant_of(conn: psycopg.Connection, member: Membership | None, user: str | None) -> str | None:
    if member is None or user is None:
        return None
    table = f"{ident(member.table[0])}.{ident(member.table[1])}"
    return _scalar(
        conn,
        f"select {ident(member.tenant_column)}::text from {table} "
        f"where {ident(member.user_column)}::text = %s limit 1",
        (user,),
    )


def _scalar(conn: psycopg.Connection, sql: str, params: tuple = ()) -> str | None:
    row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    return None if row is None or row[0] is None else str(row[0])
