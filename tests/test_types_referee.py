"""Byte identity with postgres-meta 0.99.0 (what `supabase gen types` runs) on the clinic
example and every shared corpus, TypeScript and Python, on the same replayed sandbox."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from conftest import CORPORA, EXAMPLE, CorpusFolder, shared_replay
from pgvet.replay.session import Replayed
from pgvet.types.command import TypesRequest, generate
from pgvet.types.introspect import read_types_meta
from pgvet.types.referee import find_server, run_postgres_meta, socket_url

SERVER, WHY_NOT = find_server()
pytestmark = pytest.mark.skipif(SERVER is None, reason=f"referee unavailable: {WHY_NOT}")

CORPUS_ROOT = Path(os.environ.get("PGVET_CORPORA", CORPORA))
# Each project with the schemas its API uses besides public.
PROJECTS = {
    "clinic": (EXAMPLE, ("public",)),
    "basejump": (CORPUS_ROOT / "basejump" / "supabase", ("public", "basejump")),
    "chatbot-ui": (CORPUS_ROOT / "chatbot-ui" / "supabase", ("public", "storage")),
    "dbdev": (CORPUS_ROOT / "dbdev" / "supabase", ("public", "app")),
    "atomic-crm": (CORPUS_ROOT / "atomic-crm" / "supabase", ("public", "private")),
    "suna": (CORPUS_ROOT / "suna" / "supabase", ("public", "basejump")),
    "makerkit-lite": (CORPUS_ROOT / "makerkit-lite" / "supabase", ("public", "kit")),
    "liam": (CORPUS_ROOT / "liam" / "supabase", ("public",)),
    "onlook": (CORPUS_ROOT / "onlook" / "supabase", ("public",)),
    "vcon-mcp": (CORPUS_ROOT / "vcon-mcp" / "supabase", ("public",)),
    "tenant-rbac": (CORPUS_ROOT / "tenant-rbac" / "supabase", ("public", "rbac")),
}


@pytest.fixture(params=sorted(PROJECTS))
def project(request: pytest.FixtureRequest) -> tuple[Replayed, tuple[str, ...]]:
    """Each project as the session replayed it (once, shared, read-only)."""
    path, schemas = PROJECTS[request.param]
    if not path.is_dir():
        pytest.skip(CorpusFolder.REASON)
    return shared_replay(path, keep_going=True), schemas


@pytest.mark.parametrize("lang", ["typescript", "python"])
@pytest.mark.parametrize("one_schema", [True, False], ids=["public", "own-schemas"])
def test_identical_to_postgres_meta(
    project: tuple[Replayed, tuple[str, ...]], lang: str, one_schema: bool
) -> None:
    session, schemas = project
    if one_schema:
        schemas = ("public",)
    elif schemas == ("public",):
        pytest.skip("the project uses public only")
    assert SERVER is not None
    theirs = run_postgres_meta(SERVER, socket_url(session.server.sockdir), lang, schemas)
    assert ("export type Database" if lang == "typescript" else "from pydantic import") in theirs
    meta = read_types_meta(session.conn, schemas)
    mine = generate(meta, TypesRequest(lang=lang, schemas=schemas))  # type: ignore[arg-type]
    if mine != theirs:
        diff = difflib.unified_diff(
            theirs.splitlines(), mine.splitlines(), "postgres-meta", "pgvet", lineterm=""
        )
        pytest.fail("pgvet differs from postgres-meta:\n" + "\n".join(list(diff)[:80]))
