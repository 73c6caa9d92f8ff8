"""The measured effect of one migration of indexes (a review's own): the project replayed
without that file and with it, the same generated data (same seed), the same workload.

Which of its indexes the workload's plans use, with it in place, says which ones help; the
rest only cost writes and space.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import psycopg

from pgvet.advise.candidates import parse_create
from pgvet.advise.measure import index_size
from pgvet.errors import InputError
from pgvet.replay.project import Project
from pgvet.workload.run import WorkloadRun


@dataclass
class MigrationIndex:
    name: str
    relation: str
    size_bytes: int
    used_by: list[str] = field(default_factory=list)


@dataclass
class MigrationEffect:
    filename: str
    without: WorkloadRun
    with_it: WorkloadRun
    indexes: list[MigrationIndex]


def without_file(project: Project, filename: str) -> Project:
    """The project minus one migration file (named as in the migrations folder)."""
    if project.file_named(filename) is None:
        names = ", ".join(f.filename for f in project.files[-3:])
        raise InputError(
            f"--migration {filename}: no such migration file", hint=f"the last ones: {names}"
        )
    return replace(project, files=tuple(f for f in project.files if f.filename != filename))


def effect(
    admin: psycopg.Connection,
    project: Project,
    filename: str,
    without: WorkloadRun,
    with_it: WorkloadRun,
) -> MigrationEffect:
    migration = project.file_named(filename)
    assert migration is not None
    indexes = []
    for statement in migration.statements:
        found = parse_create(statement.text, filename)
        if found is None:
            continue
        used = [q.name for q in with_it.queries if q.plan and found.name in q.plan.indexes]
        indexes.append(
            MigrationIndex(
                found.name, found.relation, index_size(admin, found.schema, found.name), used
            )
        )
    return MigrationEffect(filename, without, with_it, indexes)
