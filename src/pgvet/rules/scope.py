"""Which migration files are being deployed, so migration-safety rules judge those only.

A lock warning about a migration that ran on production in 2023 cannot be acted on: the
lock is long gone, and the file must not be edited (the CLI records its version as
applied). What a reviewer needs judged is the files not yet deployed. pgvet learns which
ones those are from, in this order:

* ``--changed-since REF``: the files git says were added or changed since REF (also
  untracked ones, which ``git diff`` does not list);
* ``--db URL`` together with a project: the files whose version is not in that
  database's ``supabase_migrations.schema_migrations`` (read in the same read-only
  session the live rules use);
* ``[lint] migrations_since = "<version>"``: the files whose version is at or after it.

Without any of them every file counts as history: the findings of deployment rules on it
are folded into one line per rule, kept in JSON with ``"history": true``, left out of SARIF
and of ``--fail-on``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from pgvet.errors import InputError
from pgvet.findings import Category, Finding
from pgvet.replay.project import Project
from pgvet.rules.registry import REGISTRY

#: seconds a git command may take before pgvet gives up on it
GIT_TIMEOUT = 30
#: rules whose findings say what a statement does *when it runs on production*; on a file
#: that already ran there they are history, not advice (besides the safety family:
#: ``concurrently`` in a transaction only fails at deploy time)
_DEPLOY_TIME_EXTRA = frozenset({"concurrently-in-transaction"})


def judges_deployment(rule_name: str) -> bool:
    """Whether a rule's findings are about deploying a statement (locks, rewrites)."""
    rule = REGISTRY.get(rule_name)
    if rule is None or "migrations" not in rule.requires:
        return False
    return rule.category is Category.safety or rule.name in _DEPLOY_TIME_EXTRA


@dataclass(frozen=True)
class Scope:
    """The migration files being deployed (``None``: not known, every file is history)
    and how pgvet learned it, for the folded line and the JSON document."""

    files: frozenset[str] | None
    how: str

    def is_history(self, finding: Finding) -> bool:
        if finding.file is None or not judges_deployment(finding.rule):
            return False
        return self.files is None or finding.file not in self.files


def split_history(findings: Iterable[Finding], scope: Scope) -> tuple[list[Finding], list[Finding]]:
    """``(judged, history)``: the findings to report, and those folded as history."""
    judged: list[Finding] = []
    history: list[Finding] = []
    for finding in findings:
        (history if scope.is_history(finding) else judged).append(finding)
    return judged, history


UNKNOWN = Scope(None, "no --changed-since, [lint] migrations_since or --db said what is deployed")


def since_version(project: Project, version: str) -> Scope:
    """Files whose version is at or after ``version`` (a prefix such as ``2025`` works:
    versions are compared as the CLI orders them, digit strings of the same length)."""
    if not version.isdigit():
        raise InputError(
            f"[lint] migrations_since: {version!r} is not a migration version",
            hint='give the digits of the first file not yet deployed, e.g. "20250101000000"',
        )
    files = frozenset(f.filename for f in project.files if f.version[: len(version)] >= version)
    return Scope(files, f"[lint] migrations_since = {version}")


def not_in_database(project: Project, conn: psycopg.Connection) -> Scope:
    """Files whose version the live database has not recorded as applied."""
    row = conn.execute(
        "select to_regclass('supabase_migrations.schema_migrations') is not null"
    ).fetchone()
    if not row or not row[0]:
        return Scope(
            frozenset(f.filename for f in project.files),
            "--db has no supabase_migrations.schema_migrations: every file is pending",
        )
    applied = {
        str(v) for (v,) in conn.execute("select version from supabase_migrations.schema_migrations")
    }
    files = frozenset(f.filename for f in project.files if f.version not in applied)
    return Scope(files, "files not in --db's supabase_migrations.schema_migrations")


def changed_since(project: Project, ref: str) -> Scope:
    """Migration files added or changed since git ``ref`` (committed, staged, in the working
    tree, or untracked), by ``git diff --name-only``; a clear error outside a repository or
    for a ref git does not know."""
    if ref.startswith("-") or not ref.strip():
        raise InputError(f"--changed-since: {ref!r} is not a git revision")
    folder = project.migrations_dir
    _git(folder, "rev-parse", "--is-inside-work-tree", what="find a git repository")
    _git(
        folder,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        what=f"find revision {ref!r}",
    )
    changed = _git(
        folder,
        "diff",
        "--name-only",
        "--relative",
        "-z",
        ref,
        "--",
        ".",
        what=f"diff the migrations against {ref!r}",
    )
    untracked = _git(
        folder,
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--",
        ".",
        what="list untracked migrations",
    )
    names = {p for p in (changed + "\0" + untracked).split("\0") if p}
    files = frozenset(f.filename for f in project.files if f.filename in names)
    return Scope(files, f"files added or changed since {ref}")


def _git(folder: object, *args: str, what: str) -> str:
    """One git command in ``folder``, bounded in time, never prompting; its output."""
    git = shutil.which("git")
    if git is None:
        raise InputError("--changed-since needs git, which is not installed")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"--changed-since: git did not {what} within {GIT_TIMEOUT} s") from exc
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        hint = None
        if args[:2] == ("rev-parse", "--is-inside-work-tree"):
            hint = f"{folder} is not in a git repository; use [lint] migrations_since instead"
        elif args[:2] == ("rev-parse", "--verify"):
            hint = "fetch it first (CI checkouts are often shallow: fetch-depth: 0)"
            said = said if said != "(no message)" else "unknown revision"
        raise InputError(f"--changed-since: could not {what}: {said}", hint=hint)
    return done.stdout
