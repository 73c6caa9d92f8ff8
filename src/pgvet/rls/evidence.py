"""Check the generated world before trusting any verdict drawn from it.

A check that "tenant A cannot see tenant B's rows" means nothing if tenant B's rows
point at tenant A's organisation, or if the persona acting for tenant A belongs to no
tenant and so sees nothing at all. Before any check, therefore:

* **two tenants exist**: each world has its own tenant (root rows, users or a tenant
  value), and the two do not overlap;
* **every generated row belongs to its world**: each row is followed along its table's
  tenant path (:class:`~pgvet.rls.tenancy.TenantPath`) to the tenant it reaches, which
  must be one of its world's; a table whose rows reach the other world is not tested
  (and says why), rows that reach no tenant (a NULL on the way) are not counted as
  anybody's;
* **every persona is a member of its tenant with its role**, read back from each
  membership table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from pgvet.catalog.model import QualifiedName
from pgvet.rls.fixture import CHUNK, WORLDS, Fixture
from pgvet.rls.keys import KeySpec
from pgvet.rls.tenancy import TenantPath


@dataclass
class Evidence:
    """What the generated world was verified to be."""

    tenants: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    excluded: dict[QualifiedName, str] = field(default_factory=dict)
    #: generated user id → how it belongs to its tenant ("member of … as owner")
    members: dict[str, str] = field(default_factory=dict)
    #: generated user id → why it is not a member of its tenant
    strangers: dict[str, str] = field(default_factory=dict)

    @property
    def sound(self) -> bool:
        return not self.problems


def path_sql(spec: KeySpec, path: TenantPath, keys: list[str]) -> sql.Composable:
    """``(table, key, tenant id)`` for the rows of ``keys``, along the tenant path."""
    inner = sql.SQL("(select {} as pgvet_k, t.* from {} t where {})").format(
        spec.expr(), spec.ident, spec.matches(keys)
    )
    joins: list[sql.Composable] = []
    alias = "p0"
    value = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(path.column))
    for n, step in enumerate(path.steps, 1):
        last = n == len(path.steps)
        if last and step.ref_columns == (path.column,):
            value = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(step.columns[0]))
            break
        nxt = f"p{n}"
        on = sql.SQL(" and ").join(
            sql.SQL("{}.{}::text = {}.{}::text").format(
                sql.Identifier(nxt), sql.Identifier(r), sql.Identifier(alias), sql.Identifier(c)
            )
            for c, r in zip(step.columns, step.ref_columns, strict=True)
        )
        joins.append(
            sql.SQL(" join {} {} on {}").format(sql.Identifier(*step.ref), sql.Identifier(nxt), on)
        )
        alias = nxt
        value = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(path.column))
    return sql.SQL("select {}::text, {}::text, p0.pgvet_k, {}::text from {} p0{}").format(
        sql.Literal(path.table[0]),
        sql.Literal(path.table[1]),
        value,
        inner,
        sql.SQL("").join(joins),
    )


def tenants_of(fixture: Fixture) -> dict[str, set[str]]:
    """The ids that stand for each world's tenant: its root rows, its users, its value."""
    tenancy = fixture.tenancy
    out: dict[str, set[str]] = {}
    for world in WORLDS:
        ids = {u.id for u in fixture.users.get(world, [])}
        for root in tenancy.roots:
            ids |= set(fixture.world_of(world).get(root, []))
        ids |= (
            set(fixture.tenant_values.get(world, {}).values()) if tenancy.value_columns else set()
        )
        out[world] = ids
    return out


def verify(conn: psycopg.Connection, fixture: Fixture) -> Evidence:
    """Verify the two tenants, every generated row and every persona; drop what fails."""
    tenancy = fixture.tenancy
    ev = Evidence(tenants=tenants_of(fixture))
    for world in WORLDS:
        if not fixture.users.get(world):
            ev.problems.append(
                f"tenant {world} has no user ({'; '.join(fixture.notes) or 'none made'})"
            )
        for root in tenancy.roots:
            if not fixture.world_of(world).get(root):
                why = fixture.unfilled.get(root, "no row made")
                ev.problems.append(f"tenant {world} has no row in {'.'.join(root)} ({why})")
    if ev.tenants.get("A", set()) & ev.tenants.get("B", set()):
        ev.problems.append("tenants A and B share a tenant id")
    _rows(conn, fixture, ev)
    _members(conn, fixture, ev)
    for table in ev.excluded:
        for world in WORLDS:
            fixture.rows.get(world, {}).pop(table, None)
    return ev


