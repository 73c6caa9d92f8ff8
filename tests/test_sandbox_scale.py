"""Sandbox settings sized for large projects: what works on stock PostgreSQL works here."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conftest import write_migrations
from pgvet.cli.main import app

TABLES = 4_000  # stock PostgreSQL 15 stops at about 3,200 in one transaction


def test_thousands_of_tables_in_one_migration(tmp_path: Path) -> None:
    sql = (
        f"do $$ begin for i in 1..{TABLES} loop\n"
        "  execute format('create table public.t%s (id int primary key, v text)', i);\n"
        "end loop; end $$;\n"
    )
    project = write_migrations(tmp_path, {"20240101000000_many.sql": sql})
    result = CliRunner().invoke(app, ["replay", str(project)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 of 1 files applied" in result.stdout
