"""``pgvet inspect`` as a function: connect read-only, read, check, keep history.

Kept out of the CLI so tests call the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pgvet.config import load_config
from pgvet.findings import Finding
from pgvet.inspect import history
from pgvet.inspect.checks import check
from pgvet.inspect.model import Inspection
from pgvet.inspect.read import read_inspection
from pgvet.inspect.settings import InspectSettings, history_path, inspect_settings
from pgvet.live.connect import connect_read_only, redact

if TYPE_CHECKING:
    from pgvet.inspect.plan import Candidate


@dataclass(frozen=True)
class InspectRequest:
    db: str
    config: Path | None = None
    save: bool = False
    history: Path | None = None
    plan: bool = False  # also the large-table plan (pgvet.inspect.plan)


@dataclass(frozen=True)
class InspectOutcome:
    inspection: Inspection
    findings: list[Finding]
    settings: InspectSettings
    source: str  # the DSN, redacted
    saved_to: Path | None
    candidates: list[Candidate] | None = None  # with ``plan``


def run_inspect(request: InspectRequest) -> InspectOutcome:
    config = load_config(None, request.config)
    settings = inspect_settings(config)
    where = history_path(settings, config, request.history)
    target = history.target_key(request.db)
    with connect_read_only(request.db, application="pgvet inspect") as conn:
        inspection = read_inspection(conn, settings)
        inspection = replace(inspection, growth=history.growth(where, target, inspection, settings))
        candidates = None
        if request.plan:
            from pgvet.inspect.plan import plan  # only for --plan: it brings in pglast

            candidates = plan(conn, inspection, settings, config.tenant_columns)
    if request.save:
        history.save(where, target, inspection)
    return InspectOutcome(
        inspection,
        check(inspection, settings),
        settings,
        redact(request.db),
        where if request.save else None,
        candidates,
    )
