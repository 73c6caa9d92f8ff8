"""`pgvet inventory`: what the clinic team counted by hand, computed from the catalog."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import CORPORA, EXAMPLE, SharedReplays
from pgvet.analysis.inventory import build_inventory
from pgvet.cli.main import app
from pgvet.config import Config


def test_clinic_inventory_counts_and_domains(shared_replays: SharedReplays) -> None:
    session = shared_replays.get(EXAMPLE)
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


def test_inventory_cli_json_on_a_corpus() -> None:
    result = CliRunner().invoke(app, ["inventory", str(CORPORA / "basejump"), "-f", "json"])
    assert result.exit_code == 0, result.stderr
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
