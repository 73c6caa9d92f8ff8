"""Personas: who a query runs as, described the way PostgREST would see them.

A persona is a database role (``anon``, ``authenticated``, ``service_role``) plus the JWT
claims Supabase Auth would put in the token. For a signed-in persona the claims are built
from the ``auth.users`` row (``sub``, ``email``, ``app_metadata``, ``user_metadata``, …)
so that ``auth.uid()`` and ``auth.jwt()`` in a policy see exactly what production sees;
the user is either given (``sub``) or picked by a SQL query against the seed ("a sales
staff member of clinic A"), which keeps the config stable when seed ids change.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg

from pgvet.errors import InputError

API_ROLES = ("anon", "authenticated", "service_role")

_USER_QUERY = """
select id::text, email, phone, coalesce(raw_app_meta_data, '{}'::jsonb),
       coalesce(raw_user_meta_data, '{}'::jsonb), coalesce(is_anonymous, false)
from auth.users where id = %s::uuid
"""


@dataclass(frozen=True)
class Persona:
    """Someone to act as: a role, claims, and optionally the user behind them.

    ``user`` is a SQL query whose first column of the first row is the user's id; it is
    resolved by :meth:`resolve` (``user_id`` then holds the answer). ``claims`` are merged
    over the claims built for the user (one level deep, so ``app_metadata`` can be
    extended). ``tenant`` labels personas pgvet generated for a tenant (``"A"``).
    """

    name: str
    role: str = "authenticated"
    claims: Mapping[str, Any] = field(default_factory=dict)
    user: str | None = None
    user_id: str | None = None
    description: str = ""
    tenant: str | None = None
    #: the user's ``auth.users`` facts once resolved (email, metadata, …)
    _user_row: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def resolved(self) -> bool:
        """True when nothing is left to look up in the database."""
        return self.user is None or self.user_id is not None

    def resolve(self, conn: psycopg.Connection) -> Persona:
        """Run the ``user`` query (if any) and read the user's ``auth.users`` row.

        Runs as whatever role ``conn`` has now (the superuser in a sandbox), never as the
        persona, because picking a user is setup, not part of what is being tested.
        """
        user_id = self.user_id or _sub_of(self.claims)
        if user_id is None and self.user is not None:
            try:
                with conn.transaction():
                    row = conn.execute(self.user).fetchone()  # type: ignore[arg-type]
            except psycopg.Error as exc:
                raise InputError(
                    f"persona {self.name}: the user query failed: {_first_line(exc)}",
                    hint=f"query: {self.user}",
                ) from exc
            if row is None or row[0] is None:
                raise InputError(
                    f"persona {self.name}: the user query returned no row",
                    hint="is the seed loaded? (--no-seed skips it)",
                )
            user_id = str(row[0])
        if user_id is None:
            return self
        facts = conn.execute(_USER_QUERY, (user_id,)).fetchone()
        user_row = None
        if facts is not None:
            user_row = {
                "id": facts[0],
                "email": facts[1],
                "phone": facts[2],
                "app_metadata": facts[3],
                "user_metadata": facts[4],
                "is_anonymous": facts[5],
            }
        return replace(self, user_id=user_id, _user_row=user_row)

    def jwt_claims(self, now: int | None = None) -> dict[str, Any]:
        """The claims PostgREST would put in ``request.jwt.claims`` for this persona."""
        iat = int(time.time()) if now is None else now
        base: dict[str, Any] = {
            "iss": "supabase" if self.role != "authenticated" else "http://127.0.0.1:54321/auth/v1",
            "role": self.role,
            "iat": iat,
            "exp": iat + 3600,
        }
        if self.role == "anon" or self.role == "service_role":
            base["ref"] = "pgvet"
        if self.user_id is not None:
            row = self._user_row or {}
            base.update(
                {
                    "aud": "authenticated",
                    "sub": self.user_id,
                    "email": row.get("email") or "",
                    "phone": row.get("phone") or "",
                    "app_metadata": dict(
                        row.get("app_metadata") or {"provider": "email", "providers": ["email"]}
                    ),
                    "user_metadata": dict(row.get("user_metadata") or {}),
                    "aal": "aal1",
                    "amr": [{"method": "password", "timestamp": iat}],
                    "session_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"pgvet:{self.user_id}")),
                    "is_anonymous": bool(row.get("is_anonymous", False)),
                }
            )
        return _merge(base, self.claims)

    def claims_json(self, now: int | None = None) -> str:
        """:meth:`jwt_claims` as the JSON text PostgREST sets."""
        return json.dumps(self.jwt_claims(now), separators=(",", ":"), sort_keys=True)

    def summary(self) -> str:
        """One line for reports: role, user and the claims that matter."""
        parts = [self.role]
        if self.user_id:
            email = (self._user_row or {}).get("email")
            parts.append(f"user {email or self.user_id}")
        extra = {k: v for k, v in self.claims.items() if k not in ("role",)}
        if extra:
            parts.append("claims " + json.dumps(extra, sort_keys=True))
        return ", ".join(parts)


def _sub_of(claims: Mapping[str, Any]) -> str | None:
    sub = claims.get("sub")
    return str(sub) if sub else None


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


ANON = Persona("anon", role="anon", description="not signed in (the anon key)")
SERVICE_ROLE = Persona("service_role", role="service_role", description="the service key")


def builtin(name: str) -> Persona | None:
    """``anon`` and ``service_role`` need no configuration."""
    return {"anon": ANON, "service_role": SERVICE_ROLE}.get(name)
