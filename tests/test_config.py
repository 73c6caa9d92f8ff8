"""Typed settings: a wrong type, an unknown key or an unknown rule is one clear error that
names the file, the key and what was expected (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app
from pgvet.config import load_config


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ('exposed_schemas = "api"', "lint.exposed_schemas: Input should be a valid list"),
        (
            'unused_index_min_days = "seven"',
            "lint.unused_index_min_days: Input should be a valid integer",
        ),
        (
            "unused_index_min_days = -1",
            "lint.unused_index_min_days: Input should be greater than or equal to 0",
        ),
        ('ignore = "redundant-index"', "lint.ignore: Input should be a valid list"),
        ('ignore = ["no-such-rule"]', "lint.ignore: unknown rule(s) no-such-rule"),
        (
            'levels = { "redundant-index" = "loud" }',
            "lint.levels.redundant-index: Input should be 'error', 'warn' or 'info'",
        ),
        ('ignore_objects = { "nope" = ["public.t"] }', "lint.ignore_objects: unknown rule(s) nope"),
        ("colour = true", "unknown setting lint.colour"),
    ],
)
def test_bad_lint_setting_is_one_clear_error(tmp_path: Path, setting: str, says: str) -> None:
    project = write_migrations(tmp_path, {"20240101000000_t.sql": "create table t (id int);"})
    (project / "pgvet.toml").write_text(f"[lint]\n{setting}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", str(project)], env={"COLUMNS": "1000"})
    err = result.stderr.replace("\n", " ")
    assert result.exit_code == 2
    assert "pgvet.toml" in err and says in err
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_top_level_key_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "pgvet.toml").write_text('tenant_colums = ["org_id"]\n', encoding="utf-8")
    with pytest.raises(Exception, match="unknown setting tenant_colums") as caught:
        load_config(tmp_path)
    assert "tenant_columns" in (caught.value.hint or "")  # type: ignore[attr-defined]


def test_good_settings_load(tmp_path: Path) -> None:
    (tmp_path / "pgvet.toml").write_text(
        'tenant_columns = ["org_id"]\n[domains]\ncrm = ["sales_*"]\n'
        '[lint]\nignore = ["redundant-index"]\nlevels = { "I101" = "info" }\n'
        'exposed_schemas = ["public", "api"]\nunused_index_min_days = 14\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.tenant_columns == ("org_id",) and config.domains == {"crm": ("sales_*",)}
    assert config.raw["lint"]["exposed_schemas"] == ["public", "api"]
