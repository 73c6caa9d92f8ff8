"""Identifiers in the SQL pgvet writes (fixes, coverage, fixtures), quoted by pglast's rule.

A name is left bare only when PostgreSQL would read it back as the same name: all lower
case letters, digits and underscores, and not a reserved or type/function-name keyword
(pglast's :func:`~pglast.stream.maybe_double_quote_name`, built from PostgreSQL's own
keyword list). Everything else is double-quoted, so a column named ``order`` or ``user``,
or ``"clinicId"``, yields SQL that runs and names that column: ``(order)`` is a syntax
error, and a bare ``(user)`` indexes the ``USER`` function instead.
"""

from __future__ import annotations

from pglast.stream import maybe_double_quote_name


def ident(name: str) -> str:
    """``name`` as an SQL identifier, quoted only when it must be."""
    return str(maybe_double_quote_name(name))


def qualified(schema: str, name: str) -> str:
    """``schema.name`` with each part quoted as :func:`ident` does."""
    return f"{ident(schema)}.{ident(name)}"
