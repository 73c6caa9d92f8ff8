"""``pgvet lint PATH --db URL``: each statement not yet deployed, its locks against the
live tables' size and write rate ("ACCESS EXCLUSIVE on a 40 GB table taking 300 writes/s").

The files judged are the scope's (those not in the database's schema_migrations); each of
their statements gets its table locks from :mod:`pgvet.analysis.locks` and each locked
table its live figures from :mod:`pgvet.live.sizes`. The migration-safety findings on those
statements carry the same figures in their message and ``data``, so a reviewer sees at the
finding how much it matters on this database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import psycopg

from pgvet.analysis.locks import (
    ACCESS_EXCLUSIVE,
    EXCLUSIVE,
    SHARE,
    SHARE_ROW_EXCLUSIVE,
    LockUse,
    locks_of,
)
from pgvet.findings import Finding
from pgvet.live.sizes import LiveTable, live_tables
from pgvet.replay.project import Project
from pgvet.rules.scope import Scope, judges_deployment

#: locks under which application writes wait
_BLOCKING = (ACCESS_EXCLUSIVE, EXCLUSIVE, SHARE_ROW_EXCLUSIVE, SHARE)


@dataclass(frozen=True)
class DeployLock:
    file: str
    line: int
    statement: str  # its first line, cut
    lock: LockUse
    live: LiveTable | None  # None: not on the live database (created by this deploy)

    @property
    def risk(self) -> str:
        """What a reviewer should read first: what waits, and for how long."""
        if self.live is None:
            return "new table"
        long = not self.lock.work.startswith("catalog only") and self.lock.mode in _BLOCKING
        return f"blocks {self.lock.blocks}" + (f" for the whole {self.lock.work}" if long else "")

    def text(self) -> str:
        where = f"{self.lock.mode} on {self.lock.qualified}"
        if self.live is None:
            return f"{where} (not on the database yet)"
        return f"{where}: {self.live.text()}; {self.lock.work}; {self.risk}"


def deploy_locks(project: Project, scope: Scope, conn: psycopg.Connection) -> list[DeployLock]:
    """The locks of every statement in the files being deployed, with live figures."""
    if scope.files is None:
        return []
    found: list[tuple[str, int, str, LockUse]] = []
    for migration in project.files:
        if migration.filename not in scope.files:
            continue
        for stmt in migration.statements:
            first = " ".join(stmt.text.split())[:100]
            found += [(migration.filename, stmt.line, first, use) for use in locks_of(stmt.text)]
    live = live_tables(conn, sorted({(u.schema, u.table) for *_, u in found}))
    return [
        DeployLock(f, line, text, use, live.get((use.schema, use.table)))
        for f, line, text, use in found
    ]


def annotate(findings: list[Finding], locks: list[DeployLock]) -> list[Finding]:
    """Deployment findings with the live figures of the statement they point at."""
    at: dict[tuple[str, int], list[DeployLock]] = {}
    for lock in locks:
        if lock.live is not None:
            at.setdefault((lock.file, lock.line), []).append(lock)
    out = []
    for f in findings:
        here = at.get((f.file or "", f.line or 0)) if judges_deployment(f.rule) else None
        if not here:
            out.append(f)
            continue
        facts = "; ".join(lock.text() for lock in here)
        out.append(
            replace(
                f,
                message=f"{f.message} [on the live database: {facts}]",
                data={**f.data, "live": [_doc(lock) for lock in here]},
            )
        )
    return out


def _doc(lock: DeployLock) -> dict[str, object]:
    live = lock.live
    assert live is not None
    return {
        "table": live.qualified,
        "lock": lock.lock.mode,
        "work": lock.lock.work,
        "bytes": live.bytes,
        "rows": live.rows,
        "writes_per_second": round(live.writes_per_second, 3),
    }


def doc(lock: DeployLock) -> dict[str, object]:
    """One statement's lock for the JSON document."""
    out: dict[str, object] = {
        "file": lock.file,
        "line": lock.line,
        "statement": lock.statement,
        "table": lock.lock.qualified,
        "lock": lock.lock.mode,
        "blocks": lock.lock.blocks,
        "work": lock.lock.work,
        "risk": lock.risk,
    }
    if lock.live is not None:
        out.update(_doc(lock))
    return out
