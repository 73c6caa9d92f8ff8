"""Which statements the Supabase CLI runs on their own, outside a file's transaction.

The CLI sends a migration file's statements as one transactional batch. Statements that
PostgreSQL refuses inside a transaction block are recognised by their first words (after
leading comments) and run standalone: the batch so far is committed, the statement runs
alone, then batching resumes. The list below is the CLI's (``isPipelineIncompatible``,
supabase/cli#5156, #6276, #6347); anything else, ``REFRESH MATERIALIZED VIEW
CONCURRENTLY`` included, stays in the file's transaction, where PostgreSQL accepts or
refuses it as it does for the CLI.
"""

from __future__ import annotations

import re

_NAME = r'(?:"[^"]*"|\S+)'
_PATTERNS = (
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY(?:\s|$)",
    r"DROP\s+INDEX\s+CONCURRENTLY(?:\s|$)",
    r"REINDEX(?:\s|\().*\sCONCURRENTLY(?:\s|$)",
    r"REINDEX(?:\s+\([^)]*\))?\s+(?:DATABASE|SYSTEM|SCHEMA)(?:\s|$)",
    r"VACUUM(?:\s|\(|$)",
    r"ALTER\s+SYSTEM(?:\s|$)",
    r"CLUSTER(?:\s|$)",
    r"(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE|SUBSCRIPTION)(?:\s|$)",
    r"DISCARD\s+ALL(?:\s|$)",
    rf"ALTER\s+DATABASE\s+{_NAME}\s+SET\s+TABLESPACE(?:\s|$)",
    rf"ALTER\s+SUBSCRIPTION\s+{_NAME}\s+(?:REFRESH\s+PUBLICATION|(?:SET|ADD|DROP)\s+PUBLICATION)"
    r"(?:\s|$)",
    rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s+DETACH\s+PARTITION\s+{_NAME}\s+"
    r"(?:CONCURRENTLY|FINALIZE)(?:\s|$)",
)
_STANDALONE = re.compile("^(?:" + "|".join(_PATTERNS) + ")", re.I | re.S)
_LEADING = re.compile(r"^(?:\s+|\ufeff|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)


def runs_standalone(sql: str) -> bool:
    """True when the CLI runs ``sql`` outside the file's transaction."""
    return bool(_STANDALONE.match(sql[_LEADING.match(sql).end() :]))  # type: ignore[union-attr]
