"""S209 uuid-compared-as-text: Policy casts a uuid column to text to compare it."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.policy_graph import (
    Node,
    name_parts,
    parse_expression,
    walk,
)
from pgvet.catalog.model import (
    Catalog,
    Policy,
    Table,
)
from pgvet.rules.registry import Hit, LintContext, rule
from pgvet.rules.security.common import located_at, policy_expressions, policy_object

_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "character varying", "char", "name"})

_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})


def _type_name(type_node: Node) -> str:
    parts = name_parts(type_node.get("names", []))
    return parts[-1] if parts else ""


def _column_type(
    ref: Node, parents: tuple[tuple[str, Node], ...], table: Table, catalog: Catalog
) -> str | None:
    """The type of a column reference: the policy's table, or a FROM item of an enclosing
    sub-select (by alias or name)."""
    fields = [f["String"]["sval"] for f in ref.get("fields", []) if "String" in f]
    if not fields:
        return None
    column = fields[-1]
    qualifier = fields[-2] if len(fields) >= 2 else None
    for kind, node in reversed(parents):
        if kind != "SelectStmt":
            continue
        for k, rv, _ in walk(node.get("fromClause", [])):
            if k != "RangeVar":
                continue
            alias = rv.get("alias", {}).get("aliasname") or rv.get("relname")
            if qualifier not in (None, alias):
                continue
            inner = catalog.find_table(rv.get("schemaname", "public"), rv.get("relname", ""))
            col = inner.column(column) if inner else None
            if col is not None:
                return col.type_name
    if qualifier in (None, table.name):
        col = table.column(column)
        return col.type_name if col is not None else None
    return None


def _may_cast_to_text(expr: str) -> bool:
    """Whether the text can hold a cast to one of :data:`_TEXT_TYPES` (``x::text``,
    ``cast(x as varchar)``, ``::bpchar``, ``::name``): most policies need no walk."""
    lowered = expr.lower()
    if "::" not in expr and "cast" not in lowered:
        return False
    return "text" in lowered or "char" in lowered or "name" in lowered


def uuid_text_casts(policy: Policy, catalog: Catalog) -> list[str]:
    """Columns of type uuid cast to text where they are compared, in a policy."""
    table = catalog.find_table(policy.schema, policy.table)
    if table is None:
        return []
    out = []
    for _, expr in policy_expressions(policy):
        node = parse_expression(expr) if _may_cast_to_text(expr) else None
        if node is None:
            continue
        for kind, cast, parents in walk(node):
            if kind != "TypeCast" or _type_name(cast.get("typeName", {})) not in _TEXT_TYPES:
                continue
            ref = cast.get("arg", {}).get("ColumnRef")
            if ref is None or not parents:
                continue
            parent_kind, parent = parents[-1]
            if parent_kind != "A_Expr":
                continue
            op = name_parts(parent.get("name", []))
            if parent.get("kind") == "AEXPR_OP" and (not op or op[-1] not in _COMPARISONS):
                continue
            if _column_type(ref, parents, table, catalog) == "uuid":
                fields = [f["String"]["sval"] for f in ref["fields"] if "String" in f]
                out.append(".".join(fields))
    return sorted(set(out))


@rule(
    "uuid-compared-as-text",
    "S209",
    "warn",
    "performance",
    "Policy casts a uuid column to text to compare it",
    fixable=False,
)
def uuid_compared_as_text(ctx: LintContext) -> Iterator[Hit]:
    """``user_id::text = auth.uid()::text`` works but compares strings: the index on the
    uuid column cannot be used, so the policy scans and casts every row. (Without casts,
    ``uuid = text`` fails outright, which is why people add them on both sides.) Compare
    uuid with uuid: ``user_id = (select auth.uid())``, or cast the text side,
    ``user_id = ((select auth.jwt()) ->> 'sub')::uuid``. Casting ``auth.uid()`` to text to
    compare with a genuinely text column (storage paths) is fine and not reported.

    Bad:
    ```sql
    create table public.files (id bigint primary key, owner_id uuid not null);
    alter table public.files enable row level security;
    create policy "Own files" on public.files
      for select to authenticated using (owner_id::text = (select auth.uid())::text);
    ```
    Good:
    ```sql
    create table public.files (id bigint primary key, owner_id uuid not null);
    alter table public.files enable row level security;
    create policy "Own files" on public.files
      for select to authenticated using (owner_id = (select auth.uid()));
    ```
    """
    catalog = ctx.catalog
    for policy in catalog.policies:
        columns = uuid_text_casts(policy, catalog)
        if not columns:
            continue
        yield Hit(
            object=policy_object(policy),
            message=(
                f"{policy_object(policy)} casts the uuid column{'s' if len(columns) > 1 else ''} "
                f"{', '.join(columns)} to text to compare: no index on "
                f"{'them' if len(columns) > 1 else 'it'} can be used and every row is cast. "
                "Compare as uuid, e.g. "
                f"{columns[0].split('.')[-1]} = (select auth.uid())."
            ),
            **located_at(ctx.catalog, policy.origin_key),
            data={"columns": columns},
        )
