"""C302 unsupported-reg-type: Column of a reg* type that blocks pg_upgrade."""

from __future__ import annotations

from collections.abc import Iterator

from pgvet.analysis.indexing import reviewed_tables
from pgvet.analysis.sql.quote import ident, qualified
from pgvet.rules.registry import Hit, LintContext, rule

#: OID-alias types whose values pg_upgrade cannot carry over (the OIDs they hold are not
#: preserved); regclass, regtype and regrole are.
UNSUPPORTED = frozenset(
    {
        "regcollation",
        "regconfig",
        "regdictionary",
        "regnamespace",
        "regoper",
        "regoperator",
        "regproc",
        "regprocedure",
    }
)


@rule(
    "unsupported-reg-type",
    "C302",
    "warn",
    "correctness",
    "Column of a reg* type that blocks pg_upgrade",
    fixable=True,
)
def unsupported_reg_type(ctx: LintContext) -> Iterator[Hit]:
    """A ``regproc``, ``regprocedure``, ``regoper``, ``regoperator``, ``regconfig``,
    ``regdictionary``, ``regnamespace`` or ``regcollation`` column stores an object's OID.
    The OIDs of those objects change in a major-version upgrade, so ``pg_upgrade``
    refuses to run while a table holds such a column - and Supabase upgrades a project's
    PostgreSQL with ``pg_upgrade``. Store the name as text (``'english'::regconfig::text``)
    and cast where it is used. ``regclass``, ``regtype`` and ``regrole`` are fine.

    Bad:
    ```sql
    create table public.search_settings (id bigint primary key, language regconfig);
    ```
    Good:
    ```sql
    create table public.search_settings (id bigint primary key, language text);
    ```
    """
    catalog = ctx.catalog
    relations = [*reviewed_tables(catalog)]
    relations += [
        t for t in catalog.tables if t.kind == "materialized_view" and t.extension is None
    ]
    for table in relations:
        for column in table.columns:
            if column.type_schema != "pg_catalog" or column.type_name not in UNSUPPORTED:
                continue
            label = qualified(table.schema, table.name)
            fix = None
            if table.kind != "materialized_view":
                text = "text[]" if column.is_array else "text"
                fix = (
                    f"alter table {label} alter column {ident(column.name)} type {text} "
                    f"using {ident(column.name)}::{text};"
                )
            yield Hit(
                object=f"column {label}.{ident(column.name)}",
                message=(
                    f"column {ident(column.name)} of {label} has type {column.type}: "
                    "pg_upgrade refuses to upgrade a database with a column of this type, "
                    "so the project cannot move to a new PostgreSQL major. Store the name as "
                    "text and cast where it is used."
                ),
                origin=table.origin_key,
                fix=fix,
                data={"type": column.type},
            )
