"""Migration-safety rules (M4xx) on real PostgreSQL replays: small projects written for one
behaviour each, the six public corpora (every assertion checked by reading the SQL), and
the planted problems of examples/clinic listed in its EXPECTED.md."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from conftest import CORPORA, EXAMPLE, ExampleDatabases, shared_replay, write_migrations
from pgvet.analysis.secrets import is_local_demo_token, jwt_claims
from pgvet.catalog import read_catalog
from pgvet.findings import Finding
from pgvet.replay.apply import replay
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import load_project
from pgvet.rules.registry import REGISTRY, LintContext

MIGRATION_RULES = sorted(r.name for r in REGISTRY.values() if r.code.startswith("M4"))


def lint(
    rule: str,
    files: dict[str, str],
    dbs: ExampleDatabases,
    tmp_path: Path,
    *,
    replayed: int | None = None,
) -> list[Finding]:
    """Replay ``files`` (or only the first ``replayed`` of them) into a fresh database,
    then run one rule on the catalog and on all of ``files``."""
    write_migrations(tmp_path, files)
    project = load_project(tmp_path)
    applied = replace(project, files=project.files[:replayed])
    with dbs.new() as conn:
        result = replay(conn, applied)
        assert result.ok, [f.failure for f in result.failed]
        catalog = read_catalog(conn)
    catalog = replace(catalog, origins=compute_origins(applied.files), partial=replayed is not None)
    return list(REGISTRY[rule].run(LintContext(catalog=catalog, project=project)))


def where(findings: list[Finding]) -> set[str]:
    return {f.location for f in findings}


BOOKINGS = """
create table public.bookings (
  id bigint generated always as identity primary key,
  customer_id uuid not null,
  status text
);
"""
F1, F2, F3 = "20240101000000_one.sql", "20240201000000_two.sql", "20240301000000_three.sql"


# --- index-without-concurrently ------------------------------------------------------------


def test_index_on_table_created_in_the_same_file_is_fine(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    """squawk flags this; the table is new and empty, and nobody else can see it yet."""
    sql = BOOKINGS + "create index idx_bookings_customer on public.bookings (customer_id);\n"
    assert lint("index-without-concurrently", {F1: sql}, example_dbs, tmp_path) == []


def test_index_on_table_of_an_earlier_file_is_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {F1: BOOKINGS, F2: "\ncreate index idx_b on bookings (customer_id);\n"}
    found = lint("index-without-concurrently", files, example_dbs, tmp_path)
    assert where(found) == {f"{F2}:2"}
    assert found[0].object == "index public.idx_b"
    assert "SHARE lock" in found[0].message
    assert found[0].advice == "create index concurrently idx_b on bookings (customer_id);"


def test_create_table_if_not_exists_of_an_existing_table_does_not_make_it_new(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: BOOKINGS.replace("create table", "create table if not exists")
        + "create index on public.bookings (status);\n",
    }
    found = lint("index-without-concurrently", files, example_dbs, tmp_path)
    assert [(f.object, f.detail) for f in found] == [("public.bookings", "status")]


def test_table_dropped_and_recreated_in_the_file_is_new(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "drop table public.bookings;\n"
        + BOOKINGS
        + "create index on public.bookings (status);",
    }
    assert lint("index-without-concurrently", files, example_dbs, tmp_path) == []


def test_concurrent_index_in_a_file_of_its_own_is_fine(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {F1: BOOKINGS, F2: "create index concurrently idx_s on public.bookings (status);"}
    assert lint("index-without-concurrently", files, example_dbs, tmp_path) == []
    assert lint("concurrently-in-transaction", files, example_dbs, tmp_path / "b") == []


def test_unique_constraint_without_using_index_is_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "alter table public.bookings add constraint b_status_key unique (status);\n"
        "create unique index concurrently idx_cust on public.bookings (customer_id);",
        F3: "alter table public.bookings add constraint b_cust_key unique using index idx_cust;\n",
    }
    found = lint("index-without-concurrently", files, example_dbs, tmp_path)
    assert [(f.location, f.detail) for f in found] == [(f"{F2}:1", "constraint b_status_key")]
    assert "ACCESS EXCLUSIVE" in found[0].message
    assert found[0].advice is not None and "unique using index b_status_key;" in found[0].advice


def test_if_not_exists_no_op_still_takes_the_lock(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    """Checked on PostgreSQL 15: the SHARE lock is taken before the name is looked up."""
    files = {
        F1: BOOKINGS + "create index if not exists idx_s on public.bookings (status);\n",
        F2: "create index if not exists idx_s on public.bookings (status);\n",
    }
    found = lint("index-without-concurrently", files, example_dbs, tmp_path)
    assert [f.location for f in found] == [f"{F2}:1"]
    assert "skips the build, but only after taking a SHARE lock" in found[0].message
    assert f"{F1}:" in found[0].message


# --- concurrently-in-transaction -----------------------------------------------------------


def test_concurrently_sharing_its_file_is_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "alter table public.bookings add column note text;\n"
        "drop index concurrently if exists public.idx_old;\n"
        "create index concurrently idx_s on public.bookings (status);\n",
    }
    found = lint("concurrently-in-transaction", files, example_dbs, tmp_path)
    assert where(found) == {f"{F2}:2", f"{F2}:3"}
    assert all("2 other statement(s)" in f.message for f in found)


def test_concurrently_after_an_explicit_begin_is_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "begin;\ncreate index concurrently idx_s on public.bookings (status);\ncommit;\n",
    }
    # PostgreSQL refuses the second file, so only the first is replayed for the catalog
    found = lint("concurrently-in-transaction", files, example_dbs, tmp_path, replayed=1)
    assert where(found) == {f"{F2}:2"}
    assert "`begin` at line 1" in found[0].message


def test_vacuum_in_a_migration_with_other_statements_is_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "update public.bookings set status = 'new' where status is null;\n"
        "vacuum analyze public.bookings;\nanalyze public.bookings;\n",
    }
    found = lint("concurrently-in-transaction", files, example_dbs, tmp_path)
    assert [(f.location, f.object) for f in found] == [(f"{F2}:2", "public.bookings")]
    assert found[0].message.startswith("`vacuum` cannot run in a transaction")


# --- constraint-without-not-valid ----------------------------------------------------------

CUSTOMERS = "create table public.customers (id uuid primary key default gen_random_uuid());\n"


def test_constraints_on_new_tables_and_new_columns_are_fine(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: CUSTOMERS + BOOKINGS + "alter table public.bookings add constraint b_fk "
        "foreign key (customer_id) references public.customers (id);\n",
        F2: "alter table public.bookings add column referrer uuid references public.customers;\n"
        "alter table public.bookings add constraint b_status check (status <> '') not valid;\n",
        F3: "alter table public.bookings validate constraint b_status;\n",
    }
    assert lint("constraint-without-not-valid", files, example_dbs, tmp_path) == []


def test_validated_constraints_on_existing_tables_are_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: CUSTOMERS + BOOKINGS,
        F2: "alter table public.bookings add constraint b_fk "
        "foreign key (customer_id) references public.customers (id);\n"
        "alter table public.bookings add constraint b_status check (status <> '');\n",
    }
    found = lint("constraint-without-not-valid", files, example_dbs, tmp_path)
    assert {(f.location, f.detail) for f in found} == {(f"{F2}:1", "b_fk"), (f"{F2}:2", "b_status")}
    fk = next(f for f in found if f.detail == "b_fk")
    assert "public.customers" in fk.message and "SHARE ROW EXCLUSIVE" in fk.message
    assert fk.advice and "not valid;" in fk.advice and "validate constraint b_fk" in fk.advice


# --- volatile-default-add-column -----------------------------------------------------------


def test_only_volatile_defaults_on_existing_tables_are_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS
        + "alter table public.bookings add column token uuid default gen_random_uuid();\n"
        "create function public.next_code() returns text language sql volatile "
        "as $$ select md5(random()::text) $$;\n",
        F2: "alter table public.bookings add column made_at timestamptz not null default now();\n"
        "alter table public.bookings add column seen_at timestamptz default clock_timestamp();\n"
        "alter table public.bookings add column code text default public.next_code();\n"
        "alter table public.bookings add column n bigserial;\n"
        "alter table public.bookings add column kind text not null default 'visit';\n",
    }
    found = lint("volatile-default-add-column", files, example_dbs, tmp_path)
    assert {(f.line, f.detail) for f in found} == {(2, "seen_at"), (3, "code"), (4, "n")}
    seen = next(f for f in found if f.detail == "seen_at")
    assert "clock_timestamp()" in seen.message
    assert seen.advice is not None and "set default clock_timestamp()" in seen.advice


# --- column-type-change --------------------------------------------------------------------


def test_binary_coercible_type_changes_are_not_flagged(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: "create extension if not exists citext with schema extensions;\n"
        "create table public.services (id int primary key, name varchar(50), code varchar(10),"
        " price numeric(8, 2), email text, slug text, qty int, label text);\n"
        "create index on public.services (slug);\n",
        F2: "alter table public.services alter column name type varchar(100);\n"  # 1
        "alter table public.services alter column code type text;\n"  # 2
        "alter table public.services alter column price type numeric(12, 2);\n"  # 3
        "alter table public.services alter column email type extensions.citext;\n"  # 4
        "alter table public.services alter column slug type extensions.citext;\n"  # 5 index
        "alter table public.services alter column qty type bigint;\n"  # 6 rewrite
        "alter table public.services alter column label type text using lower(label);\n",  # 7
    }
    found = lint("column-type-change", files, example_dbs, tmp_path)
    assert {(f.line, f.detail) for f in found} == {(5, "slug"), (6, "qty"), (7, "label")}
    by_col = {f.detail: f.message for f in found}
    assert "from integer to bigint rewrites every row" in by_col["qty"]
    assert "services_slug_idx is rebuilt" in by_col["slug"]
    assert "USING expression" in by_col["label"]


# --- set-not-null-without-check ------------------------------------------------------------


def test_set_not_null_needs_a_check_validated_in_an_earlier_file(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "alter table public.bookings add constraint s_nn check (status is not null)"
        " not valid;\n"
        "alter table public.bookings add constraint c_nn check (customer_id is not null)"
        " not valid;",
        F3: "alter table public.bookings validate constraint s_nn;\n"
        "alter table public.bookings validate constraint c_nn;\n"
        "alter table public.bookings alter column status set not null;\n"
        "alter table public.bookings alter column customer_id set not null;\n",
        "20240401000000_four.sql": "alter table public.bookings alter column status set not null;",
    }
    found = lint("set-not-null-without-check", files, example_dbs, tmp_path)
    # in the third file the checks are validated in the same transaction: no help
    assert {(f.location, f.detail) for f in found} == {
        (f"{F3}:3", "status"),
        (f"{F3}:4", "customer_id"),
    }


# --- drop-column, drop-table ---------------------------------------------------------------


def test_drops_of_existing_data_are_flagged_scratch_objects_are_not(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "create table public.scratch (id int, tmp text);\n"
        "alter table public.scratch drop column tmp;\n"
        "drop table public.scratch;\n"
        "alter table public.bookings drop column if exists never_existed;\n"
        "drop table if exists public.never_existed;\n"
        "alter table public.bookings drop column status;\n"
        "drop table public.bookings;\n",
    }
    columns = lint("drop-column", files, example_dbs, tmp_path)
    tables = lint("drop-table", files, example_dbs, tmp_path / "t")
    assert [(f.location, f.object, f.detail) for f in columns] == [
        (f"{F2}:6", "public.bookings", "status")
    ]
    assert [(f.location, f.object) for f in tables] == [(f"{F2}:7", "public.bookings")]


# --- rls-disabled-by-migration -------------------------------------------------------------


def test_only_tables_left_without_rls_are_reported(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    tables = "".join(
        f"create table public.{t} (id int primary key);\n"
        f"alter table public.{t} enable row level security;\n"
        for t in ("a", "b", "c")
    )
    files = {
        F1: tables,
        F2: "alter table public.a disable row level security;\n"
        "alter table public.b disable row level security;\n"
        "alter table public.c disable row level security;\n",
        F3: "alter table public.b enable row level security;\ndrop table public.c;\n",
    }
    found = lint("rls-disabled-by-migration", files, example_dbs, tmp_path)
    assert [(f.location, f.object) for f in found] == [(f"{F2}:1", "public.a")]
    assert found[0].fix == "alter table public.a enable row level security;"


# --- if-not-exists-skipped, redundant-create-index -----------------------------------------


def test_if_not_exists_with_another_definition_is_an_error_same_one_is_info(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS + "create index if not exists idx_a on public.bookings (status);\n"
        "create index if not exists idx_b on public.bookings (status);\n",
        F2: "create index if not exists idx_a on public.bookings using btree (status asc);\n"
        "create index if not exists idx_b on public.bookings (status) where status <> 'x';\n"
        "drop index public.idx_a;\n"
        "create index if not exists idx_a on public.bookings (customer_id);\n",
    }
    skipped = lint("if-not-exists-skipped", files, example_dbs, tmp_path)
    redundant = lint("redundant-create-index", files, example_dbs, tmp_path / "r")
    assert [(f.location, f.object) for f in skipped] == [(f"{F2}:2", "index public.idx_b")]
    assert f"{F1}:" in skipped[0].message and "where status" in skipped[0].message
    assert [f.location for f in redundant] == [f"{F2}:1"]


def test_create_table_if_not_exists_that_adds_columns_is_skipped(
    example_dbs: ExampleDatabases, tmp_path: Path
) -> None:
    files = {
        F1: BOOKINGS,
        F2: "create table if not exists public.bookings (id bigint primary key, "
        "customer_id uuid not null, status text, notes text, paid boolean default false);\n"
        "alter table public.bookings add column notes text;\n",
    }
    found = lint("if-not-exists-skipped", files, example_dbs, tmp_path)
    # notes was added right after by alter table: only paid is missing at the end
    assert [(f.location, f.detail) for f in found] == [(f"{F2}:1", "paid")]
    assert found[0].advice == (
        "alter table public.bookings add column if not exists paid boolean DEFAULT FALSE;"
    )


# --- secret-in-migration -------------------------------------------------------------------

# dbdev's public anon key (in its migrations) and the service_role demo key of
# `supabase start` (in chatbot-ui's): neither is a secret.
DBDEV_ANON = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InhtdXB0cHBsZnZpaWZy"
    "YndtbXR2Iiwicm9sZSI6ImFub24iLCJpYXQiOjE2ODAxMDczNzIsImV4cCI6MTk5NTY4MzM3Mn0.z2CN0mvO2No8w"
    "Si46Gw59DFGCTJrzM0AQKsu_5k134s"
)
LOCAL_DEMO_SERVICE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vf"
    "cm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
)
# role service_role, project ref abcdefghijklmnopqrst, signature made up
FORGED_SERVICE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImFiY2RlZmdoaWprbG1u"
    "b3BxcnN0Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ.bm90"
    "LWEtcmVhbC1zaWduYXR1cmUtanVzdC1hbi1leGFtcGxl"
)


def test_jwts_are_judged_by_their_payload_and_signature() -> None:
    assert jwt_claims(DBDEV_ANON)["role"] == "anon"  # type: ignore[index]
    assert jwt_claims(LOCAL_DEMO_SERVICE)["role"] == "service_role"  # type: ignore[index]
    assert is_local_demo_token(LOCAL_DEMO_SERVICE)
    assert jwt_claims(FORGED_SERVICE)["role"] == "service_role"  # type: ignore[index]
    assert not is_local_demo_token(FORGED_SERVICE)


def test_secrets_are_found_and_never_printed(example_dbs: ExampleDatabases, tmp_path: Path) -> None:
    password = "Tr0ub4dor-and-3"
    files = {
        F1: f"create table public.settings (key text primary key, value text);\n"
        f"insert into public.settings values ('anon', '{DBDEV_ANON}');\n"
        f"insert into public.settings values ('local', '{LOCAL_DEMO_SERVICE}');\n"
        f"insert into public.settings values ('service',\n  '{FORGED_SERVICE}');\n"
        f"create role pgvet_m411_reporter login password '{password}';\n"
        "alter role pgvet_m411_reporter password null;\n"
        "insert into public.settings values ('dsn', "
        "'postgresql://report:s3cr3t-Pw@db.example.com:5432/postgres');\n"
        "-- docs: postgres://postgres:[YOUR-PASSWORD]@db.abcdefghijklmnopqrst.supabase.co\n"
        "drop role pgvet_m411_reporter;\n",
    }
    found = lint("secret-in-migration", files, example_dbs, tmp_path)
    assert sorted((f.line, f.object, f.detail) for f in found) == [
        (5, "20240101000000_one.sql", "jwt#1"),
        (6, "role pgvet_m411_reporter", "password#1"),
        (8, "20240101000000_one.sql", "connection string#1"),
    ]
    for finding in found:
        shown = " ".join([finding.message, finding.fix or finding.advice or "", finding.detail])
        assert FORGED_SERVICE[20:] not in shown
        assert password not in shown and "s3cr3t-Pw" not in shown
    assert "service_role JWT of project abcdefghijklmnopqrst" in found[0].message


# --- the corpora ---------------------------------------------------------------------------


@cache
def corpus_findings(name: str) -> dict[str, list[Finding]]:
    """A real project, replayed once per session; every migration rule's findings on it."""
    path = EXAMPLE if name == "clinic" else CORPORA / name / "supabase"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    session = shared_replay(path)
    assert session.result.ok, [f.failure for f in session.result.failed]
    ctx = LintContext(catalog=session.catalog, project=session.project)
    return {rule: list(REGISTRY[rule].run(ctx)) for rule in MIGRATION_RULES}


