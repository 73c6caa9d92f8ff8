"""Supabase's privilege model, as the sandbox reproduces it.

On the platform the ``postgres`` role that runs a project's migrations is *not* a
superuser: it has CREATEROLE, CREATEDB, REPLICATION and BYPASSRLS, owns what the project
creates, and may create the extensions of an allow-list (supautils'
``privileged_extensions``), whose scripts run as the platform's superuser
``supabase_admin``. Everything else a superuser could do (``COPY … PROGRAM``, server file
access, ``ALTER SYSTEM``, untrusted languages, C functions, membership in
``pg_execute_server_program`` …) is refused.

The sandbox mirrors that: ``supabase_admin`` is the bootstrap superuser, used only by
pgvet itself (stand-ins, checks); migrations and the seed run as ``postgres``. PostgreSQL
lets a non-superuser create an extension whose control file says ``trusted = true`` and
runs its script as the bootstrap superuser, which is what supautils does for its list; so
pgvet marks exactly the allow-listed extensions trusted in its own relocated copy of the
installation (never in a system folder). Facts from supabase/postgres
``ansible/files/postgresql_config/conf.d/supautils.conf`` and its ``demote-postgres``
migration.
"""

from __future__ import annotations

#: pgvet's own superuser (the platform's): stand-ins, history, checks. Never migrations.
SUPERUSER = "supabase_admin"
#: The role migrations and the seed run as, with the platform's attributes.
PROJECT_ROLE = "postgres"

#: Every extension Supabase lets a project enable, and how the sandbox provides it:
#:   "postgres"  PostgreSQL's own (contrib): real on every server pgvet runs;
#:   "stand-in"  pgvet's SQL stand-in (src/pgvet/sandbox/extensions), used only where the
#:               server lacks the real one (Debian packages hypopg, plpgsql_check, pgtap,
#:               pg_cron …; the embedded 18 has the real vector);
#:   "absent"    neither: a migration creating it fails, and the replay says so.
#: ``privileged``: on supautils' privileged_extensions list (needs a superuser, so the
#: platform creates it for ``postgres``); the others are trusted or need no superuser.
#: ``version``: the stand-in's version (what ``create extension`` installs without one).
#: From supabase/postgres ``ansible/files/postgresql_config/conf.d/supautils.conf``.
EXTENSIONS: tuple[tuple[str, str | None, str, bool], ...] = (
    # name, version, kind, privileged
    ("address_standardizer", None, "absent", True),
    ("address_standardizer_data_us", None, "absent", True),
    ("autoinc", None, "postgres", True),
    ("bloom", None, "postgres", True),
    ("btree_gin", None, "postgres", True),
    ("btree_gist", None, "postgres", True),
    ("citext", None, "postgres", True),
    ("cube", None, "postgres", True),
    ("dblink", None, "postgres", True),
    ("dict_int", None, "postgres", True),
    ("dict_xsyn", None, "postgres", True),
    ("earthdistance", None, "postgres", True),
    ("fuzzystrmatch", None, "postgres", True),
    ("hstore", None, "postgres", True),
    ("http", "1.6", "stand-in", True),
    ("hypopg", "1.4.1", "stand-in", True),
    ("index_advisor", "0.2.0", "stand-in", True),
    ("insert_username", None, "postgres", True),
    ("intarray", None, "postgres", True),
    ("isn", None, "postgres", True),
    ("lo", None, "postgres", False),
    ("ltree", None, "postgres", True),
    ("moddatetime", None, "postgres", True),
    ("orioledb", None, "absent", True),
    ("pg_buffercache", None, "postgres", True),
    ("pg_cron", "1.6", "stand-in", True),
    ("pg_graphql", "1.5.11", "stand-in", True),
    ("pg_hashids", "1.3", "stand-in", True),
    ("pg_jsonschema", "0.3.3", "stand-in", True),
    ("pg_net", "0.19.5", "stand-in", True),
    ("pg_prewarm", None, "postgres", True),
    ("pg_repack", None, "absent", True),
    ("pg_stat_monitor", None, "absent", True),
    ("pg_stat_statements", None, "postgres", True),
    ("pg_tle", "1.4.0", "stand-in", True),
    ("pg_trgm", None, "postgres", True),
    ("pg_walinspect", None, "postgres", True),
    ("pgaudit", None, "absent", True),
    ("pgcrypto", "1.3", "postgres", True),  # stand-in only for the embedded 18
    ("pgjwt", "0.2.0", "stand-in", True),
    ("pgmq", "1.4.4", "stand-in", False),
    ("pgroonga", None, "absent", True),
    ("pgroonga_database", None, "absent", True),
    ("pgrouting", None, "absent", True),
    ("pgrowlocks", None, "postgres", True),
    ("pgsodium", "3.1.8", "stand-in", True),
    ("pgstattuple", None, "postgres", True),
    ("pgtap", None, "absent", True),  # real where Debian's postgresql-15-pgtap is installed
    ("plcoffee", None, "absent", True),
    ("pljava", None, "absent", True),
    ("plls", None, "absent", True),
    ("plpgsql", None, "postgres", False),
    ("plpgsql_check", "2.7", "stand-in", True),
    ("plv8", None, "absent", True),
    ("postgis", None, "absent", True),
    ("postgis_raster", None, "absent", True),
    ("postgis_sfcgal", None, "absent", True),
    ("postgis_tiger_geocoder", None, "absent", True),
    ("postgis_topology", None, "absent", True),
    ("postgres_fdw", None, "postgres", True),
    ("refint", None, "postgres", True),
    ("rum", None, "absent", True),
    ("seg", None, "postgres", True),
    ("sslinfo", None, "postgres", True),
    ("supabase_vault", "0.3.1", "stand-in", True),
    ("supautils", None, "absent", True),
    ("tablefunc", None, "postgres", True),
    ("tcn", None, "postgres", True),
    ("timescaledb", None, "absent", True),
    ("tsm_system_rows", None, "postgres", True),
    ("tsm_system_time", None, "postgres", True),
    ("unaccent", None, "postgres", True),
    ("uuid-ossp", "1.1", "postgres", True),  # stand-in only for the embedded 18
    ("vector", "0.8.0", "stand-in", True),
    ("wrappers", "0.5.0", "stand-in", True),
)
#: supautils.privileged_extensions: what ``postgres`` may create although it needs a
#: superuser (the script then runs as supabase_admin).
PRIVILEGED_EXTENSIONS = frozenset(name for name, _, _, privileged in EXTENSIONS if privileged)
#: on the platform but needing no superuser (their control files say ``superuser = false``)
UNPRIVILEGED_EXTENSIONS = frozenset(
    name for name, _, kind, privileged in EXTENSIONS if not privileged and kind == "stand-in"
)

