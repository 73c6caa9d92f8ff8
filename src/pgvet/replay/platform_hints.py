"""Hints for what Supabase refuses the project's ``postgres`` role.

Migrations replay as a non-superuser with the platform's privileges (see
:mod:`pgvet.sandbox.platform`), so a migration that needs a superuser fails in pgvet as it
fails on deploy. PostgreSQL's own message names a privilege ("must be superuser or have
privileges of the pg_execute_server_program role"); the hint says it in the platform's
terms, starting with "not permitted on Supabase: ", and what to do instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pgvet.sandbox.platform import HOST_ROLES, NOT_PERMITTED

if TYPE_CHECKING:
    from pgvet.replay.failure import Failure

_PRIVILEGE_STATES = ("42501", "0LP01", "42P17")
_EXTENSION = re.compile(r'permission denied to create extension "([^"]+)"')
_LANGUAGE = re.compile(r"permission denied for language (\w+)")
_SERVER_FUNCTION = re.compile(
    r"permission denied for function (pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file"
    r"|lo_import|lo_export|pg_file_write|pg_reload_conf|pg_rotate_logfile)"
)
_MEMBER_LOOP = re.compile(r'role "([^"]+)" is a member of role "postgres"')
_GRANT_ROLE = re.compile(r'permission denied to grant role "([^"]+)"')
_SETTING = re.compile(r'permission denied to set parameter "([^"]+)"')

_SUPERUSER_OPTION = (
    "If the project is self-hosted and its migrations really run as a superuser, replay "
    "with --superuser"
)


def platform_refusal(failure: Failure) -> str | None:
    """The hint for a privilege the platform withholds, or None for other failures."""
    if failure.sqlstate not in _PRIVILEGE_STATES:
        return None
    message, sql = failure.message, (failure.statement or "").lstrip().lower()
    if message.startswith(NOT_PERMITTED):
        return None  # the sandbox's platform guard already said it
    # PostgreSQL 16+ names the missing attribute in the detail ("Only roles with the
    # SUPERUSER attribute may …"), 15 in the message
    reason = _reason(f"{message} {failure.detail or ''}", sql)
    if reason is None:
        return None
    return f"{NOT_PERMITTED}: {reason}"


def _reason(message: str, sql: str) -> str | None:
    if "external program" in message:
        return (
            "COPY … PROGRAM runs a shell command on the database server, which only a "
            "superuser may do; the project's postgres role is not one. Do the work in an "
            "Edge Function or with pg_net"
        )
    if "COPY" in message and "file" in message:
        return (
            "COPY to or from a server file needs a superuser (or pg_read_server_files / "
            "pg_write_server_files, which the platform reserves); use COPY … FROM STDIN "
            "(psql's \\copy) or the seed file"
        )
    if m := _SERVER_FUNCTION.search(message):
        return (
            f"{m.group(1)}() reads or writes the database server's files, which the "
            "platform reserves to itself"
        )
    if sql.startswith("alter system"):
        return (
            "ALTER SYSTEM changes the server's configuration, which belongs to the platform; "
            "set database or role settings (alter database / alter role … set) or use the "
            "dashboard's configuration"
        )
    if m := _EXTENSION.search(message):
        return (
            f"extension {m.group(1)} needs a superuser and is not on the platform's list of "
            "extensions the project may enable (supautils' privileged_extensions); remove "
            f"it or use a listed alternative. {_SUPERUSER_OPTION}"
        )
    if m := _LANGUAGE.search(message):
        return (
            f"functions in language {m.group(1)} need a superuser (untrusted language); "
            "write them in plpgsql or SQL"
        )
    if m := _MEMBER_LOOP.search(message):
        role = m.group(1)
        held = role if role in HOST_ROLES else f"{role}, which holds {' / '.join(HOST_ROLES)},"
        return (
            f"granting {held} to postgres would give the project role the server's files or "
            "shell; those memberships are reserved (supautils' reserved_memberships)"
        )
    if (m := _GRANT_ROLE.search(message)) and m.group(1) in HOST_ROLES:
        return (
            f"membership in {m.group(1)} reaches the server's files or shell and is reserved "
            "(supautils' reserved_memberships)"
        )
    if "event trigger" in message:
        return (
            "CREATE EVENT TRIGGER needs a superuser in PostgreSQL; Supabase allows it to "
            "postgres only through its supautils extension, which the sandbox does not "
            f"have. {_SUPERUSER_OPTION}"
        )
    if m := _SETTING.search(message):
        return (
            f"setting {m.group(1)} is reserved to superusers; the project role may set only "
            "the platform's allowed settings (supautils' privileged_role_allowed_configs)"
        )
    if "superuser" in message.lower():
        return (
            "this needs a superuser, and the project's postgres role is not one; the "
            f"migration fails the same way on deploy. {_SUPERUSER_OPTION}"
        )
    return None
