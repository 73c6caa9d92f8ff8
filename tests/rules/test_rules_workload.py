"""workload-filter-not-indexed, on real replays.

Three kinds of proof: the clinic example, whose workload.sql and migrations were read by
hand (the planted ``sales-leads-status-unindexed`` row of EXPECTED.md, two more true
findings, and the lookups existing indexes serve, which must stay quiet); a small project
built for the tricky cases (tenant column first, range column last, joins, correlated
sub-selects, partial indexes, foreign keys another rule reports, small tables on a live
database, the configured path); and the rule's own docstring examples, replayed with the
workload their comment shows. Every suggested fix is applied and the rule run again: the
finding must be gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import EXAMPLE, shared_copy, shared_replay, write_migrations
from pgvet.analysis.workload import bind_placeholders, parse_workload, query_needs
from pgvet.catalog import read_catalog
from pgvet.config import Config, load_config
from pgvet.errors import InputError
from pgvet.findings import Finding
from pgvet.replay.origins import compute_origins
from pgvet.replay.session import Replayed, replayed_project
from pgvet.rules.registry import REGISTRY, LintContext

RULE = "workload-filter-not-indexed"
EXPECTED = EXAMPLE / "EXPECTED.md"


def context(s: Replayed, config: Config | None = None, *, fresh: bool = False, live: bool = False):
    catalog = s.catalog
    if fresh:
        catalog = replace(read_catalog(s.conn), origins=compute_origins(s.result.applied_files))
    return LintContext(catalog=catalog, project=s.project, config=config or Config(), live=live)


def run(ctx: LintContext) -> list[Finding]:
    return list(REGISTRY[RULE].run(ctx))


def by_table(findings: list[Finding]) -> dict[str, Finding]:
    out = {f.object: f for f in findings}
    assert len(out) == len(findings), [f.object for f in findings]
    return out


def apply_fixes(s: Replayed, findings: list[Finding]) -> None:
    for finding in findings:
        assert finding.fix and finding.fix.startswith("create index concurrently if not exists")
        s.conn.execute(finding.fix)


# --- the workload file ---------------------------------------------------------------------


def test_placeholders_become_parameters() -> None:
    sql = "select %(a)s, %(b)s, %(a)s, %s, '100%%' where x like 'a%%'"
    assert bind_placeholders(sql) == "select $1, $2, $1, $3, '100%' where x like 'a%'"


def test_named_queries_and_plain_files() -> None:
    named = parse_workload(
        '-- params: {"id": 1}\n\n-- name: one\nselect 1 where id = %(id)s;\n\n'
        "-- name: two :many\nselect 2;\n"
    )
    assert [(q.name, q.line) for q in named] == [("one", 4), ("two", 7)]
    assert "$1" in named[0].sql
    plain = parse_workload("-- the app\nselect 1;\n\nselect 2\n  from t where a = %s;\n")
    assert [(q.name, q.line) for q in plain] == [("query 1", 2), ("query 2", 4)]
    assert "a = $1" in plain[1].sql


# --- the clinic example --------------------------------------------------------------------


def expected_row(row_id: str) -> dict[str, str]:
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] == row_id:
            keys = ("id", "kind", "object", "file", "line", "description")
            return dict(zip(keys, cells, strict=True))
    raise AssertionError(f"{row_id} is not in EXPECTED.md")


@pytest.fixture(scope="module")
def clinic() -> Replayed:
    if not (EXAMPLE / "workload.sql").is_file():
        pytest.skip("examples/clinic/workload.sql is not there")
    s = shared_replay(EXAMPLE)
    assert s.result.ok
    return s


def test_clinic_sales_leads_status(clinic: Replayed) -> None:
    """lead_dashboard and lead_list filter sales_leads on (clinic_id, sales_user_id);
    the dashboard groups and sorts by status, the list drops won/lost leads by status.
    Only (clinic_id) and (created_at) are indexed."""
    row = expected_row("sales-leads-status-unindexed")
    found = by_table(run(context(clinic, load_config(EXAMPLE))))
    leads = found[row["object"].rsplit(".", 1)[0]]
    assert leads.file == row["file"] == "20241102094500_create_sales_leads.sql"
    assert leads.line == int(row["line"]) == 9  # the statement's line (the column is on 20)
    assert leads.data["queries"] == ["lead_dashboard", "lead_list"]
    assert leads.data["columns"] == ["clinic_id", "sales_user_id", "status"]
    assert "status" in leads.data["columns"]
    assert leads.fix == (
        "create index concurrently if not exists idx_sales_leads_clinic_id_sales_user_id_status"
        " on public.sales_leads (clinic_id, sales_user_id, status);"
    )
    assert "idx_sales_leads_clinic_id, stops at clinic_id" in leads.message
    assert leads.level.value == "warn" and leads.code == "I110"


def test_clinic_other_findings_and_quiet_tables(clinic: Replayed) -> None:
    found = by_table(run(context(clinic, load_config(EXAMPLE))))
    # Customer 360 reads a customer's notes, pinned and newest first; customer_notes has
    # only its primary key and a full-text GIN index.
    notes = found["public.customer_notes"]
    assert notes.data["queries"] == ["customer_360"]
    assert notes.fix is not None
    assert notes.fix.endswith(
        "on public.customer_notes (customer_id, is_pinned desc, created_at desc);"
    )
    assert notes.data["covers_foreign_keys"] == ["customer_notes_customer_id_fkey"]
    assert (notes.file, notes.line) == ("20241103090000_create_customer_notes.sql", 6)
    # ... and counts the customer's open proposals: sales_proposals is indexed on
    # (clinic_id, status), (sales_user_id, created_at) and valid_until where open.
    proposals = found["public.sales_proposals"]
    assert proposals.data["queries"] == ["customer_360"]
    assert proposals.data["columns"] == ["customer_id", "status"]
    # Served: bookings by (doctor_id, booking_date, booking_time) and by customer_id,
    # slots by their unique key, the queue by (branch_id, status), chat messages by
    # (room_id, created_at), analyses by user_id, every join to a primary key; and
    # customer_notes.clinic_id (customer_notes_search) is the foreign-key rule's: same fix.
    assert set(found) == {
        "public.sales_leads",
        "public.customer_notes",
        "public.sales_proposals",
    }
    assert "clinic_id" not in notes.data["equality"]


def test_clinic_needs_read_from_the_queries(clinic: Replayed) -> None:
    queries = {q.name: q for q in parse_workload((EXAMPLE / "workload.sql").read_text())}
    slots = {n.table: n for n in query_needs(clinic.catalog, queries["appointment_slot_search"])}
    # the not-exists sub-select compares bookings with the outer slot: outer columns are values
    assert slots["bookings"].equality == ["doctor_id", "booking_date", "booking_time", "status"]
    assert slots["doctors"].equality == ["id"] and slots["doctors"].joined == ["id"]
    inbox = query_needs(clinic.catalog, queries["chat_inbox"])
    read_status = next(n for n in inbox if n.table == "chat_read_status")
    assert sorted(read_status.joined) == ["room_id", "user_id"]  # both joins, left join side
    lateral = [n for n in inbox if n.table == "chat_messages"]
    assert [n.equality for n in lateral] == [["room_id"], ["room_id"]]
    assert lateral[1].ranges == ["created_at"]


def test_clinic_fixes_apply() -> None:
    with shared_copy(EXAMPLE) as s:
        config = load_config(EXAMPLE)
        found = run(context(s, config))
        assert len(found) == 3
        apply_fixes(s, found)
        assert run(context(s, config, fresh=True)) == []


# --- a project built for the tricky cases --------------------------------------------------

SCHEMA = """\
create table public.accounts (id uuid primary key default gen_random_uuid());
create table public.customers (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id),
  email text not null
);
create index idx_customers_account_id on public.customers (account_id);
create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id),
  customer_id uuid references public.customers (id),
  status text not null,
  number text not null,
  issued_at timestamptz not null default now(),
  deleted_at timestamptz,
  total numeric not null default 0
);
create index idx_invoices_account_id on public.invoices (account_id);
create index idx_invoices_number_live on public.invoices (number) where deleted_at is null;
create table public.invoice_lines (
  id bigint generated always as identity primary key,
  invoice_id uuid not null references public.invoices (id),
  position int not null,
  amount numeric not null
);
create table public.events (
  id bigint generated always as identity primary key,
  kind text not null,
  at timestamptz not null default now()
);
"""

WORKLOAD = """\
-- params: {"account_id": "00000000-0000-0000-0000-000000000001"}

