"""`pgvet inventory`: what the clinic team counted by hand, computed from the catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPORA, EXAMPLE
from pgvet.analysis.inventory import build_inventory
from pgvet.config import Config
from pgvet.replay.session import replayed_project


def test_clinic_inventory_counts_and_domains() -> None:
    with replayed_project(EXAMPLE) as session:
        inventory = build_inventory(session.catalog, Config(domains={"crm": ("sales_*",)}))
    totals = inventory.totals
    assert totals["tables"] >= 60
    assert totals["tables_without_rls"] == 2
    by_name = {t.name: t for t in inventory.tables}
    assert not by_name["customers"].rls_enabled and not by_name["appointments"].rls_enabled
    assert by_name["bookings"].columns == 20 and by_name["bookings"].indexes >= 7
    assert by_name["bookings"].tenant_columns == ("clinic_id", "branch_id")
    assert by_name["bookings"].origin == "20250104090000_create_bookings.sql:29"
    assert set(inventory.domains["chat"]) == {
        "public.chat_attachments",
        "public.chat_messages",
        "public.chat_participants",
        "public.chat_read_status",
        "public.chat_rooms",
    }
    assert {"public.queue_entries", "public.queue_settings"} <= set(inventory.domains["queue"])
    # configured domains win over the automatic grouping
    assert "public.sales_leads" in inventory.domains["crm"]
    assert by_name["users"].domain == "core"


def test_inventory_cli_json_on_a_corpus(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pgvet", "inventory", str(CORPORA / "basejump"), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    tables = {t["name"]: t for t in doc["tables"]}
    assert set(tables) == {
        "config",
        "accounts",
        "account_user",
        "invitations",
        "billing_customers",
        "billing_subscriptions",
    }
    assert tables["account_user"]["tenant_columns"] == ["account_id"]
    assert doc["totals"]["tables_without_rls"] == 0
    assert doc["totals"]["policies"] == 13
