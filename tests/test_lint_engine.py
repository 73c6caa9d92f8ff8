"""The findings engine end to end: formats, ignores, baseline, --fail-on, and `pgvet fix`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import run_cli, write_migrations
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.rules.engine import run_lint
from pgvet.rules.registry import LintContext

SCHEMA = """\
create table public.orgs (id uuid primary key default gen_random_uuid());
create table public.notes (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.orgs (id),
  body text
);
alter table public.notes enable row level security;
alter table public.orgs enable row level security;
create policy notes_read on public.notes for select to authenticated using (true);
create policy orgs_read on public.orgs for select to authenticated using (true);
"""


def pgvet(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pgvet", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def project(tmp_path: Path, extra: str = "") -> Path:
    return write_migrations(tmp_path, {"20240101000000_schema.sql": SCHEMA + extra})


def test_json_sarif_markdown_and_exit_codes(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("lint", str(root), "--format", "json", "--fail-on", "warn")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    fk = [f for f in doc["findings"] if f["rule"] == "unindexed-foreign-key"]
    assert len(fk) == 1
    assert fk[0]["object"] == "public.notes"
    assert fk[0]["location"] == "20240101000000_schema.sql:4"
    assert "create index concurrently if not exists" in fk[0]["fix"]
    assert doc["summary"]["findings"] == len(doc["findings"])
    sarif = json.loads(run_cli("lint", str(root), "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    located = [r for r in run["results"] if r["ruleId"] == "unindexed-foreign-key"]
    physical = located[0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "supabase/migrations/20240101000000_schema.sql"
    assert physical["region"]["startLine"] == 4
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"unindexed-foreign-key"}
    markdown = run_cli("lint", str(root), "--format", "markdown").stdout
    assert "`unindexed-foreign-key`" in markdown
    only_errors = run_cli(
        "lint", str(root), "--rule", "unindexed-foreign-key", "--fail-on", "error"
    )
    assert only_errors.returncode == 0  # a warn does not fail at --fail-on error


def test_inline_and_config_ignores(tmp_path: Path) -> None:
    ignored = SCHEMA.replace(
        "create table public.notes (",
        "-- pgvet: ignore unindexed-foreign-key\ncreate table public.notes (",
    )
    root = write_migrations(tmp_path / "inline", {"20240101000000_schema.sql": ignored})
    with replayed_project(root) as session:
        ctx = LintContext(catalog=session.catalog, project=load_project(root))
        assert not [f for f in run_lint(ctx) if f.rule == "unindexed-foreign-key"]
        # by code, any case; a comment on another statement does not reach this one
        by_code = ignored.replace("pgvet: ignore unindexed-foreign-key", "PGVET: ignore I101")
        other = SCHEMA.replace(
            "alter table public.notes enable",
            "-- pgvet: ignore unindexed-foreign-key\nalter table public.notes enable",
        )
    for text, hidden in ((by_code, True), (other, False)):
        root = write_migrations(tmp_path / str(hidden), {"20240101000000_schema.sql": text})
        with replayed_project(root) as session:
            ctx = LintContext(catalog=session.catalog, project=load_project(root))
            found = [f for f in run_lint(ctx) if f.rule == "unindexed-foreign-key"]
            assert (found == []) is hidden, text
    root = project(tmp_path / "config")
    (root / "pgvet.toml").write_text('[lint]\nignore = ["unindexed-foreign-key"]\n')
    doc = json.loads(run_cli("lint", str(root), "--format", "json").stdout)
    assert not [f for f in doc["findings"] if f["rule"] == "unindexed-foreign-key"]
    (root / "pgvet.toml").write_text('[lint]\nignore = ["no-such-rule"]\n')
    result = run_cli("lint", str(root))
    assert result.returncode == 2 and "unknown rule(s) no-such-rule" in result.stderr


def test_baseline_hides_known_findings_and_shows_new_ones(tmp_path: Path) -> None:
    root = project(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert run_cli("lint", str(root), "--write-baseline", str(baseline)).returncode == 0
    clean = json.loads(run_cli("lint", str(root), "-f", "json", "--baseline", str(baseline)).stdout)
    assert clean["findings"] == [] and clean["summary"]["baselined"] > 0
    (root / "supabase" / "migrations" / "20240102000000_more.sql").write_text(
        "alter table public.orgs disable row level security;\n"
    )
    new = json.loads(run_cli("lint", str(root), "-f", "json", "--baseline", str(baseline)).stdout)
    assert {f["rule"] for f in new["findings"]} >= {"rls-disabled-by-migration"}


def test_fix_migrations_remove_the_findings(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = json.loads(run_cli("lint", str(root), "-f", "json").stdout)["findings"]
    fixable = {f["fingerprint"] for f in before if f["fix"]}
    assert fixable
    result = run_cli("fix", str(root))
    assert result.returncode == 0, result.stderr
    written = sorted((root / "supabase" / "migrations").glob("*pgvet_fix*.sql"))
    assert written
    fixed = load_project(root)
    for path in written:
        migration = fixed.file_named(path.name)
        assert migration is not None
        if migration.non_transactional:  # CONCURRENTLY: alone in its file
            assert len(migration.statements) == 1
    replay = run_cli("replay", str(root), "-f", "json")
    assert replay.returncode == 0, replay.stdout
    after = json.loads(run_cli("lint", str(root), "-f", "json").stdout)["findings"]
    remaining = {f["fingerprint"] for f in after}
    assert not (fixable & remaining)
    old_errors = {f["fingerprint"] for f in before if f["level"] == "error"}
    assert {f["fingerprint"] for f in after if f["level"] == "error"} <= old_errors