#: Predefined roles whose membership reaches the host (supautils.reserved_memberships).
#: PostgreSQL 15 lets a CREATEROLE role grant them to itself; the sandbox makes each of
#: them a member of ``postgres``, so any grant that would give ``postgres`` their
#: privileges, directly or through another role, is a membership loop PostgreSQL refuses.
HOST_ROLES = ("pg_execute_server_program", "pg_read_server_files", "pg_write_server_files")

#: Roles ``postgres`` may switch to; from PostgreSQL 16 CREATEROLE needs ADMIN OPTION to
#: manage a role, and the platform grants these with it.
API_ROLES = ("anon", "authenticated", "service_role")


def privileges_sql(major: int) -> str:
    """What makes ``postgres`` the platform's project owner, applied after the stand-ins.

    The stand-ins are created by the superuser (as the platform's own objects are); here
    the project role gets what the platform gives it: the database's privileges, the
    ``public`` schema, the CLI's history schema and the realtime publication, and no way
    to the host roles.
    """
    statements = [
        "do $$ begin execute format('grant all on database %I to postgres', "
        "current_database()); end $$",
        "alter schema public owner to postgres",
        "alter schema supabase_migrations owner to postgres",
        "alter table supabase_migrations.schema_migrations owner to postgres",
        "alter table supabase_migrations.seed_files owner to postgres",
        "alter publication supabase_realtime owner to postgres",
        # extensions the platform pre-installs behave as if the project had created them
        # (supautils): `postgres` may drop or update them; their objects stay the platform's
        "update pg_catalog.pg_extension set extowner = 'postgres'::regrole "
        "where extname <> 'plpgsql'",
        *(f"grant postgres to {role}" for role in HOST_ROLES),
        # supautils' policy_grants / drop_trigger_grants: the project may manage policies
        # and triggers on the tables the platform owns (70_platform_guard.sql refuses the
        # rest of what owning them would allow)
        "grant supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin to postgres",
    ]
    if major >= 15:  # GRANT SET ON PARAMETER is new in PostgreSQL 15
        statements.append(f"grant set on parameter {', '.join(ALLOWED_SETTINGS)} to postgres")
    if major >= 16:
        statements.append(f"grant {', '.join(API_ROLES)} to postgres with admin option")
        # `alter role authenticator set pgrst.…` is allowed on the platform (supautils)
        statements.append(
            "grant authenticator to postgres with admin true, inherit false, set false"
        )
    return ";\n".join(statements) + ";\n"


#: supautils.privileged_role_allowed_configs: settings ``postgres`` may set on roles and
#: databases although PostgreSQL reserves them to superusers (the wildcards are spelled out
#: with PostgREST's and the extensions' setting names).
_PGRST = """
    admin_server_port db_aggregates_enabled db_anon_role db_channel db_channel_enabled
    db_config db_extra_search_path db_hoisted_tx_settings db_max_rows db_plan_enabled
    db_pool db_pre_config db_pre_request db_prepared_statements db_root_spec db_schemas
    db_tx_end db_uri jwt_aud jwt_cache_max_lifetime jwt_role_claim_key jwt_secret
    jwt_secret_is_base64 log_level openapi_mode openapi_security_active
    openapi_server_proxy_uri server_cors_allowed_origins server_timing_enabled
"""
ALLOWED_SETTINGS = (
    *(f"pgrst.{name}" for name in _PGRST.split()),
    "log_lock_waits",
    "log_min_duration_statement",
    "log_min_messages",
    "log_parameter_max_length",
    "log_replication_commands",
    "log_statement",
    "log_temp_files",
    "pg_net.batch_size",
    "pg_net.ttl",
    "session_replication_role",
    "track_io_timing",
    "wal_compression",
)


#: Start of every hint for something the platform refuses the project's role.
NOT_PERMITTED = "not permitted on Supabase"


def control_file(text: str, extension: str, *, stand_in: bool) -> str:
    """A control file as the sandbox installs it: trusted exactly when allow-listed.

    Stand-ins always declare ``superuser = true`` like the real extensions they replace, so
    that only the allow-list (not pgvet's own files) decides who may create them. A real
    extension outside the list keeps its own control file (PostgreSQL's trusted ones, such
    as plpgsql or lo, can be created by ``postgres`` on the platform too).
    """
    if not stand_in and extension not in PRIVILEGED_EXTENSIONS:
        return text
    drop = ("trusted", "superuser") if stand_in else ("trusted",)
    keep = [line for line in text.splitlines() if not line.strip().startswith(drop)]
    if stand_in:
        keep.append(f"superuser = {'false' if extension in UNPRIVILEGED_EXTENSIONS else 'true'}")
    if extension in PRIVILEGED_EXTENSIONS:
        keep.append("trusted = true")
    return "\n".join(keep) + "\n"
