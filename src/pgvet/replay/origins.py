"""Where each catalog object came from: the migration line that created it and last altered it.

Computed from the statements of the files that were applied, in the order they applied,
so that a finding can point at ``20250105_skin.sql:12`` instead of just naming an index.
"""

from __future__ import annotations

from collections.abc import Iterable

from pgvet.catalog.model import ObjectKey, Origin
from pgvet.replay.ddl import touches
from pgvet.replay.project import MigrationFile


def compute_origins(files: Iterable[MigrationFile]) -> dict[ObjectKey, Origin]:
    """Map (kind, schema, name) to its creating and last altering statement."""
    created: dict[ObjectKey, tuple[str, int]] = {}
    altered: dict[ObjectKey, tuple[str, int]] = {}
    for migration in files:
        for stmt in migration.statements:
            for touch in touches(stmt):
                key = (touch.kind, touch.schema, touch.name)
                place = (stmt.file, stmt.line)
                if touch.renamed_from is not None:
                    old = (touch.kind, touch.schema, touch.renamed_from)
                    if old in created:
                        created[key] = created.pop(old)
                if touch.created and key not in created:
                    created[key] = place
                else:
                    altered[key] = place
    out: dict[ObjectKey, Origin] = {}
    for key, (file, line) in created.items():
        last = altered.get(key)
        out[key] = Origin(file, line, last[0] if last else None, last[1] if last else None)
    return out
