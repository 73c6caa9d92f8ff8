"""Secrets in migration text: JWTs (service-role keys), Supabase secret keys, connection
strings and role passwords, told apart from the local demo keys and placeholders.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pgvet.analysis.history import Node, Step

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}")

_SB_SECRET = re.compile(r"\bsb_secret_[A-Za-z0-9_-]{20,}")

_CONNINFO = re.compile(
    r"\bpostgres(?:ql)?://(?P<user>[^\s:/@'\"]+):(?P<password>[^\s@'\"/]+)@", re.I
)

_PLACEHOLDER = re.compile(
    r"^(\[.*\]|<.*>|\$\{.*\}|\$[A-Z_]+|\{\{.*\}\}|%\(.*\)s|:\w+|\*+|x+|\.+|"
    r"your[-_ ]?password|password|changeme|change[-_]me|secret|pass|pwd)$",
    re.I,
)

#: Shapes that are a pattern, not a value: a regex (character classes, escapes such as
#: ``\d``, quantified groups, ``.*``, counted repetition) or a format template
#: (``%s``, ``{}``, ``{0}``, ``$1``).
_PATTERN_SHAPE = re.compile(
    r"\[\^|\[[^\]]*\][+*?{]|\\[dDwWsSbB.]|\(\?|[)\]][+*?]|\.[*+]|\{\d+(?:,\d*)?\}|"
    r"%[sd]|%\(\w+\)s|\{\w*\}|\$\d"
)

#: Words that make a value an example or placeholder rather than a credential: the
#: documentation's ``your-password`` and ``example``, the local stack's own
#: ``postgres:postgres`` (``supabase start``, public), redactions and dummies.
_EXAMPLE_WORDS = re.compile(
    r"^(?:postgres|example|test|testing|demo|dummy|fake|sample|admin|root|user|pass(?:word)?"
    r"\d*|secret\d*|123456\d*|qwerty|letmein|none|null|redacted|hidden)$"
    r"|your|example|placeholder|redacted|replace|insert[-_]?here|dummy|xxxx|\*\*\*|\.\.\.|…",
    re.I,
)


def plausible_secret(value: str) -> bool:
    """True when ``value`` looks like a real literal credential: not a placeholder
    (``<password>``, ``${DB_PASSWORD}``, ``***``), not a regex or format template
    (``[^@]+``, ``%s``), not an example value (``your-password``, ``postgres``)."""
    value = value.strip()
    if len(value) < 4 or any(c.isspace() for c in value):
        return False
    if _PLACEHOLDER.match(value) or _PATTERN_SHAPE.search(value):
        return False
    return not _EXAMPLE_WORDS.search(value)


#: The JWT secret of ``supabase start`` (public, in the CLI's source): tokens it signs are
#: the demo keys every local stack shares, not secrets.
LOCAL_DEMO_JWT_SECRET = b"super-secret-jwt-token-with-at-least-32-characters-long"

_PRIVILEGED_ROLES = frozenset({"service_role", "supabase_admin", "postgres"})


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The decoded payload of a JWT (no signature check), or None if it is not one."""
    try:
        _, payload, _ = token.split(".")
        claims = json.loads(_b64url(payload))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def is_local_demo_token(token: str) -> bool:
    """Signed with the Supabase CLI's public local JWT secret (a demo key)."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(
            LOCAL_DEMO_JWT_SECRET, f"{header}.{payload}".encode(), hashlib.sha256
        ).digest()
        return hmac.compare_digest(expected, _b64url(signature))
    except (ValueError, binascii.Error):
        return False


@dataclass(frozen=True)
class Secret:
    """A credential found in a migration, described without its value."""

    offset: int  # in the file's text
    kind: str
    description: str


def text_secrets(text: str) -> Iterator[Secret]:
    """Privileged Supabase keys and passwords in connection strings, anywhere in ``text``
    (statements, function bodies, comments). Each pattern runs only when its fixed part
    is in the text (a plain substring test, much cheaper than the regex over a project)."""
    jwts = _JWT.finditer(text) if "eyJ" in text else ()
    for match in jwts:
        token = match.group(0)
        claims = jwt_claims(token)
        if not claims or claims.get("role") not in _PRIVILEGED_ROLES:
            continue  # anon and authenticated keys are public by design
        if is_local_demo_token(token):
            continue  # the public demo key of the local stack
        project = f" of project {claims['ref']}" if isinstance(claims.get("ref"), str) else ""
        yield Secret(
            match.start(),
            "jwt",
            f"a {claims['role']} JWT{project} (`{token[:12]}…`, redacted)",
        )
    for match in _SB_SECRET.finditer(text) if "sb_secret_" in text else ():
        yield Secret(match.start(), "sb_secret", "a Supabase secret API key (`sb_secret_…`)")
    for match in _CONNINFO.finditer(text) if "://" in text else ():
        password, user = match.group("password"), match.group("user")
        if match.start() > 0 and text[match.start() - 1] == "^":
            continue  # '^postgresql://…': a pattern that validates URLs
        if _PATTERN_SHAPE.search(user) or not plausible_secret(password):
            continue
        yield Secret(
            match.start("password"),
            "connection string",
            f"the password of {match.group('user')} in a connection string (`…://"
            f"{match.group('user')}:****@…`)",
        )


def _option_password(options: list[Node]) -> tuple[str, int] | None:
    for opt in options:
        elem = opt.get("DefElem", {})
        if elem.get("defname") == "password":
            value = elem.get("arg", {}).get("String", {}).get("sval")
            if value and plausible_secret(value):
                return value, int(elem.get("arg_location", elem.get("location", 0)))
    return None


PASSWORD_STATEMENTS = frozenset(
    {"CreateRoleStmt", "AlterRoleStmt", "CreateUserMappingStmt", "AlterUserMappingStmt"}
)


def statement_secrets(step: Step) -> Iterator[tuple[Secret, str]]:
    """Passwords set by role and user-mapping statements: ``(secret, object)``."""
    if step.kind not in PASSWORD_STATEMENTS:
        return
    node = step.node
    found: tuple[str, int] | None = None
    obj = ""
    if step.kind == "CreateRoleStmt":
        found, obj = _option_password(node.get("options", [])), f"role {node.get('role', '')}"
    elif step.kind == "AlterRoleStmt":
        role = node.get("role", {}).get("rolename", "")
        found, obj = _option_password(node.get("options", [])), f"role {role}"
    elif step.kind in ("CreateUserMappingStmt", "AlterUserMappingStmt"):
        found = _option_password(node.get("options", []))
        obj = f"user mapping for server {node.get('servername', '')}"
    if found is None:
        return
    value, at = found
    hashed = value.startswith(("md5", "SCRAM-SHA-256$"))
    what = "a password hash" if hashed else "a password"
    yield Secret(step.stmt.start + at, "password", f"{what} ('****', redacted)"), obj
