"""Every extension the migrations create that this server cannot give them, said once.

A replay stops at the first ``create extension`` that fails; a project that needs three
extensions the sandbox lacks would learn about them one fix and one run at a time. Before
replaying, the project's ``CREATE EXTENSION`` statements (parsed with pglast; prelude files
included) are checked against the sandbox's own ``pg_available_extensions`` and the
platform's list (:data:`pgvet.sandbox.platform.EXTENSIONS`). Each one missing is told with
what Supabase offers and what to do; what another installed server has is read from its
control files, so "use --pg-version N" is said only where it is true. The same message is
the preflight warning and the hint of the failure it causes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from pgvet.analysis.sql.parse import statements
from pgvet.replay.project import MigrationFile
from pgvet.sandbox import binaries
from pgvet.sandbox.platform import EXTENSIONS, NOT_PERMITTED

_KIND = {name: kind for name, _, kind, _ in EXTENSIONS}
#: Debian's packages (PGDG / Debian archive) for extensions the platform offers that pgvet
#: has no stand-in for; ``{major}`` is the server's major.
_DEBIAN = {
    "address_standardizer": "postgresql-{major}-postgis-3",
    "address_standardizer_data_us": "postgresql-{major}-postgis-3",
    "pg_repack": "postgresql-{major}-repack",
    "pgaudit": "postgresql-{major}-pgaudit",
    "pgrouting": "postgresql-{major}-pgrouting",
    "pgtap": "postgresql-{major}-pgtap",
    "postgis": "postgresql-{major}-postgis-3",
    "postgis_raster": "postgresql-{major}-postgis-3",
    "postgis_sfcgal": "postgresql-{major}-postgis-3",
    "postgis_tiger_geocoder": "postgresql-{major}-postgis-3",
    "postgis_topology": "postgresql-{major}-postgis-3",
    "rum": "postgresql-{major}-rum",
}
#: what the failure of a ``create extension`` names
FAILED_EXTENSION = re.compile(r'extension "([^"]+)"|extension/([\w-]+)\.control')


@dataclass(frozen=True)
class MissingExtension:
    """An extension a migration creates that the replay cannot create."""

    name: str
    places: tuple[str, ...]  # file:line of each create extension
    supabase: str  # what the platform offers
    todo: str  # what to do about it

    def sentence(self) -> str:
        where = ", ".join(self.places[:3]) + (" …" if len(self.places) > 3 else "")
        return f"extension {self.name} ({where}): {self.supabase}; {self.todo}"


def created_extensions(
    files: Iterable[MigrationFile],
) -> dict[str, list[str]]:
    """Extension name → where each top-level ``CREATE EXTENSION`` creates it, in order."""
    found: dict[str, list[str]] = {}
    for migration in files:
        for stmt in migration.statements:
            if "extension" not in stmt.text.lower():
                continue
            for node in statements(stmt.text) or ():
                create = node.get("CreateExtensionStmt")
                if create and create.get("extname"):
                    found.setdefault(create["extname"], []).append(stmt.location)
    return found


def missing_extensions(
    conn: psycopg.Connection,
    files: Iterable[MigrationFile],
    *,
    major: int,
    superuser: bool = False,
) -> list[MissingExtension]:
    """The extensions ``files`` create that this sandbox has no control file for, and (as
    Supabase's ``postgres``, not ``superuser``) those the platform does not offer."""
    wanted = created_extensions(files)
    if not wanted:
        return []
    rows = conn.execute(
        "select name from pg_catalog.pg_available_extensions where name = any(%s)",
        (list(wanted),),
    ).fetchall()
    here = {name for (name,) in rows}
    out = []
    for name, places in wanted.items():
        offered = name in _KIND
        if name in here and (offered or superuser):
            continue
        out.append(MissingExtension(name, tuple(places), *_advice(name, here, major)))
    return out


def _advice(name: str, here: set[str], major: int) -> tuple[str, str]:
    if name not in _KIND:
        if name in here:
            return (
                f"{NOT_PERMITTED} (not on the platform's extension list, so the deploy fails "
                "the same way)",
                "remove it, or replay a self-hosted project with --superuser",
            )
        return (
            "Supabase does not offer it and this server has no such extension",
            "remove it (the deploy fails too) or check its name",
        )
    part = " (part of PostgreSQL)" if _KIND[name] == "postgres" else ""
    ways = []
    others = sorted({i.major for i in binaries.discover() if i.major != major and _has(i, name)})
    if others:
        ways.append(f"replay with --pg-version {others[-1]}, whose server has it")
    if package := _DEBIAN.get(name):
        ways.append(
            f"install Debian's {package.format(major=major)} (pgvet then uses the system "
            f"PostgreSQL {major})"
        )
    if not ways:
        ways.append("no server or package pgvet knows of has it")
    return f"Supabase offers it{part}, this server has not", " or ".join(ways)


def _has(installation: binaries.Installation, name: str) -> bool:
    return (installation.sharedir / "extension" / f"{name}.control").is_file()


def summary(missing: list[MissingExtension]) -> str:
    """One message for every missing extension, numbered, with what to do meanwhile."""
    count = f"{len(missing)} extensions" if len(missing) > 1 else "an extension"
    items = " ".join(f"({n}) {m.sentence()}." for n, m in enumerate(missing, 1))
    return (
        f"the migrations create {count} this sandbox cannot: {items} Meanwhile --keep-going "
        "reviews the rest (what needs them is listed as never reached)"
    )


def failed_extension(message: str) -> str | None:
    """The extension a failure's message names, if it is about one."""
    m = FAILED_EXTENSION.search(message)
    return (m.group(1) or m.group(2)) if m else None
