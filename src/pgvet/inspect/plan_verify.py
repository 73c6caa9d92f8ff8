"""``pgvet inspect --plan --verify PATH``: the plan's partitioning steps, run for real.

The project is replayed into a sandbox and filled with generated rows (``pgvet data``:
foreign keys, tenants, checks respected): each candidate table gets as many rows as the
live one has, up to ``rows``; the others a few hundred, enough to refer to. Then each
candidate's three steps run there, with writes going on (see
:mod:`pgvet.inspect.partition_verify`). The steps are the ones generated from the live
database, verbatim: where the project's schema differs from production, they fail here
first, which is the point.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.console import Console

from pgvet.config import load_config
from pgvet.data.plan import Scale
from pgvet.data.session import filled_project
from pgvet.inspect.partition_verify import verify
from pgvet.inspect.plan import Candidate
from pgvet.replay.limits import Limits
from pgvet.replay.project import load_project

#: rows in every table that is not a candidate
OTHER_ROWS = 200


def verify_plan(
    path: Path,
    candidates: list[Candidate],
    *,
    rows: int,
    pg_version: int | None = None,
    console: Console | None = None,
) -> list[Candidate]:
    """``candidates`` with the verification of each one that has steps."""
    steps = [c for c in candidates if c.partitioning is not None]
    if not steps:
        return candidates
    project = load_project(path)
    config = load_config(project.root, None)
    wanted = Scale(
        OTHER_ROWS,
        {c.table.qualified: max(1000, min(rows, c.table.rows)) for c in steps},
    )
    done: dict[str, Candidate] = {}
    with filled_project(
        path, project, config, wanted, limits=Limits(), pg_version=pg_version, console=console
    ) as filled:
        server = filled.session.server
        for c in steps:
            assert c.partitioning is not None
            if console is not None:
                console.print(f"verifying the partitioning of {c.table.qualified} …")
            done[c.table.qualified] = replace(c, verification=verify(server, c.partitioning))
    return [done.get(c.table.qualified, c) for c in candidates]
