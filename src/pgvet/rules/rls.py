"""RLS and security rules: exposure, policy gaps, recursion, per-row calls, trust."""

from __future__ import annotations
