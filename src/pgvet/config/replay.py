"""``[replay]``: how every command that replays a project does it.

::

    [replay]
    statement_timeout = "5min"   # one migration file, seed or query of pgvet's
    timeout = "20min"            # the whole command (default: none)
    superuser = false            # run migrations as a superuser (self-hosted projects)
    prelude = ["sql/roles.sql"]  # hand-made prerequisites, applied before the migrations
    decode_bom = false           # decode files with a byte-order mark (the CLI fails them)

The command-line options win over these (:func:`pgvet.replay.limits.resolve_limits`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from pgvet.config.base import Duration, SettingError, Strict


def _prelude(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SettingError(
            f"expected a list of .sql paths, got {value!r}",
            hint='write it like prelude = ["sql/roles.sql"] (relative to the project root, '
            "the folder holding supabase/)",
        )
    return tuple(value)


class ReplaySettings(Strict):
    """``[replay]``; a missing time limit means the command-line option or the default."""

    statement_timeout: Duration | None = None
    timeout: Duration | None = None
    superuser: bool = False
    prelude: Annotated[tuple[str, ...], BeforeValidator(_prelude)] = ()
    decode_bom: bool = False