def locations(name: str, rule: str) -> set[str]:
    return where(corpus_findings(name)[rule])


@pytest.mark.parametrize("name", ["basejump", "makerkit-lite"])
def test_clean_corpora_have_no_migration_findings(name: str) -> None:
    assert {r: f for r, f in corpus_findings(name).items() if f} == {}


def test_chatbot_ui() -> None:
    found = corpus_findings("chatbot-ui")
    # setup.sql:54 holds the local demo service_role key, signed with the CLI's public secret
    setup = (CORPORA / "chatbot-ui/supabase/migrations/20240108234540_setup.sql").read_text()
    assert LOCAL_DEMO_SERVICE in setup
    assert found["secret-in-migration"] == []
    assert locations("chatbot-ui", "drop-column") == {
        "20240213040255_remove_request_in_body_from_tools.sql:1"
    }
    assert {r: f for r, f in found.items() if f and r != "drop-column"} == {}


def test_dbdev_public_anon_keys_are_not_secrets() -> None:
    migrations = CORPORA / "dbdev/supabase/migrations"
    if not migrations.exists():
        pytest.skip("dbdev corpus is not here")
    tokens = set(re.findall(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+", _all_sql(migrations)))
    assert tokens == {DBDEV_ANON}
    assert corpus_findings("dbdev")["secret-in-migration"] == []
    assert {r: f for r, f in corpus_findings("dbdev").items() if f} == {}


def _all_sql(folder: Path) -> str:
    return "".join(p.read_text() for p in sorted(folder.glob("*.sql")))


def test_atomic_crm() -> None:
    assert locations("atomic-crm", "column-type-change") == {
        # timestamptz -> date with USING: a rewrite. The two text -> citext changes of
        # 20260320120000 (lines 8, 40) are binary-coercible and no index covers them.
        "20260226163952_deals_expected_closing_date_date_only.sql:3"
    }
    assert locations("atomic-crm", "drop-column") == {
        "20240807082449_remove-aquisition.sql:2",
        "20250109152531_email_jsonb.sql:7",
        *(f"20250113132531_phone_jsonb.sql:{n}" for n in (30, 31, 32, 33)),
    }
    assert locations("atomic-crm", "index-without-concurrently") == {
        "20240730075425_init_triggers.sql:42",  # sales was created by init_db.sql
        *(f"20260314120000_activity_log_view.sql:{n}" for n in (76, 77, 78, 79)),
    }
    # init_db.sql adds (and validates) its constraints on tables it creates itself
    assert corpus_findings("atomic-crm")["constraint-without-not-valid"] == []


def test_suna() -> None:
    found = corpus_findings("suna")
    assert locations("suna", "if-not-exists-skipped") == {
        # (commitment_end_date) exists since 20250923070217; (account_id, commitment_end_date)
        "20251013131022_billing_improvement.sql:13",
        # (status) exists since 20250818180950; (status, created_at desc) is skipped
        "20251015063310_billing_improvements_part2.sql:19",
        # credit_purchases exists since 20250818180950_topup_credits.sql:1: its new columns
        # stripe_session_id, error_message, note, updated_at never exist (checked in the
        # catalog); reconciled_at is added later by critical_billing_fixes.sql, so not listed
        "20251015063310_billing_improvements_part2.sql:3",
    }
    (table,) = [f for f in found["if-not-exists-skipped"] if f.object == "public.credit_purchases"]
    assert table.detail.startswith("stripe_session_id,error_message,note,updated_at,")
    drops = locations("suna", "drop-table")
    assert "20250705155923_rollback_workflows.sql:2" in drops  # workflow_flows, with data
    # dropped again by cleanup_db.sql after rollback_workflows.sql already dropped it
    assert "20250708123910_cleanup_db.sql:3" not in drops
    assert "20250723175911_cleanup_agents_table.sql:156" in locations(
        "suna", "set-not-null-without-check"
    )
    assert "20250705164211_fix_agent_workflows.sql:4" in locations(
        "suna", "constraint-without-not-valid"
    )
    assert "20250908082546_rename_user_id_to_account_id_billing.sql:12" in locations(
        "suna", "index-without-concurrently"
    )
    assert "20250723175911_cleanup_agents_table.sql:94" in locations("suna", "drop-column")
    # add constraint unique_stripe_event unique (stripe_event_id) on the existing credit_ledger
    assert "20251013131022_billing_improvement.sql:6" in locations(
        "suna", "index-without-concurrently"
    )
    for rule in ("concurrently-in-transaction", "secret-in-migration", "column-type-change"):
        assert found[rule] == [], rule


# --- examples/clinic -----------------------------------------------------------------------

#: EXPECTED.md kinds this family answers for, and the rules that report them
KIND_RULES = {
    "non-concurrent-index": {"index-without-concurrently"},
    "fk-without-not-valid": {"constraint-without-not-valid"},
    "constraint-without-not-valid": {"constraint-without-not-valid"},
    "column-type-change": {"column-type-change"},
    "drop-column": {"drop-column"},
    "drop-table": {"drop-table"},
    "rls-disabled": {"rls-disabled-by-migration"},
    "if-not-exists-skipped": {"if-not-exists-skipped", "redundant-create-index"},
    "concurrently-in-transaction": {"concurrently-in-transaction"},
    "volatile-default": {"volatile-default-add-column"},
    "set-not-null": {"set-not-null-without-check"},
    "secret-in-migration": {"secret-in-migration"},
    "service-role-key": {"secret-in-migration"},
}
_ROW = re.compile(
    r"^\|\s*([\w-]+)\s*\|\s*([\w-]+)\s*\|[^|]*\|\s*(\S+\.sql)\s*\|\s*(\d+)\s*\|", re.M
)


def expected_locations() -> dict[str, set[str]]:
    """``kind -> {file:line}`` from the table and the fenced lists of EXPECTED.md."""
    text = (EXAMPLE / "EXPECTED.md").read_text()
    out: dict[str, set[str]] = {}
    for _id, kind, file, line in _ROW.findall(text):
        out.setdefault(kind, set()).add(f"{file}:{line}")
    for kind, body in re.findall(r"```([\w-]+)\n(.*?)```", text, re.S):
        for entry in body.splitlines():
            match = re.match(r"(\S+\.sql:\d+)\s", entry)
            if match:
                out.setdefault(kind, set()).add(match.group(1))
    return out


@pytest.fixture(scope="module")
def clinic() -> dict[str, list[Finding]]:
    if not (EXAMPLE / "EXPECTED.md").exists():
        pytest.skip("examples/clinic/EXPECTED.md is not here")
    return corpus_findings("clinic")


def test_clinic_planted_problems_are_found_where_expected(
    clinic: dict[str, list[Finding]],
) -> None:
    expected = expected_locations()
    mine = {kind: spots for kind, spots in expected.items() if kind in KIND_RULES}
    assert mine, "EXPECTED.md lists none of this family's kinds"
    for kind, spots in mine.items():
        found = {f.location for rule in KIND_RULES[kind] for f in clinic[rule]}
        assert spots <= found, (kind, sorted(spots - found))


def test_clinic_has_no_unexpected_migration_findings(clinic: dict[str, list[Finding]]) -> None:
    expected = expected_locations()
    allowed: dict[str, set[str]] = {}
    for kind, rules in KIND_RULES.items():
        for rule in rules:
            allowed.setdefault(rule, set()).update(expected.get(kind, set()))
    for rule, findings in clinic.items():
        extra = {f.location for f in findings} - allowed.get(rule, set())
        assert not extra, (rule, sorted(extra))


def test_clinic_rls_left_off_matches_the_expected_list(clinic: dict[str, list[Finding]]) -> None:
    text = (EXAMPLE / "EXPECTED.md").read_text()
    fenced = re.search(r"```rls-off\n(.*?)```", text, re.S)
    if fenced is None:
        pytest.skip("no rls-off list in EXPECTED.md")
    left_off = set(fenced.group(1).split())
    assert {f.object for f in clinic["rls-disabled-by-migration"]} == left_off
