"""``pgvet inspect``: a live database's health against the review's targets.

The package reads a live database read-only (one query per kind of figure, see
:mod:`pgvet.inspect.queries`), turns the figures into findings where they breach the
``[inspect]`` thresholds (:mod:`pgvet.inspect.checks`), renders them as text, Markdown,
JSON or Prometheus exposition, and keeps a local history to show growth.

Named ``inspect`` like the Supabase CLI's ``inspect db`` commands; modules inside always
import it absolutely (``pgvet.inspect...``), so the standard library's ``inspect`` is never
shadowed for anyone.
"""