-- name: invoices_due
select i.id, i.total, c.email
  from public.invoices i
  join public.customers c on c.id = i.customer_id
 where i.status = %(status)s
   and i.account_id = %(account_id)s
   and i.issued_at >= %(since)s
 order by i.issued_at;

-- name: overdue_count
select count(*) from public.invoices
 where account_id = %(account_id)s and status = 'overdue'
   and issued_at < now() - interval '30 days';

-- name: invoice_by_number
select id, total from public.invoices
 where number = %(number)s and deleted_at is null;

-- name: customer_invoices
select id, total from public.invoices where customer_id = %(customer_id)s;

-- name: line_totals
select i.id, (select sum(l.amount) from public.invoice_lines l where l.invoice_id = i.id)
  from public.invoices i where i.id = %(invoice_id)s;

-- name: recent_events
with recent as (
  select e.kind, e.at from public.events e where e.at > now() - interval '1 hour'
)
select kind, count(*) from recent group by kind;
"""


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Replayed]:
    write_migrations(tmp_path, {"20240101000000_shop.sql": SCHEMA})
    (tmp_path / "workload.sql").write_text(WORKLOAD, encoding="utf-8")
    with replayed_project(tmp_path) as s:
        assert s.result.ok, [f.failure for f in s.result.failed]
        yield s


def test_composite_tenant_first_range_last(shop: Replayed) -> None:
    found = by_table(run(context(shop)))
    invoices = found["public.invoices"]
    assert invoices.data["queries"] == ["invoices_due", "overdue_count"]
    assert invoices.data["equality"] == ["account_id", "status"]  # tenant first
    assert invoices.data["columns"] == ["account_id", "status", "issued_at"]  # range last
    assert invoices.fix == (
        "create index concurrently if not exists idx_invoices_account_id_status_issued_at"
        " on public.invoices (account_id, status, issued_at);"
    )
    assert "stops at account_id" in invoices.message
    assert invoices.file == "20240101000000_shop.sql" and invoices.line == 8
    # a range alone (inside a CTE): events has no index on at; the column's own line
    events = found["public.events"]
    assert events.data["columns"] == ["at"] and events.detail == "range:at"
    assert events.line == 29
    # not reported: customers joined by primary key; invoice_by_number is served by the
    # partial index its own `deleted_at is null` implies; invoices.customer_id and
    # invoice_lines.invoice_id (a correlated sub-select) are unindexed foreign keys with
    # nothing more to add: unindexed-foreign-key reports them, with the same fix
    assert set(found) == {"public.invoices", "public.events"}


def test_fix_makes_the_finding_disappear(shop: Replayed) -> None:
    found = run(context(shop))
    apply_fixes(shop, found)
    assert run(context(shop, fresh=True)) == []


def test_partial_index_counts_only_when_implied(shop: Replayed) -> None:
    text = WORKLOAD.replace("number = %(number)s and deleted_at is null", "number = %(number)s")
    (shop.project.root / "workload.sql").write_text(text, encoding="utf-8")
    number = [f for f in run(context(shop)) if f.data["queries"] == ["invoice_by_number"]]
    assert [f.data["columns"] for f in number] == [["number"]]
    assert number[0].line == 13  # the column's own line


def test_sorted_foreign_key_lookup_is_reported_with_the_key(shop: Replayed) -> None:
    text = WORKLOAD + (
        "\n-- name: invoice_lines\nselect l.* from public.invoice_lines l\n"
        " where l.invoice_id = %(invoice_id)s order by l.position;\n"
    )
    (shop.project.root / "workload.sql").write_text(text, encoding="utf-8")
    lines = by_table(run(context(shop)))["public.invoice_lines"]
    # line_totals alone was left to the FK rule; with a sort to add, both need the index
    assert lines.data["queries"] == ["line_totals", "invoice_lines"]
    assert lines.data["columns"] == ["invoice_id", "position"]
    assert lines.data["covers_foreign_keys"] == ["invoice_lines_invoice_id_fkey"]
    assert "in place of the unindexed-foreign-key fix" in lines.message


def test_small_tables_on_a_live_database(shop: Replayed) -> None:
    shop.conn.execute("analyze")  # empty tables: the planner's estimate is 0 rows
    assert {f.object for f in run(context(shop, fresh=True, live=True))} == set()
    assert len(run(context(shop, fresh=True, live=False))) == 2


def test_configured_workload_path(shop: Replayed) -> None:
    root = shop.project.root
    (root / "workload.sql").rename(root / "queries.sql")
    assert run(context(shop)) == []  # no workload.sql: nothing to check
    configured = Config(raw={"lint": {"workload": "queries.sql"}})
    assert len(run(context(shop, configured))) == 2
    missing = Config(raw={"lint": {"workload": "nope.sql"}})
    with pytest.raises(InputError, match="no such file"):
        run(context(shop, missing))
    assert run(LintContext(catalog=shop.catalog, config=configured)) == []  # no project


def test_plain_workload_file(shop: Replayed) -> None:
    (shop.project.root / "workload.sql").write_text(
        "select id from public.invoices where account_id = %s and status = %s;\n"
        "select 1 from nowhere where broken = ;\n",
        encoding="utf-8",
    )
    (found,) = run(context(shop))
    assert found.data["queries"] == ["query 1"]
    assert found.data["columns"] == ["account_id", "status"]


# --- the docstring's examples, with the workload their comment shows -----------------------

_WORKLOAD_COMMENT = re.compile(r"^-- workload\.sql:\n((?:-- .*\n?)+)", re.M)