def _rows(conn: psycopg.Connection, fixture: Fixture, ev: Evidence) -> None:
    tenancy = fixture.tenancy
    parts: list[sql.Composable] = []
    for world in WORLDS:
        for table, keys in fixture.world_of(world).items():
            path = tenancy.paths.get(table)
            if path is not None and keys and table in tenancy.scoped:
                parts.append(path_sql(fixture.keys[table], path, keys))
    reached: dict[tuple[QualifiedName, str], str | None] = {}
    for start in range(0, len(parts), CHUNK):
        query = sql.SQL(" union all ").join(parts[start : start + CHUNK])
        for schema, name, key, tenant in conn.execute(query).fetchall():
            reached[(schema, name), key] = tenant
    other = {"A": "B", "B": "A"}
    for world in WORLDS:
        rows = fixture.rows.get(world, {})
        for table, keys in list(rows.items()):
            path = tenancy.paths.get(table)
            if path is None or table not in tenancy.scoped:
                continue
            own = [k for k in keys if reached.get((table, k)) in ev.tenants[world]]
            wrong = [k for k in keys if reached.get((table, k)) in ev.tenants[other[world]]]
            if wrong:
                ev.excluded[table] = (
                    f"rows made for tenant {world} belong to tenant {other[world]} "
                    f"(path {path.label()})"
                )
            rows[table] = own


def _members(conn: psycopg.Connection, fixture: Fixture, ev: Evidence) -> None:
    """Read back each generated user's membership (and role) in its own tenant."""
    tenancy = fixture.tenancy
    for world in WORLDS:
        for user in fixture.users.get(world, []):
            if tenancy.mode == "user":
                ev.members[user.id] = "a tenant of its own (its user id)"
                continue
            if tenancy.mode == "value":
                value = next(iter(fixture.tenant_values.get(world, {}).values()), "")
                how = f"claim {tenancy.claim}={value}" if tenancy.claim else f"tenant {value}"
                ev.members[user.id] = how
                continue
            found = []
            for m in tenancy.memberships:
                if m.profile:
                    continue
                role = _role_label(fixture, m.role_table, m.role_column, m.role_array)
                query = sql.SQL(
                    "select {}::text from {} t where {}::text = %s and {}::text = any(%s)"
                ).format(
                    role,
                    sql.Identifier(*m.table),
                    sql.Identifier(m.user_column),
                    sql.Identifier(m.tenant_column),
                )
                where = f"member of {'.'.join(m.root)} {world} in {'.'.join(m.table)}"
                for (value,) in conn.execute(query, (user.id, list(ev.tenants[world]))):
                    wants_role = m.role_column is not None and user.role != "member"
                    if not wants_role or user.role in (value or ""):
                        found.append(where + (f" as {value}" if value else ""))
            if found:
                ev.members[user.id] = found[0]
            else:
                tables = ", ".join(".".join(m.table) for m in tenancy.memberships if not m.profile)
                ev.strangers[user.id] = (
                    f"not a member of tenant {world} with role {user.role} ({tables})"
                )


def _role_label(
    fixture: Fixture,
    role_table: QualifiedName | None,
    role_column: str | None,
    role_array: bool,
) -> sql.Composable:
    """The membership's role as its name: the column itself, or for a reference to a roles
    table (``role_id → roles``) that row's ``name``, so "a member as viewer" is checked by
    name whatever the membership stores."""
    if role_column is None:
        return sql.SQL("null")
    column = sql.SQL("t.{}").format(sql.Identifier(role_column))
    spec = fixture.keys.get(role_table) if role_table else None
    pk = spec.columns if spec is not None else ()
    if role_table is None or role_array or len(pk) != 1:
        return column
    return sql.SQL(
        "(select coalesce(to_jsonb(r) ->> 'name', r.{k}::text) from {} r"
        " where r.{k}::text = {}::text)"
    ).format(sql.Identifier(*role_table), column, k=sql.Identifier(pk[0]))
