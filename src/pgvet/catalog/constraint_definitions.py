"""A primary key's, unique constraint's or foreign key's definition, written on the client
as the server writes it.

``pg_get_constraintdef(constraint)`` looks up each key column's name, the referenced
table's name and visibility and the backing index, one catalog-cache entry each; a fresh
server process misses every one of them (an index probe each): 0.3 s of a 5,000-table
catalog's 0.5 s constraint query on a fresh connection (16,600 constraints), 0.05 s on a
warm one. The client already holds every name these definitions print (the key columns
named from the columns read in the same snapshot, the referenced table's schema and
name), so it writes them as ruleutils.c's ``pg_get_constraintdef_worker`` does. The server
still writes CHECK and EXCLUDE constraints (expressions), foreign keys with ``ON DELETE SET
NULL (columns)``, unique keys with INCLUDE columns, PostgreSQL 18's temporal keys
(``WITHOUT OVERLAPS`` / ``PERIOD``) and NOT ENFORCED constraints: the constraints query
asks for those (``definition`` not NULL).
"""

from __future__ import annotations

from collections.abc import Mapping

from pgvet.catalog.model import ConstraintKind, FkAction, FkMatch

#: what follows the referenced columns for each match type and action (the defaults,
#: MATCH SIMPLE and NO ACTION, are not written)
_MATCH: Mapping[FkMatch | None, str] = {
    "simple": "",
    "full": " MATCH FULL",
    "partial": " MATCH PARTIAL",
}
_ACTION: Mapping[FkAction | None, str] = {
    "no action": "",
    "restrict": "RESTRICT",
    "cascade": "CASCADE",
    "set null": "SET NULL",
    "set default": "SET DEFAULT",
}


def written_constraint_definition(
    kind: ConstraintKind,
    columns: str,
    *,
    nulls_not_distinct: bool = False,
    references: str = "",
    ref_columns: str = "",
    match: FkMatch | None = None,
    on_update: FkAction | None = None,
    on_delete: FkAction | None = None,
    deferrable: bool = False,
    deferred: bool = False,
    validated: bool = True,
) -> str:
    """``pg_get_constraintdef`` of a primary key, unique constraint or foreign key whose
    key ``columns`` (and ``ref_columns``) are already quoted and joined with ", ", and
    ``references`` is the referenced table as the server writes it (schema-qualified
    unless in ``pg_catalog``, as the catalog is read with search_path = pg_catalog)."""
    if kind == "primary":
        written = f"PRIMARY KEY ({columns})"
    elif kind == "unique":
        written = f"UNIQUE {'NULLS NOT DISTINCT ' if nulls_not_distinct else ''}({columns})"
    elif kind == "foreign":
        written = f"FOREIGN KEY ({columns}) REFERENCES {references}({ref_columns}){_MATCH[match]}"
        if update := _ACTION[on_update]:
            written += " ON UPDATE " + update
        if delete := _ACTION[on_delete]:
            written += " ON DELETE " + delete
    else:
        raise ValueError(f"the server writes {kind} constraints")
    if deferrable:
        written += " DEFERRABLE"
    if deferred:
        written += " INITIALLY DEFERRED"
    if not validated:
        written += " NOT VALID"
    return written
