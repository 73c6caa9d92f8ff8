"""Index rules: foreign keys, duplicates, prefixes, tenant and policy columns, JSONB, FTS."""

from __future__ import annotations
