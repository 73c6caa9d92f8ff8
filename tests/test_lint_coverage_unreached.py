"""The lint coverage table names what never reached the sandbox: a table or index whose
migration failed has no grade, and the table says so (with the file that would have created
it) instead of leaving it out as if it had never existed."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, write_migrations

BROKEN = {
    "1_a.sql": "create table public.orders (id int primary key, customer_id int);\n"
    "create index orders_customer on public.orders (customer_id);\n",
    "2_broken.sql": "create table public.lost (id int primary key, org_id uuid);\n"
    "create index lost_org on public.lost (org_id);\nselect nope;\n",
    "3_idx.sql": "create index orders_missing on public.orders (nope);\n",
}
NOT_REVIEWED = [
    ("table", "public.lost", "never reached the sandbox: created at 2_broken.sql:1, in a file"),
    ("index", "public.lost_org", "never reached the sandbox: created at 2_broken.sql:2, in a file"),
    ("index", "public.orders_missing", "never reached the sandbox: created at 3_idx.sql:1, in a"),
]


def test_json_coverage_lists_what_was_not_reviewed(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, BROKEN)
    result = run_cli("lint", str(root), "--coverage", "--keep-going", "-f", "json")
    assert result.returncode == 1, result.stderr  # replay-failed findings
    coverage = json.loads(result.stdout)["coverage"]
    assert [(t["table"], t["grade"], t["indexes"]) for t in coverage["tables"]] == [
        ("public.orders", "A", 2)
    ]
    got = [(n["kind"], n["name"], n["why"]) for n in coverage["not_reviewed"]]
    assert [(k, n) for k, n, _ in got] == [(k, n) for k, n, _ in NOT_REVIEWED]
    for (_, _, why), (_, _, says) in zip(got, NOT_REVIEWED, strict=True):
        assert why.startswith(says)


def test_text_coverage_says_not_reviewed(tmp_path: Path) -> None:
    root = write_migrations(tmp_path, BROKEN)
    result = run_cli("lint", str(root), "--coverage", "--keep-going")
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert any(line.startswith("│ public.orders ") and " A " in line for line in lines)
    assert "3 object(s) never reached the sandbox: not reviewed" in " ".join(lines)
    for kind, name, why in NOT_REVIEWED:
        said = f"{kind} {name}: not reviewed, {why}"
        assert any(line.startswith(said) for line in lines), said
    assert any(line.startswith("│ index public.lost_org ") for line in lines)


def test_markdown_coverage_and_a_clean_project(tmp_path: Path) -> None:
    root = write_migrations(tmp_path / "broken", BROKEN)
    result = run_cli("lint", str(root), "--coverage", "--keep-going", "-f", "markdown")
    assert "| public.lost | - | - | - | - | - | - | not reviewed (see below) |" in result.stdout
    assert "- index public.lost_org: not reviewed, never reached the sandbox: created at" in (
        result.stdout
    )
    clean = write_migrations(tmp_path / "clean", {"1_a.sql": BROKEN["1_a.sql"]})
    result = run_cli("lint", str(clean), "--coverage", "-f", "json")
    assert json.loads(result.stdout)["coverage"]["not_reviewed"] == []
