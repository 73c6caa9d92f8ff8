"""Migration-safety rules: statement-level checks of the project's files (pglast)."""

from __future__ import annotations
