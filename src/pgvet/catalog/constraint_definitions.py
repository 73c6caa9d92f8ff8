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

from pgvet.catalog.model import ConstraintKind, FkAction, FkMatch


def _unless_default(clause: str, word: str | None, default: str) -> str:
    """`` CLAUSE WORD`` (the model's words are the SQL's, in lower case), or nothing for
    the default, which the server does not write (MATCH SIMPLE, NO ACTION)."""
    return "" if word is None or word == default else f" {clause} {word.upper()}"


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
        written = (
            f"FOREIGN KEY ({columns}) REFERENCES {references}({ref_columns})"
            + _unless_default("MATCH", match, "simple")
            + _unless_default("ON UPDATE", on_update, "no action")
            + _unless_default("ON DELETE", on_delete, "no action")
        )
    else:
        raise ValueError(f"the server writes {kind} constraints")
    if deferrable:
        written += " DEFERRABLE"
    if deferred:
        written += " INITIALLY DEFERRED"
    if not validated:
        written += " NOT VALID"
    return written
