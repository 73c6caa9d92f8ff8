"""What a reviewer should know about a migrations folder before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from pgvet.replay.project import Project


@dataclass(frozen=True)
class Notice:
    level: str  # "error", "warn" or "info"
    file: str | None
    message: str


def notices(project: Project) -> list[Notice]:
    out: list[Notice] = []
    for skipped in project.skipped:
        rel = skipped.path.relative_to(project.migrations_dir)
        out.append(Notice("warn", str(rel), f"skipped by the Supabase CLI: {skipped.reason}"))
    for version, names in project.duplicate_versions:
        out.append(
            Notice(
                "error",
                names[1],
                f"version {version} is used by {len(names)} files ({', '.join(names)}); the "
                "CLI records history by version, so all but the first fail",
            )
        )
    for item in project.unreadable:
        out.append(Notice("error", item.path.name, f"cannot be read: {item.message}"))
    for migration in project.files:
        for note in migration.notes:
            level = "warn" if "byte-order mark" in note else "info"
            out.append(Notice(level, migration.filename, note))
        for stmt in migration.non_transactional:
            first = stmt.text.split("\n", 1)[0][:70]
            out.append(
                Notice(
                    "warn",
                    f"{migration.filename}:{stmt.line}",
                    f"`{first}` cannot run inside a transaction: the Supabase CLI commits the "
                    "file's statements before it, runs it on its own, then goes on in a new "
                    "transaction, and pgvet does the same (a failure after it leaves the file "
                    "half applied and unrecorded)",
                )
            )
    return out
