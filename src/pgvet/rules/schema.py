"""Schema rules: primary keys and other table-shape problems."""

from __future__ import annotations
