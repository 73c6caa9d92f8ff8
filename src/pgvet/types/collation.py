"""The order postgres-meta's generators print things in: ``Intl.Collator("en")``.

Names are compared by ICU's English collation, not by code point: punctuation sorts
before digits before letters (``a_b`` < ``a1`` < ``ab``), letters ignore case first and
put lower case first on a tie (``ab`` < ``aB`` < ``Ab``), accents come second (``e`` <
``é`` < ``f``). :func:`collation_key` reproduces that for the printable ASCII range
exactly (the table below is ICU's order, measured) and for other letters through their
unaccented base letter; it is a sort key, so sorting stays O(n log n) in C.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# ICU root order of printable ASCII (upper and lower case share a primary weight).
_ICU_ASCII = (
    " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
    "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ"
)
_PRIMARY: dict[str, int] = {}
for _char in _ICU_ASCII:
    _PRIMARY[_char] = _PRIMARY.get(_char.lower(), len({*_PRIMARY.values()}) + 1)
_OTHER = len(_ICU_ASCII) + 1


def _weights(char: str) -> tuple[int, int, int]:
    """(primary, secondary, tertiary) weights of one character."""
    if char in _PRIMARY:
        return _PRIMARY[char], 0, 1 if char.isupper() else 0
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    if base in _PRIMARY and len(decomposed) > 1:
        accent = sum(ord(c) for c in decomposed[1:])
        return _PRIMARY[base], accent, 1 if base.isupper() else 0
    return _OTHER + ord(char), 0, 0


@lru_cache(maxsize=65536)
def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A key that sorts strings like ``Intl.Collator("en").compare``."""
    weights = [_weights(c) for c in text]
    return (
        tuple(w[0] for w in weights),
        tuple(w[1] for w in weights),
        tuple(w[2] for w in weights),
    )
