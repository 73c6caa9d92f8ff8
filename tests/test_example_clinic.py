"""The bundled clinic example: replays strictly on both servers, has the shape the report
describes, loads its seed, and every workload query runs once with a valid result."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import psycopg
import pytest

from conftest import EXAMPLE, REPLAY_MAJORS, prepared_for
from pgvet.catalog import Catalog, read_catalog
from pgvet.replay.apply import replay
from pgvet.replay.project import load_project
from pgvet.sandbox import cluster

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


@pytest.fixture(scope="module", params=REPLAY_MAJORS, ids=lambda m: f"pg{m}")
def clinic(request: pytest.FixtureRequest) -> Iterator[tuple[psycopg.Connection, Catalog, int]]:
    project = load_project(EXAMPLE)
    with cluster.sandbox(prepared_for(request.param)) as server, server.connect() as conn:
        result = replay(conn, project)
        assert result.ok, [f.failure for f in result.failed]
        yield conn, read_catalog(conn), len(project.files)


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


def test_seed_and_every_workload_query(clinic: tuple[psycopg.Connection, Catalog, int]) -> None:
    conn, _, _ = clinic
    with conn.transaction(force_rollback=True):
        conn.execute((EXAMPLE / "seed.sql").read_text(encoding="utf-8").encode())
        params, queries = workload_queries()
        assert len(queries) >= 9
        for name, sql in queries:
            used = {k: v for k, v in params.items() if f"%({k})s" in sql}
            with conn.transaction(force_rollback=True):
                rows = conn.execute(sql.encode(), used).fetchall()  # type: ignore[arg-type]
            assert rows, f"workload query {name} returned no row"
