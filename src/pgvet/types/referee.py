"""postgres-meta 0.99.0 as the referee: run it on the same database and compare.

Only tests, ``scripts/compare_types.py`` and ``bench/types.py`` use this; ``pgvet types``
never needs node. The package is installed with npm outside the repository
(``.ci/run`` puts it in ``/var/tmp/pgmeta``; ``$PGVET_POSTGRES_META`` names another
install). It reaches the sandbox over its unix socket: node-postgres takes a socket
folder as the URL's host when it is percent-encoded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

VERSION = "0.99.0"
DEFAULT_PREFIX = Path("/var/tmp/pgmeta")
_SERVER = Path("node_modules/@supabase/postgres-meta/dist/server/server.js")


def find_server() -> tuple[Path | None, str]:
    """postgres-meta's ``server.js`` and node, or None with the reason it cannot run."""
    if shutil.which("node") is None:
        return None, "node is not installed"
    prefix = Path(os.environ.get("PGVET_POSTGRES_META", DEFAULT_PREFIX))
    server = prefix / _SERVER
    if not server.is_file():
        return None, (
            f"postgres-meta is not installed in {prefix} "
            f"(npm install --prefix {prefix} @supabase/postgres-meta@{VERSION})"
        )
    return server, ""


def socket_url(sockdir: Path, port: int = 5432, user: str = "postgres") -> str:
    """A connection URL for a server listening on a unix socket in ``sockdir``."""
    return f"postgresql://{user}@{urllib.parse.quote(str(sockdir), safe='')}:{port}/postgres"


def run_postgres_meta(
    server: Path,
    url: str,
    lang: str,
    schemas: Sequence[str],
    *,
    one_to_one: bool = True,
    timeout: float = 300,
) -> str:
    """The types file postgres-meta prints for ``url``; RuntimeError when it fails.

    Its pool has one connection and ten queries waiting for it, each for at most 15 s by
    default: on a large catalog the last ones give up, so both limits follow ``timeout``.
    """
    env = dict(
        os.environ,
        PG_CONN_TIMEOUT_SECS=str(int(timeout)),
        PG_QUERY_TIMEOUT_SECS=str(int(timeout)),
        PG_META_GENERATE_TYPES=lang,
        PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS=",".join(schemas),
        PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS="true" if one_to_one else "false",
        PG_META_DB_URL=url,
    )
    done = subprocess.run(
        ["node", str(server)], env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if "Warning" not in ln]
        raise RuntimeError(f"postgres-meta failed ({done.returncode}): " + "\n".join(lines[-8:]))
    return done.stdout
