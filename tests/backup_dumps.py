"""Backups of a real database, written the way their tools write them, for the backup tests.

``supabase_dump`` mirrors the Supabase CLI's ``db dump`` (its pg_dump / pg_dumpall flags and
its sed filters, from supabase/cli ``internal/db/dump/templates``): three files, roles,
schema and data, each ending with ``RESET ALL;``. ``archive_dump`` is plain pg_dump in its
custom, directory or tar format. Both run the sandbox installation's own binaries against
its unix socket, as the project role ``postgres`` (as the CLI connects).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from conftest import EXAMPLE, prepared_with_tools
from pgvet.backup.snapshot import DATA_EXCLUDED_SCHEMAS, RESERVED_ROLES
from pgvet.catalog.introspect import DEFAULT_EXCLUDED
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project
from pgvet.sandbox import cluster

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}


@contextlib.contextmanager
def clinic_source(major: int = 15) -> Iterator[cluster.Server]:
    """The clinic example replayed with its seed: the database the backups are taken of."""
    project = load_project(EXAMPLE)
    prepared_with_tools(major, "pg_dump", "pg_dumpall", "pg_restore")
    with replayed_project(EXAMPLE, project=project, pg_version=major) as session:
        assert session.result.ok
        for seed in project.seed_paths:
            with session.conn.transaction():
                session.conn.execute(seed.read_text().encode())
        yield session.server


def _run(server: cluster.Server, tool: str, *args: str) -> str:
    cmd = [str(server.prepared.bindir / tool), "-h", str(server.sockdir), "-p", "5432"]
    done = subprocess.run(
        [*cmd, "-U", "postgres", *args], capture_output=True, text=True, env=ENV, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sed(text: str, *rules: tuple[str, str]) -> str:
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text, flags=re.M)
    return text


def supabase_dump(server: cluster.Server, folder: Path) -> tuple[Path, Path, Path]:
    """roles.sql, schema.sql and data.sql as `supabase db dump` writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    internal = "|".join(sorted(DEFAULT_EXCLUDED - {"pg_catalog", "pg_toast"})) + "|pg_*"
    reserved = "|".join(sorted(RESERVED_ROLES))
    roles = _run(
        server,
        "pg_dumpall",
        "--roles-only",
        "--quote-all-identifier",
        "--no-role-passwords",
        "--no-comments",
        "-l",
        "postgres",
    )
    roles = _sed(
        roles,
        (rf'^CREATE ROLE "({reserved})"', r"-- \g<0>"),
        (rf'^ALTER ROLE "({reserved})"', r"-- \g<0>"),
        (rf'GRANT ".*" TO "({reserved})"', r"-- \g<0>"),
        # the sandbox's own wall (docs/privileges.md): postgres is made a member of the
        # host roles so that granting them is a loop; no such grant exists on the platform
        (r'^GRANT "postgres" TO "pg_\w+"', r"-- \g<0>"),
        (r"^\\(un)?restrict .*$", r"-- \g<0>"),
        (r"^--.*\n", ""),
    )
    schema = _run(
        server,
        "pg_dump",
        "--schema-only",
        "--quote-all-identifier",
        "--role",
        "postgres",
        "--exclude-schema",
        internal,
        "--extension",
        "*",
        "--no-comments",
        "-d",
        "postgres",
    )
    schema = _sed(
        schema,
        (r'^ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin"', r"-- \g<0>"),
        (rf'^GRANT (.+) ON (.+) "({internal})"', r"-- \g<0>"),
        (rf'^REVOKE (.+) ON (.+) "({internal})"', r"-- \g<0>"),
        (r"^\\(un)?restrict .*$", r"-- \g<0>"),
        (r"^--.*\n", ""),
    )
    data_excluded = "|".join(sorted(DATA_EXCLUDED_SCHEMAS)) + "|pg_*"
    data = _run(
        server,
        "pg_dump",
        "--data-only",
        "--quote-all-identifier",
        "--role",
        "postgres",
        "--exclude-schema",
        data_excluded,
        "--exclude-table",
        "auth.schema_migrations",
        "--exclude-table",
        "storage.migrations",
        "--exclude-table",
        "supabase_functions.migrations",
        "--schema",
        "*",
        "-d",
        "postgres",
    )
    data = _sed(data, (r"^\\(un)?restrict .*$", r"-- \g<0>"))
    paths = (folder / "roles.sql", folder / "schema.sql", folder / "data.sql")
    paths[0].write_text(roles + "RESET ALL;\n")
    paths[1].write_text(schema + "RESET ALL;\n")
    paths[2].write_text("SET session_replication_role = replica;\n\n" + data + "RESET ALL;\n")
    return paths


def archive_dump(server: cluster.Server, path: Path, fmt: str) -> Path:
    """A full pg_dump in ``fmt`` (c, d or t), as the superuser, as a self-hosted operator
    takes one (restored with --superuser --empty-target)."""
    cmd = [str(server.prepared.bindir / "pg_dump"), "-h", str(server.sockdir), "-p", "5432"]
    args = ["-U", "supabase_admin", f"-F{fmt}", "-f", str(path), "-d", "postgres"]
    done = subprocess.run([*cmd, *args], capture_output=True, text=True, env=ENV, check=False)
    assert done.returncode == 0, done.stderr
    return path
