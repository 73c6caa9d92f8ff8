"""Typed settings: a wrong type, an unknown key or an unknown rule is one clear error that
names the file, the key and what was expected (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app
from pgvet.config import load_config
from pgvet.errors import InputError


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ('exposed_schemas = "api"', "[lint] exposed_schemas: expected a list"),
        (
            'unused_index_min_days = "seven"',
            "[lint] unused_index_min_days: expected a whole number",
        ),
        (
            "unused_index_min_days = -1",
            "[lint] unused_index_min_days: Input should be greater than or equal to 0",
        ),
        ('ignore = "redundant-index"', "[lint] ignore: expected a list"),
        ('ignore = ["no-such-rule"]', "[lint] ignore: unknown rule(s) no-such-rule"),
        (
            'levels = { "redundant-index" = "loud" }',
            "[lint] levels.redundant-index: Input should be 'error', 'warn' or 'info'",
        ),
        (
            'ignore_objects = { "nope" = ["public.t"] }',
            "[lint] ignore_objects: unknown rule(s) nope",
        ),
        ("colour = true", "unknown setting [lint] colour"),
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


@pytest.mark.parametrize(
    ("section", "says", "hint"),
    [
        ("[rls]\nseed = 1\n", "[rls] seed: expected true or false (got 1)", None),
        (
            "[rls]\nmin_coverage = 101\n",
            "[rls] min_coverage: expected a percentage, 0 to 100",
            None,
        ),
        ("[rls.tenancy]\nroots = 'public.orgs'\n", "[rls] tenancy.roots: expected a list", None),
        (
            "[rls]\ntenant_root = ['public.orgs']\n",
            "unknown setting [rls] tenant_root",
            "tenant_roots",
        ),
        ("[rls.tenancy]\nclaims = 'x'\n", "unknown setting [rls] tenancy.claims", "claim"),
        (
            "[[rls.expect]]\npersona = 'anon'\ntable = 't'\nvisible = 'none'\nmode = 'x'\n",
            "unknown setting [rls] expect[0].mode",
            "visible",
        ),
        (
            '[replay]\ntimeout = "forever"\n',
            "[replay] timeout: 'forever' is not a duration",
            "5min",
        ),
        ('[replay]\ndecode_bom = "yes"\n', "[replay] decode_bom: expected true or false", None),
        ("[replay]\nprelude = [1]\n", "[replay] prelude: expected a list of .sql paths", "sql/"),
        (
            '[replay]\nstatement-timeout = "1s"\n',
            "unknown setting [replay] statement-timeout",
            None,
        ),
        (
            '[inspect]\ncache_hit_rate = "99%"\n',
            "[inspect] cache_hit_rate: expected a number (got '99%')",
            None,
        ),
        (
            "[inspect]\nseq_scan_rows = 1e4\n",
            "[inspect] seq_scan_rows: expected a whole number",
            None,
        ),
        (
            "[inspect]\nexclude_schemas = 'auth'\n",
            "[inspect] exclude_schemas: expected a list",
            None,
        ),
        ("[inspect]\ncache_hit = 99\n", "unknown setting [inspect] cache_hit", "cache_hit_rate"),
        ("inspect = 3\n", "[inspect]: expected a table (got 3)", None),
    ],
)
def test_bad_section_setting_names_file_key_and_expectation(
    tmp_path: Path, section: str, says: str, hint: str | None
) -> None:
    (tmp_path / "pgvet.toml").write_text(section, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(tmp_path)
    message = caught.value.message
    assert message.startswith(f"{tmp_path / 'pgvet.toml'}: ") and says in message
    assert "\n" not in message
    if hint is not None:
        assert hint in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("command", "section"),
    [
        (["replay"], '[replay]\nsuperuser = "no"\n'),
        (["rls", "test"], "[rls]\nauto = 0\n"),
        (["inspect", "--db", "postgresql:///nowhere?host=/nonexistent"], "[inspect]\np95 = 1\n"),
    ],
    ids=["replay", "rls", "inspect"],
)
def test_bad_section_is_exit_2_before_anything_runs(
    tmp_path: Path, command: list[str], section: str
) -> None:
    project = write_migrations(tmp_path, {"20240101000000_t.sql": "create table t (id int);"})
    (project / "pgvet.toml").write_text(section, encoding="utf-8")
    args = [*command] if "--db" in command else [*command, str(project)]
    if "--db" in command:
        args += ["--config", str(project / "pgvet.toml")]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "1000"})
    err = result.stderr.replace("\n", " ")
    assert result.exit_code == 2, result.stderr
    assert "pgvet.toml: " in err and "Traceback" not in result.stdout + result.stderr
    assert (
        ("unknown setting [inspect] p95" in err)
        if "--db" in command
        else ("expected true or false" in err)
    )


def test_sections_are_typed_with_their_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path).replay.statement_timeout is None  # no file: the defaults
    (tmp_path / "pgvet.toml").write_text(
        '[replay]\nstatement_timeout = "90s"\ntimeout = 600\nprelude = ["sql/a.sql"]\n'
        "decode_bom = true\n"
        '[inspect]\nindex_hit_rate = 90\nlong_running = "2min"\nexclude_schemas = ["auth"]\n'
        "[rls]\nmin_coverage = 80\n[rls.tenancy]\nclaim = 'org_id'\n"
        "[rls.personas.owner]\nemail = 'o@x.test'\n"
        "[[rls.expect]]\npersonas = ['owner', 'anon']\ntables = ['a', 'crm.b']\n"
        "deny = ['DELETE']\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert (config.replay.statement_timeout, config.replay.timeout) == (90.0, 600.0)
    assert config.replay.prelude == ("sql/a.sql",) and config.replay.decode_bom is True
    assert config.replay.superuser is False
    assert config.inspect.index_hit_rate == 90.0 and config.inspect.long_running == 120.0
    assert config.inspect.exclude_schemas == ("auth",) and config.inspect.p95_ms == 200.0
    assert config.rls.min_coverage == 80.0 and config.rls.tenancy.claim == "org_id"
    assert config.rls.auto is True and config.rls.expect[0].deny == ("delete",)
    assert config.rls.expect[0].who == ("owner", "anon")
