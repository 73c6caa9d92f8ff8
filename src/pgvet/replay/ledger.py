"""What has become of each file so far in a replay, in words a hint can use.

A hint that sends the reader to another file ("relation x is created at 2_b.sql:4") is
only useful if it says whether that file applied, failed (and where), has not run yet, or
is one the Supabase CLI skips. The replay records every outcome here as it goes; hints
read it instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pgvet.replay.project import MigrationFile, Project


@dataclass(frozen=True)
class Outcome:
    """One file's latest outcome: ``applied`` or ``failed`` (with where and why)."""

    status: str
    location: str | None = None
    message: str | None = None


@dataclass
class Ledger:
    """Outcomes by file name (migrations and prelude files), updated as the replay runs."""

    project: Project
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    prelude: tuple[MigrationFile, ...] = ()

    def record(self, name: str, outcome: Outcome) -> None:
        self.outcomes[name] = outcome

    def _skipped(self, name: str) -> str | None:
        """Why the CLI skips the file labelled ``name`` (its path in the migrations folder)."""
        for skipped in self.project.skipped:
            if str(skipped.path.relative_to(self.project.migrations_dir)) == name:
                return skipped.reason
        return None

    def status(self, name: str) -> str:
        """``applied``, ``failed``, ``skipped`` (by the CLI) or ``pending`` (not run yet)."""
        if name in self.outcomes:
            return self.outcomes[name].status
        if self._skipped(name) is not None:
            return "skipped"
        return "pending"

    def describe(self, name: str) -> str:
        """A relative clause about file ``name``: "which applied", "which failed at …"."""
        kind = "a prelude file, " if any(f.filename == name for f in self.prelude) else ""
        status = self.status(name)
        if status == "applied":
            return f"{kind}which applied"
        if status == "failed":
            outcome = self.outcomes[name]
            return f"{kind}which failed (at {outcome.location}: {outcome.message})"
        if status == "skipped":
            return f"which the Supabase CLI skips ({self._skipped(name)})"
        return f"{kind}which has not run yet"
