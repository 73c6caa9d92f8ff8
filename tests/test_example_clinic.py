"""The bundled clinic example: replays strictly on both servers, has the shape the report
describes, loads its seed, and every workload query runs once with a valid result."""

from __future__ import annotations

import json
import re

import psycopg
import pytest

from conftest import EXAMPLE, REPLAY_MAJORS, SharedReplays
from pgvet.catalog import Catalog
from pgvet.replay.session import Replayed

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.M)


def workload_queries() -> tuple[dict[str, object], list[tuple[str, str]]]:
    text = (EXAMPLE / "workload.sql").read_text(encoding="utf-8")
    params = json.loads(re.search(r"^-- params: (\{.*\})$", text, re.M).group(1))  # type: ignore[union-attr]
    parts = _NAME.split(text)
    queries = [(parts[i], parts[i + 1].strip().rstrip(";")) for i in range(1, len(parts), 2)]
    return params, queries


def fenced(kind: str) -> set[str]:
    text = (EXAMPLE / "EXPECTED.md").read_text(encoding="utf-8")
    block = re.search(rf"```{kind}\n(.*?)```", text, re.S)
    assert block, f"EXPECTED.md has no {kind} block"
    return {line.strip() for line in block.group(1).splitlines() if line.strip()}


@pytest.fixture
def clinic(shared_clinic: Replayed) -> tuple[psycopg.Connection, Catalog, int]:
    """The session's replay of the clinic on each of REPLAY_MAJORS (see conftest)."""
    result = shared_clinic.result
    assert result.ok, [f.failure for f in result.failed]
    return shared_clinic.conn, shared_clinic.catalog, len(shared_clinic.project.files)


def test_shape(clinic: tuple[psycopg.Connection, Catalog, int]) -> None:
    _, catalog, files = clinic
    assert files >= 47
    public = [t for t in catalog.base_tables if t.schema == "public"]
    assert len(public) >= 60
    names = {t.name for t in public}
    assert {
        "users",
        "clinics",
        "branches",
        "clinic_staff",
        "invitations",
        "services",
        "customers",
        "sales_leads",
        "sales_proposals",
        "sales_activities",
        "customer_notes",
        "bookings",
        "doctors",
        "appointments",
        "availability_slots",
        "reminders",
        "queue_entries",
        "queue_notifications",
        "queue_settings",
        "queue_statistics",
        "inventory_items",
        "inventory_suppliers",
        "stock_movements",
        "purchase_orders",
        "marketing_campaigns",
        "promo_codes",
        "loyalty_tiers",
        "customer_segments",
        "chat_rooms",
        "chat_messages",
        "chat_participants",
        "chat_read_status",
        "treatment_records",
        "treatment_photos",
        "treatment_outcomes",
        "analytics_events",
        "performance_metrics",
        "error_logs",
        "user_activity_log",
        "analysis_history",
        "generated_reports",
        "presentation_sessions",
        "skin_analyses",
    } <= names
    bookings = catalog.table("public", "bookings")
    assert len(bookings.columns) == 20
    assert len(catalog.indexes_of("public", "bookings")) >= 7
    assert any(
        i.columns[:3] == ("doctor_id", "booking_date", "booking_time")
        for i in catalog.indexes_of("public", "bookings")
    )
    rls_off = {f"{t.schema}.{t.name}" for t in public if not t.rls_enabled}
    assert rls_off == fenced("rls-off")


@pytest.mark.parametrize("major", REPLAY_MAJORS, ids=lambda m: f"pg{m}")
def test_seed_and_every_workload_query(shared_replays: SharedReplays, major: int) -> None:
    with shared_replays.copy(EXAMPLE, major) as clinic:
        assert clinic.result.ok, [f.failure for f in clinic.result.failed]
        clinic.conn.execute((EXAMPLE / "seed.sql").read_text(encoding="utf-8").encode())
        params, queries = workload_queries()
        assert len(queries) >= 9
        for name, sql in queries:
            used = {k: v for k, v in params.items() if f"%({k})s" in sql}
            with clinic.conn.transaction(force_rollback=True):
                rows = clinic.conn.execute(sql.encode(), used).fetchall()  # type: ignore[arg-type]
            assert rows, f"workload query {name} returned no row"
