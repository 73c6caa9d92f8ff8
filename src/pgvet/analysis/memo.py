"""Values derived from a catalog or a project, computed once and kept with the object.

Several rules ask the same question of one catalog (which foreign keys lack an index, the
policy graph and its cycles, which index names are taken). The answer is stored on the
object itself, so it lives exactly as long as the object does: no module-level table keyed
on ``id()`` that must be pruned, and no stale answer for a new object at a reused address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_SLOT = "_pgvet_memo"


def memo(owner: object, what: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``owner`` (a frozen catalog or project) and ``what``.

    The value is kept in the owner's ``__dict__``, outside its dataclass fields, so it takes
    no part in equality and ``dataclasses.replace`` starts a copy with nothing memoised."""
    store: dict[str, Any] = owner.__dict__.setdefault(_SLOT, {})
    if what not in store:
        store[what] = compute()
    return store[what]  # type: ignore[no-any-return]
