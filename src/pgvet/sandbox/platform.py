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

#: supautils.privileged_extensions: what ``postgres`` may create although it needs a
#: superuser (the script then runs as supabase_admin). Extensions that PostgreSQL itself
#: marks trusted (plpgsql, lo, …) can be created by ``postgres`` anyway, as on Supabase.
_PRIVILEGED = """
    address_standardizer address_standardizer_data_us autoinc bloom btree_gin btree_gist
    citext cube dblink dict_int dict_xsyn earthdistance fuzzystrmatch hstore http hypopg
    index_advisor insert_username intarray isn ltree moddatetime orioledb pg_buffercache
    pg_cron pg_graphql pg_hashids pg_jsonschema pg_net pg_prewarm pg_repack pg_stat_monitor
    pg_stat_statements pg_tle pg_trgm pg_walinspect pgaudit pgcrypto pgjwt pgroonga
    pgroonga_database pgrouting pgrowlocks pgsodium pgstattuple pgtap plcoffee pljava plls
    plpgsql_check plv8 postgis postgis_raster postgis_sfcgal postgis_tiger_geocoder
    postgis_topology postgres_fdw refint rum seg sslinfo supabase_vault supautils tablefunc
    tcn timescaledb tsm_system_rows tsm_system_time unaccent uuid-ossp vector wrappers
"""
PRIVILEGED_EXTENSIONS = frozenset(_PRIVILEGED.split())

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
        keep.append("superuser = true")
    if extension in PRIVILEGED_EXTENSIONS:
        keep.append("trusted = true")
    return "\n".join(keep) + "\n"
