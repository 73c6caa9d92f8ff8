"""read_catalog against a real PostgreSQL: exact catalog content and a constant query count."""

from __future__ import annotations

import pickle
import sys
import threading
from dataclasses import fields
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from pgvet.catalog import DEFAULT_EXCLUDED, Catalog, index_keys, introspect, read_catalog
from pgvet.catalog.model import (
    Column,
    Constraint,
    Enum,
    Origin,
    Policy,
    TablePrivilege,
)

ROLES_SQL = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN;
  END IF;
END $$;
"""

SCHEMA_SQL = r"""
-- auth.uid() and auth.users come from the Supabase stand-ins (the project role may not
-- create objects in the platform's auth schema)

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application schema';
CREATE TYPE public.status AS ENUM ('draft', 'archived');
ALTER TYPE public.status ADD VALUE 'active' BEFORE 'archived';
-- a new enum value must be committed before use: run the rest separately
-- @@split@@

CREATE TABLE public.orgs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  slug text GENERATED ALWAYS AS (lower(name)) STORED,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.orgs IS 'Organisations';
COMMENT ON COLUMN public.orgs.name IS 'display name';

CREATE TABLE public.members (
  id bigserial PRIMARY KEY,
  org_id bigint NOT NULL,
  user_id uuid NOT NULL,
  email text,
  status public.status NOT NULL DEFAULT 'draft',
  history public.status[],
  meta jsonb,
  CONSTRAINT members_org_fk FOREIGN KEY (org_id) REFERENCES public.orgs (id)
    ON DELETE CASCADE ON UPDATE RESTRICT
);
ALTER TABLE public.members ADD CONSTRAINT members_email_check
  CHECK (email LIKE '%@%') NOT VALID;
ALTER TABLE public.members ADD CONSTRAINT members_user_fk FOREIGN KEY (user_id)
  REFERENCES auth.users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

CREATE INDEX members_org_status_idx ON public.members (org_id, status DESC) INCLUDE (email);
CREATE INDEX members_active_idx ON public.members (user_id) WHERE status = 'active';
CREATE UNIQUE INDEX members_lower_email_idx ON public.members (lower(email), org_id);
CREATE INDEX members_meta_gin ON public.members USING gin (meta jsonb_path_ops);

ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members FORCE ROW LEVEL SECURITY;
ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_select ON public.members FOR SELECT TO authenticated, anon
  USING (user_id = auth.uid());
CREATE POLICY members_insert ON public.members AS RESTRICTIVE FOR INSERT
  WITH CHECK (user_id = auth.uid());

CREATE FUNCTION public.member_count(p_org bigint) RETURNS integer
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ BEGIN RETURN (SELECT count(*) FROM public.members WHERE org_id = p_org); END $$;
REVOKE EXECUTE ON FUNCTION public.member_count(bigint) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.member_count(bigint) TO authenticated;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql SET search_path = ''
  AS $$ BEGIN NEW.email := lower(NEW.email); RETURN NEW; END $$;
CREATE FUNCTION public.lower_sql(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
  RETURN lower(t);
CREATE PROCEDURE app.noop() LANGUAGE sql AS $$ SELECT 1 $$;

CREATE TRIGGER members_touch BEFORE INSERT OR UPDATE OF email ON public.members
  FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE TRIGGER members_audit AFTER DELETE ON public.members
  FOR EACH STATEMENT EXECUTE FUNCTION public.touch();
ALTER TABLE public.members DISABLE TRIGGER members_audit;

CREATE VIEW public.member_emails WITH (security_invoker = on) AS
  SELECT id, email FROM public.members;
CREATE VIEW app.plain_view AS SELECT id FROM public.orgs;
CREATE MATERIALIZED VIEW public.org_counts AS
  SELECT org_id, count(*) AS n FROM public.members GROUP BY org_id;

CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL, payload jsonb)
  PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE public.events ADD PRIMARY KEY (id, at);
CREATE TRIGGER events_touch BEFORE INSERT ON public.events
  FOR EACH ROW EXECUTE FUNCTION public.touch();

-- a Supabase-like database grants everything by default: start from nothing
REVOKE ALL ON public.orgs, public.members, public.member_emails, public.org_counts,
  public.events, public.events_2024 FROM PUBLIC, anon, authenticated;
GRANT SELECT ON public.orgs TO anon;
GRANT UPDATE (name) ON public.orgs TO anon;
GRANT SELECT, INSERT, UPDATE ON public.members TO authenticated;
GRANT SELECT ON public.member_emails TO PUBLIC;

CREATE EXTENSION citext SCHEMA public;
"""


def _create_schema(conn: psycopg.Connection[Any]) -> None:
    conn.execute(ROLES_SQL)
    for part in SCHEMA_SQL.split("-- @@split@@"):
        conn.execute(part)  # type: ignore[arg-type]


@pytest.fixture
def catalog(scratch_db: psycopg.Connection[Any]) -> Catalog:
    _create_schema(scratch_db)
    return read_catalog(scratch_db)


def test_tables_and_columns(catalog: Catalog) -> None:
    names = {(t.schema, t.name): t.kind for t in catalog.tables}
    assert names == {
        ("public", "orgs"): "table",
        ("public", "members"): "table",
        ("public", "events"): "partitioned",
        ("public", "events_2024"): "table",
        ("public", "member_emails"): "view",
        ("public", "org_counts"): "materialized_view",
        ("app", "plain_view"): "view",
    }
    assert catalog.find_table("auth", "users") is None  # excluded schema
    with pytest.raises(KeyError):
        catalog.table("auth", "users")

    orgs = catalog.table("public", "orgs")
    assert orgs.comment == "Organisations"
    assert orgs.rls_enabled and not orgs.rls_forced
    assert orgs.owner == "postgres"
    assert orgs.columns == (
        Column("id", 1, "bigint", "pg_catalog", "int8", True, identity="always"),
        Column("name", 2, "text", "pg_catalog", "text", True, comment="display name"),
        Column("slug", 3, "text", "pg_catalog", "text", False, generated="lower(name)"),
        Column("tags", 4, "text[]", "pg_catalog", "text", True, "'{}'::text[]", is_array=True),
        Column("created_at", 5, "timestamp with time zone", "pg_catalog", "timestamptz", True,
               "now()"),
    )  # fmt: skip

    members = catalog.table("public", "members")
    assert members.rls_enabled and members.rls_forced
    by_name = {c.name: c for c in members.columns}
    assert by_name["id"].default == "nextval('public.members_id_seq'::regclass)"
    assert by_name["status"].type == "public.status"
    assert (by_name["status"].type_schema, by_name["status"].type_name) == ("public", "status")
    assert by_name["status"].default == "'draft'::public.status"
    assert by_name["history"].type == "public.status[]"
    assert by_name["history"].is_array and by_name["history"].type_name == "status"
    assert members.column("meta") is not None and members.column("nope") is None

    events = catalog.table("public", "events")
    assert events.partition_key == "RANGE (at)"
    assert catalog.partitions_of("public", "events") == (catalog.table("public", "events_2024"),)
    part = catalog.table("public", "events_2024")
    assert part.parent == ("public", "events")
    assert part.partition_bound == "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    assert {t.name for t in catalog.base_tables} == {"orgs", "members", "events", "events_2024"}
    assert catalog.table("public", "member_emails").column_names == ("id", "email")


def test_schemas_enums_extensions(catalog: Catalog) -> None:
    schemas = {s.name: s for s in catalog.schemas}
    assert set(schemas) == {"public", "app"}
    assert schemas["app"].comment == "application schema"
    assert catalog.enums == (Enum("public", "status", ("draft", "active", "archived")),)
    assert catalog.enum("public", "status") is catalog.enums[0]
    exts = {e.name: e for e in catalog.extensions}
    assert exts["citext"].schema == "public"
    assert exts["plpgsql"].schema == "pg_catalog"
    # extension-in-public's advice and a version check rest on these two facts
    assert exts["citext"].relocatable and not exts["plpgsql"].relocatable
    assert exts["citext"].default_version == exts["citext"].version


def test_constraints(catalog: Catalog) -> None:
    cons = {c.name: c for c in catalog.constraints_of("public", "members")}
    assert set(cons) == {
        "members_pkey",
        "members_org_fk",
        "members_user_fk",
        "members_email_check",
    }
    assert cons["members_org_fk"] == Constraint(
        schema="public",
        table="members",
        name="members_org_fk",
        kind="foreign",
        columns=("org_id",),
        definition="FOREIGN KEY (org_id) REFERENCES public.orgs(id) "
        "ON UPDATE RESTRICT ON DELETE CASCADE",
        ref_schema="public",
        ref_table="orgs",
        ref_columns=("id",),
        on_update="restrict",
        on_delete="cascade",
        match="simple",
        ref_primary=True,
    )
    user_fk = cons["members_user_fk"]
    assert user_fk.ref_primary  # auth.users (id); foreign-key-to-auth-unique reads this
    assert (user_fk.ref_schema, user_fk.ref_table, user_fk.on_delete) == (
        "auth",
        "users",
        "set null",
    )
    assert user_fk.on_update == "no action"
    assert user_fk.deferrable and user_fk.deferred
    check = cons["members_email_check"]
    assert check.kind == "check" and not check.validated
    assert check.definition == "CHECK ((email ~~ '%@%'::text)) NOT VALID"
    assert check.ref_table is None and check.on_delete is None and check.ref_primary is None
    pk = catalog.primary_key("public", "members")
    assert pk is not None
    assert (pk.columns, pk.index_name) == (("id",), "members_pkey")
    orgs_unique = [c for c in catalog.constraints_of("public", "orgs") if c.kind == "unique"]
    assert [(c.name, c.columns) for c in orgs_unique] == [("orgs_name_key", ("name",))]
    assert [c.name for c in catalog.referencing("public", "orgs")] == ["members_org_fk"]
    assert {c.name for c in catalog.foreign_keys} == {"members_org_fk", "members_user_fk"}
    assert catalog.foreign_keys_of("public", "orgs") == ()
    # a partition's copy of its parent's primary key is marked inherited
    (events_pk,) = catalog.constraints_of("public", "events")
    (part_pk,) = catalog.constraints_of("public", "events_2024")
    assert (events_pk.inherited, part_pk.inherited) == (False, True)
    assert part_pk.columns == ("id", "at") and part_pk.index_name == "events_2024_pkey"
    # NOT NULL is a column property, never a Constraint (PostgreSQL 18 stores them as such)
    assert all(c.enforced for c in catalog.constraints)
    assert len(catalog.constraints) == 8


def test_indexes(catalog: Catalog) -> None:
    idx = {i.name: i for i in catalog.indexes_of("public", "members")}
    assert set(idx) == {
        "members_pkey",
        "members_org_status_idx",
        "members_active_idx",
        "members_lower_email_idx",
        "members_meta_gin",
    }
    comp = idx["members_org_status_idx"]
    assert comp.columns == ("org_id", "status")
    assert comp.expressions == ("org_id", "status")
    assert comp.key_count == 2
    assert comp.include_columns == ("email",)
    assert comp.descending == (False, True)
    assert comp.nulls_first == (False, True)  # DESC defaults to NULLS FIRST
    assert comp.opclasses == ("int8_ops", "enum_ops")
    assert comp.collations == (None, None)
    assert comp.method == "btree" and not comp.unique and comp.predicate is None
    assert comp.definition == (
        "CREATE INDEX members_org_status_idx ON public.members USING btree "
        "(org_id, status DESC) INCLUDE (email)"
    )

    partial = idx["members_active_idx"]
    assert partial.columns == ("user_id",)
    assert partial.predicate == "status = 'active'::public.status"
    assert partial.is_partial

    expr = idx["members_lower_email_idx"]
    assert expr.unique and not expr.primary
    assert expr.columns == (None, "org_id")
    assert expr.expressions == ("lower(email)", "org_id")
    assert expr.collations == ("default", None)
    assert expr.has_expressions and expr.constraint_name is None

    gin = idx["members_meta_gin"]
    assert (gin.method, gin.opclasses, gin.expressions) == ("gin", ("jsonb_path_ops",), ("meta",))

    pk = idx["members_pkey"]
    assert pk.primary and pk.unique and pk.valid and pk.ready
    assert pk.constraint_name == "members_pkey"
    assert pk.size_bytes > 0

    (parent,) = catalog.indexes_of("public", "events")
    assert (parent.name, parent.partitioned, parent.size_bytes) == ("events_pkey", True, 0)
    (child,) = catalog.indexes_of("public", "events_2024")
    assert (child.columns, child.partitioned) == (("id", "at"), False)


def test_policies(catalog: Catalog) -> None:
    assert catalog.policies_of("public", "members") == (
        Policy(
            "public",
            "members",
            "members_insert",
            "INSERT",
            ("public",),
            permissive=False,
            with_check="(user_id = auth.uid())",
        ),
        Policy(
            "public",
            "members",
            "members_select",
            "SELECT",
            ("anon", "authenticated"),
            using="(user_id = auth.uid())",
        ),
    )
    assert catalog.policies_of("public", "orgs") == ()
    assert catalog.policies_of("public", "members")[0].applies_to("anon")


def test_functions(catalog: Catalog) -> None:
    (count,) = catalog.functions_named("public", "member_count")
    assert count.identity_args == "p_org bigint"
    assert count.result == "integer"
    assert (count.language, count.volatility, count.kind) == ("plpgsql", "stable", "function")
    assert count.security_definer and not count.strict and not count.leakproof
    assert count.settings == ("search_path=public, pg_temp",)
    assert count.search_path == "public, pg_temp"
    assert count.owner == "postgres" and count.owner_bypasses_rls
    assert count.extension is None and not count.is_internal_schema
    assert {"postgres", "authenticated"} <= count.executable_by
    assert not {"public", "anon"} & count.executable_by
    assert "count(*)" in count.body
    assert count.signature == "public.member_count(p_org bigint)"

    (touch,) = catalog.functions_named("public", "touch")
    assert touch.search_path == '""'
    assert touch.result == "trigger"
    assert "public" in touch.executable_by

    (lower_sql,) = catalog.functions_named("public", "lower_sql")
    assert lower_sql.strict and lower_sql.volatility == "immutable"
    assert lower_sql.body == "RETURN lower(t)"
    assert lower_sql.search_path is None

    (noop,) = catalog.functions_named("app", "noop")
    assert noop.kind == "procedure" and noop.result is None

    (uid,) = catalog.functions_named("auth", "uid")
    assert uid.is_internal_schema and uid.result == "uuid"

    citext_fns = [f for f in catalog.functions if f.extension == "citext"]
    assert citext_fns and all(f.schema == "public" for f in citext_fns)
    assert all(f.schema not in ("pg_catalog", "information_schema") for f in catalog.functions)


def test_views(catalog: Catalog) -> None:
    views = {(v.schema, v.name): v for v in catalog.views}
    assert set(views) == {
        ("public", "member_emails"),
        ("public", "org_counts"),
        ("app", "plain_view"),
    }
    emails = views[("public", "member_emails")]
    assert emails.security_invoker and not emails.materialized
    if catalog.server_version >= 160000:
        assert emails.definition == " SELECT id,\n    email\n   FROM public.members;"
    else:  # before 16, single-table views qualify their columns
        assert (
            emails.definition == " SELECT members.id,\n    members.email\n   FROM public.members;"
        )
    assert [c.name for c in emails.columns] == ["id", "email"]
    # what each definition reads, from pg_depend (auth-users-exposed follows these)
    assert emails.relations == (("public", "members"),)
    assert views[("app", "plain_view")].relations == (("public", "orgs"),)
    assert not views[("app", "plain_view")].security_invoker
    counts = views[("public", "org_counts")]
    assert counts.materialized and counts.owner == "postgres"
    assert catalog.view("public", "org_counts") is counts


def test_triggers(catalog: Catalog) -> None:
    trig = {t.name: t for t in catalog.triggers_of("public", "members")}
    assert set(trig) == {"members_touch", "members_audit"}  # FK triggers are internal
    touch = trig["members_touch"]
    assert (touch.timing, touch.events, touch.level) == ("BEFORE", ("INSERT", "UPDATE"), "ROW")
    assert (touch.function_schema, touch.function_name) == ("public", "touch")
    assert touch.update_columns == ("email",)
    assert touch.enabled
    assert touch.definition == (
        "CREATE TRIGGER members_touch BEFORE INSERT OR UPDATE OF email ON public.members "
        "FOR EACH ROW EXECUTE FUNCTION public.touch()"
    )
    (clone,) = catalog.triggers_of("public", "events_2024")
    assert (clone.name, clone.inherited) == ("events_touch", True)
    assert not catalog.triggers_of("public", "events")[0].inherited
    audit = trig["members_audit"]
    assert (audit.timing, audit.events, audit.level) == ("AFTER", ("DELETE",), "STATEMENT")
    assert not audit.enabled


def test_privileges(catalog: Catalog) -> None:
    privs = {(p.schema, p.table, p.role): p.privileges for p in catalog.privileges}
    assert privs == {
        ("public", "orgs", "anon"): frozenset({"SELECT"}),
        ("public", "members", "authenticated"): frozenset({"SELECT", "INSERT", "UPDATE"}),
        ("public", "member_emails", "public"): frozenset({"SELECT"}),
    }
    assert catalog.privileges_of("public", "orgs") == (
        TablePrivilege("public", "orgs", "anon", frozenset({"SELECT"})),
    )
    assert catalog.table_privileges("public", "member_emails", "anon") == {"SELECT"}
    assert catalog.table_privileges("public", "members", "anon") == frozenset()
    assert [(c.table, c.column, c.role, c.privileges) for c in catalog.column_privileges] == [
        ("orgs", "name", "anon", frozenset({"UPDATE"}))
    ]


def test_sequences_and_roles(catalog: Catalog) -> None:
    seqs = {s.name: s for s in catalog.sequences}
    assert set(seqs) == {"orgs_id_seq", "members_id_seq"}
    assert seqs["members_id_seq"].owned_by == ("public", "members", "id")
    assert not seqs["members_id_seq"].identity
    assert seqs["orgs_id_seq"].identity and seqs["orgs_id_seq"].data_type == "bigint"
    anon = catalog.role("anon")
    assert anon is not None and not anon.can_login and not anon.bypass_rls
    postgres = catalog.role("postgres")
    # as on Supabase: the project role is not a superuser; the platform's superuser is
    assert postgres is not None and not postgres.superuser and postgres.bypass_rls
    admin = catalog.role("supabase_admin")
    assert admin is not None and admin.superuser
    assert all(not r.name.startswith("pg_") for r in catalog.roles)


def test_origins_and_partial(catalog: Catalog) -> None:
    assert catalog.origins == {} and not catalog.partial
    policy = catalog.policies_of("public", "members")[0]
    assert policy.origin_key == ("policy", "public", "members.members_insert")
    origins = {
        ("table", "public", "orgs"): Origin("001_init.sql", 3),
        ("policy", "public", "members.members_insert"): Origin(
            "001_init.sql", 40, "002_fix.sql", 7
        ),
    }
    with_origins = catalog.with_origins(origins)
    assert catalog.origins == {}  # the original is untouched
    assert with_origins.origin_of("table", "public", "orgs") == Origin("001_init.sql", 3)
    assert with_origins.origin_for(policy) == origins[policy.origin_key]
    assert with_origins.origin_of("table", "public", "members") is None
    assert with_origins.table("public", "orgs") is catalog.table("public", "orgs")
    assert with_origins.with_partial().partial
    copied = pickle.loads(pickle.dumps(with_origins))
    assert copied == with_origins and copied.origins == origins
    assert copied.table("public", "orgs") == catalog.table("public", "orgs")
    assert catalog.table("public", "member_emails").origin_key == (
        "view",
        "public",
        "member_emails",
    )


def test_exclude_schemas_and_connection_state(scratch_db: psycopg.Connection[Any]) -> None:
    _create_schema(scratch_db)
    scratch_db.execute("SET search_path = app, public")
    cat = read_catalog(scratch_db, exclude_schemas=DEFAULT_EXCLUDED | {"app"})
    assert {s.name for s in cat.schemas} == {"public"}
    assert cat.find_table("app", "plain_view") is None
    (noop,) = cat.functions_named("app", "noop")
    assert noop.is_internal_schema
    # text does not depend on the session's search_path
    assert cat.table("public", "members").column("status").type == "public.status"  # type: ignore[union-attr]
    # the session is left as it was, inside and outside a caller's transaction
    assert scratch_db.execute("SHOW search_path").fetchone() == ("app, public",)
    with scratch_db.transaction():
        scratch_db.execute("CREATE TABLE public.in_tx (id int)")
        inside = read_catalog(scratch_db)
        assert inside.find_table("public", "in_tx") is not None
        assert scratch_db.execute("SHOW search_path").fetchone() == ("app, public",)
        scratch_db.execute("INSERT INTO public.in_tx VALUES (1)")  # still writable
    assert scratch_db.execute("SELECT count(*) FROM public.in_tx").fetchone() == (1,)


def _add_tables(conn: psycopg.Connection[Any], start: int, stop: int) -> None:
    """Tables t<start>..t<stop-1>, each with an FK to the previous one, an index, a policy,
    a grant, a trigger and a view."""
    parts = []
    for i in range(start, stop):
        ref = f"REFERENCES public.t{i - 1}(id) ON DELETE CASCADE" if i else ""
        parts.append(
            f"""
            CREATE TABLE public.t{i} (id bigint PRIMARY KEY, parent bigint {ref},
                                      k public.kind, body text);
            CREATE INDEX t{i}_parent_idx ON public.t{i} (parent, lower(body));
            ALTER TABLE public.t{i} ENABLE ROW LEVEL SECURITY;
            CREATE POLICY p{i} ON public.t{i} FOR SELECT TO anon USING (k = 'a');
            GRANT SELECT ON public.t{i} TO anon;
            CREATE FUNCTION public.f{i}() RETURNS trigger LANGUAGE plpgsql
              AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER tr{i} BEFORE INSERT ON public.t{i}
              FOR EACH ROW EXECUTE FUNCTION public.f{i}();
            CREATE VIEW public.v{i} AS SELECT id FROM public.t{i};
            """
        )
    conn.execute("\n".join(parts))  # type: ignore[arg-type]


def _count_queries(
    monkeypatch: pytest.MonkeyPatch, conn: psycopg.Connection[Any]
) -> tuple[int, Catalog]:
    """read_catalog's number of Cursor.execute calls, and its result."""
    calls: list[object] = []
    original = psycopg.Cursor.execute

    def counting(self: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(query)
        return original(self, query, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(psycopg.Cursor, "execute", counting)
        cat = read_catalog(conn)
    return len(calls), cat


def test_query_count_does_not_grow_with_tables(
    monkeypatch: pytest.MonkeyPatch, scratch_db: psycopg.Connection[Any]
) -> None:
    scratch_db.execute(ROLES_SQL)
    scratch_db.execute("CREATE TYPE public.kind AS ENUM ('a', 'b')")
    counts = []
    for start, stop in ((0, 2), (2, 40)):
        _add_tables(scratch_db, start, stop)
        count, cat = _count_queries(monkeypatch, scratch_db)
        assert len(cat.base_tables) == stop
        assert len(cat.indexes) == 2 * stop
        assert len(cat.policies) == len(cat.triggers) == len(cat.views) == stop
        assert len(cat.foreign_keys) == stop - 1
        assert all("SELECT" in cat.table_privileges("public", f"t{i}", "anon") for i in range(stop))
        counts.append(count)
    assert counts[0] == counts[1]
    assert counts[0] <= 20  # one per object kind plus transaction setup


def test_postgres_18_virtual_columns_and_not_enforced(scratch_db: psycopg.Connection[Any]) -> None:
    if scratch_db.info.server_version < 180000:
        pytest.skip("PostgreSQL 18 features")
    scratch_db.execute(
        """
        CREATE TABLE public.p (id int PRIMARY KEY, a int,
                               b int GENERATED ALWAYS AS (a * 2) VIRTUAL);
        CREATE TABLE public.c (id int NOT NULL, p_id int,
          CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES public.p (id) NOT ENFORCED,
          CONSTRAINT c_id_check CHECK (id > 0) NOT ENFORCED);
        """
    )
    cat = read_catalog(scratch_db)
    b = cat.table("public", "p").column("b")
    assert b is not None and (b.generated, b.default) == ("(a * 2)", None)
    cons = {c.name: c.enforced for c in cat.constraints_of("public", "c")}
    assert cons == {"c_p_fk": False, "c_id_check": False}
    assert cat.table("public", "c").columns[0].not_null


def test_storage_buckets_and_their_policies(scratch_db: psycopg.Connection[Any]) -> None:
    """Buckets (rows of storage.buckets) and the policies on storage.objects are read,
    nothing else of the storage schema; public-bucket-allows-listing judges them."""
    with scratch_db.transaction(force_rollback=True):
        scratch_db.execute(
            "insert into storage.buckets (id, name, public)"
            " values ('avatars', 'avatars', true), ('O''Brien', 'O''Brien', false)"
        )
        scratch_db.execute(
            'create policy "Anyone reads avatars" on storage.objects for select to anon'
            " using (bucket_id = 'avatars')"
        )
        cat = read_catalog(scratch_db)
    assert [(b.id, b.name, b.public) for b in cat.buckets] == [
        ("O'Brien", "O'Brien", False),
        ("avatars", "avatars", True),
    ]
    (policy,) = cat.storage_policies
    assert (policy.schema, policy.table, policy.name, policy.roles) == (
        "storage",
        "objects",
        "Anyone reads avatars",
        ("anon",),
    )
    assert policy.using == "(bucket_id = 'avatars'::text)"
    assert all(p.schema != "storage" for p in cat.policies)
    # without the policy there is still the bucket list (the one-row join)
    assert read_catalog(scratch_db).storage_policies == ()


def test_read_on_two_connections_is_the_same_catalog(
    scratch_db: psycopg.Connection[Any],
) -> None:
    """Policies and indexes read on a second connection, in the first one's snapshot: the
    same catalog; inside a caller's transaction the second is not used (it could not see
    the transaction's own changes)."""
    scratch_db.execute(ROLES_SQL)
    scratch_db.execute("CREATE TYPE public.kind AS ENUM ('a', 'b')")
    _add_tables(scratch_db, 0, 6)
    opened: list[psycopg.Connection[Any]] = []

    def second() -> psycopg.Connection[Any]:
        opened.append(psycopg.connect(scratch_db.info.dsn, autocommit=True))
        return opened[-1]

    alone = read_catalog(scratch_db)
    interval = sys.getswitchinterval()
    together = read_catalog(scratch_db, second=second)
    assert sys.getswitchinterval() == interval  # pgvet.thread_switch: the caller's again
    assert len(opened) == 1 and opened[0].closed
    assert together == alone
    assert len(together.indexes) == 12
    assert together.table("public", "t5").column("k") is not None
    with scratch_db.transaction():
        scratch_db.execute("CREATE TABLE public.in_tx (id int primary key, note text)")
        inside = read_catalog(scratch_db, second=second)
        assert len(opened) == 1  # not used in the caller's transaction
        assert [c.name for c in inside.table("public", "in_tx").columns] == ["id", "note"]
        assert [i.name for i in inside.indexes_of("public", "in_tx")] == ["in_tx_pkey"]


# The server's own answer for each index key, as read_catalog once asked it (a grouped
# pass joining every key to pg_attribute, pg_opclass and pg_collation): the referee of the
# names read_catalog now resolves on the client.
_SERVER_KEYS_SQL = """
SELECT ic.relname AS name,
       array_agg(a.attname ORDER BY k) AS columns,
       array_agg(CASE WHEN i.indkey[k] = 0 THEN pg_get_indexdef(i.indexrelid, k + 1, true)
                      ELSE quote_ident(a.attname) END ORDER BY k) AS expressions,
       array_agg(opc.opcname ORDER BY k) AS opclasses,
       array_agg(coll.collname ORDER BY k) AS collations,
       array_agg((i.indoption[k] & 1) <> 0 ORDER BY k) AS descending,
       array_agg((i.indoption[k] & 2) <> 0 ORDER BY k) AS nulls_first,
       (SELECT coalesce(array_agg(a2.attname ORDER BY k2), '{}')
        FROM generate_series(i.indnkeyatts, i.indnatts - 1) AS k2
        JOIN pg_attribute a2 ON a2.attrelid = i.indrelid AND a2.attnum = i.indkey[k2])
           AS include_columns
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
CROSS JOIN LATERAL generate_series(0, i.indnkeyatts - 1) AS k
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k]
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k]
LEFT JOIN pg_collation coll ON coll.oid = i.indcollation[k]
WHERE i.indrelid = 'public.odd'::regclass
GROUP BY ic.relname, i.indexrelid, i.indrelid, i.indnkeyatts, i.indnatts, i.indkey
"""


def test_index_keys_named_on_the_client_as_the_server_names_them(
    scratch_db: psycopg.Connection[Any],
) -> None:
    """Column names (keywords of each category, mixed case, non-ASCII, quotes), expression
    keys between plain ones, operator classes, collations, DESC / NULLS FIRST, INCLUDE."""
    scratch_db.execute(
        """
        CREATE TABLE public.odd (
            id int PRIMARY KEY, "time" timestamptz, "user" text, "order" int,
            comment text, "Mixed" text, "naïve" text, "we""ird" text, "select" text,
            body text, tags text[], "between" int
        );
        CREATE INDEX odd_keywords ON public.odd ("time" DESC, "user", "order" NULLS FIRST,
            comment, "between");
        CREATE INDEX odd_names ON public.odd ("Mixed", "naïve", "we""ird", "select")
            INCLUDE (body, "user");
        CREATE INDEX odd_exprs ON public.odd (id, lower(body) DESC NULLS LAST,
            (coalesce("order", 0) + 1), "time");
        CREATE INDEX odd_ops ON public.odd (body text_pattern_ops, "user" COLLATE "C");
        CREATE INDEX odd_gin ON public.odd USING gin (tags);
        CREATE UNIQUE INDEX odd_partial ON public.odd (lower("Mixed")) WHERE id > 0;
        """
    )
    rows = scratch_db.cursor(row_factory=dict_row).execute(_SERVER_KEYS_SQL).fetchall()
    assert len(rows) == 7
    indexes = {i.name: i for i in read_catalog(scratch_db).indexes_of("public", "odd")}
    for row in rows:
        index = indexes[row["name"]]
        client = {field: getattr(index, field) for field in row if field != "name"}
        assert client == {field: tuple(value) for field, value in row.items() if field != "name"}
    assert indexes["odd_keywords"].expressions == (
        '"time"', '"user"', '"order"', "comment", '"between"',
    )  # fmt: skip
    assert indexes["odd_exprs"].columns == ("id", None, None, "time")


def test_a_failed_read_leaves_no_reader_waiting(
    scratch_db: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second connection's reader waits for the columns the first one reads: when the
    first fails before it has them, the second ends too, and the error is the caller's."""
    monkeypatch.setattr(introspect, "COLUMNS_SQL", "SELECT pg_catalog.no_such_function()")
    opened: list[psycopg.Connection[Any]] = []

    def second() -> psycopg.Connection[Any]:
        opened.append(psycopg.connect(scratch_db.info.dsn, autocommit=True))
        return opened[-1]

    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_catalog(scratch_db, second=second)
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(120)
    assert not reader.is_alive(), "read_catalog still waiting"
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.UndefinedFunction)
    assert len(opened) == 1 and opened[0].closed
    assert scratch_db.execute("SELECT 1").fetchone() == (1,)  # left idle, usable


# The server's names for each constraint's key columns, as read_catalog once asked them
# (joining every key to pg_attribute): the referee of the names now resolved on the client.
_SERVER_CONSTRAINT_KEYS_SQL = """
SELECT con.conname AS name,
       coalesce((SELECT array_agg(a.attname ORDER BY k.ord)
                 FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                '{}') AS columns,
       coalesce((SELECT array_agg(a.attname ORDER BY k.ord)
                 FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum),
                '{}') AS ref_columns
FROM pg_constraint con
WHERE con.conrelid IN ('public.parent'::regclass, 'public.child'::regclass)
  AND con.contype IN ('p', 'u', 'c', 'f', 'x')
"""


def test_constraint_keys_named_on_the_client_as_the_server_names_them(
    scratch_db: psycopg.Connection[Any],
) -> None:
    """Composite keys in key order (not the table's column order), keyword and mixed-case
    names, a foreign key to auth.users (whose columns the catalog does not read), a CHECK
    on a system column, an exclusion constraint with an expression key (left out)."""
    scratch_db.execute(
        """
        CREATE TABLE public.parent ("Code" int, "order" int, PRIMARY KEY ("order", "Code"));
        CREATE TABLE public.child (
            id int PRIMARY KEY, "Code" int, "order" int, during int,
            owner uuid REFERENCES auth.users (id),
            CHECK (tableoid <> 0),
            FOREIGN KEY ("order", "Code") REFERENCES public.parent ("order", "Code"),
            EXCLUDE USING btree (during WITH =, (id + 1) WITH =)
        );
        """
    )
    server = scratch_db.cursor(row_factory=dict_row).execute(_SERVER_CONSTRAINT_KEYS_SQL)
    expected = {r["name"]: (tuple(r["columns"]), tuple(r["ref_columns"])) for r in server}
    catalog = read_catalog(scratch_db)
    read = {
        c.name: (c.columns, c.ref_columns)
        for table in ("parent", "child")
        for c in catalog.constraints_of("public", table)
    }
    assert read == expected
    assert read["parent_pkey"] == (("order", "Code"), ())
    assert read["child_order_Code_fkey"] == (("order", "Code"), ("order", "Code"))
    assert read["child_owner_fkey"] == (("owner",), ("id",))
    assert read["child_tableoid_check"] == (("tableoid",), ())
    assert read["child_during_expr_excl"] == (("during",), ())


def test_constraint_definitions_written_on_the_client_as_the_server_writes_them(
    scratch_db: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every constraint's definition is pg_get_constraintdef's text (search_path =
    pg_catalog, as the catalog is read): primary keys, unique constraints and foreign keys
    written on the client (keyword, mixed-case and quoted names, NULLS NOT DISTINCT, match
    types, every action, DEFERRABLE, NOT VALID, a reference to auth.users and to a
    partitioned table, the copies on partitions), the server writing CHECK, EXCLUDE,
    INCLUDE, ON DELETE SET NULL (columns) and, on 18, NOT ENFORCED."""
    enforced = scratch_db.info.server_version >= 180000
    scratch_db.execute(
        """
        CREATE SCHEMA "Sales";
        CREATE TABLE "Sales"."order" (
            "Code" int, "order" int, "we""ird" int UNIQUE NULLS NOT DISTINCT,
            n int, m int,
            PRIMARY KEY ("order", "Code"),
            UNIQUE (n) DEFERRABLE INITIALLY DEFERRED,
            UNIQUE (m) INCLUDE (n)
        );
        CREATE TABLE public.events (id int, at date, PRIMARY KEY (id, at))
            PARTITION BY RANGE (at);
        CREATE TABLE public.events_2026 PARTITION OF public.events
            FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE TABLE public.line (
            id int PRIMARY KEY, "Code" int DEFAULT 0, "order" int, n int, m int,
            parent int REFERENCES public.line ON DELETE CASCADE,
            owner uuid REFERENCES auth.users (id) ON UPDATE RESTRICT ON DELETE SET DEFAULT,
            event int, at date,
            FOREIGN KEY ("order", "Code") REFERENCES "Sales"."order" MATCH FULL
                ON UPDATE CASCADE ON DELETE SET NULL,
            FOREIGN KEY (n) REFERENCES "Sales"."order" ("we""ird") DEFERRABLE,
            FOREIGN KEY ("order", m) REFERENCES "Sales"."order" ("order", "Code")
                ON DELETE SET NULL (m),
            FOREIGN KEY (event, at) REFERENCES public.events,
            CHECK (n > 0),
            EXCLUDE USING btree (m WITH =)
        );
        ALTER TABLE public.line ADD CONSTRAINT later FOREIGN KEY (m)
            REFERENCES "Sales"."order" ("we""ird") NOT VALID;
        CREATE TABLE public.visits (id int, at date, event int,
            FOREIGN KEY (event, at) REFERENCES public.events) PARTITION BY RANGE (at);
        CREATE TABLE public.visits_2026 PARTITION OF public.visits
            FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        """
    )
    if enforced:
        scratch_db.execute(
            "ALTER TABLE public.line ADD CONSTRAINT unenforced FOREIGN KEY (n)"
            ' REFERENCES "Sales"."order" ("we""ird") NOT ENFORCED'
        )
    written: list[str] = []
    write = introspect.written_constraint_definition

    def spy(kind: Any, *args: Any, **kwargs: Any) -> str:
        definition = write(kind, *args, **kwargs)
        written.append(definition)
        return definition

    monkeypatch.setattr(introspect, "written_constraint_definition", spy)
    catalog = read_catalog(scratch_db)
    tables = [("Sales", "order"), ("public", "events"), ("public", "events_2026")]
    tables += [("public", "line"), ("public", "visits"), ("public", "visits_2026")]
    with scratch_db.transaction():
        scratch_db.execute("SET LOCAL search_path = pg_catalog")
        server = {
            (table, name): definition
            for table, name, definition in scratch_db.execute(
                "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype IN ('p', 'u', 'c', 'f', 'x')"
                " AND connamespace IN ('\"Sales\"'::regnamespace, 'public'::regnamespace)"
            )
        }
    read = {
        (f"{schema}.{table}" if schema == "public" else '"Sales"."order"', c.name): c.definition
        for schema, table in tables
        for c in catalog.constraints_of(schema, table)
    }
    assert read == server
    # the server writes these (expressions, INCLUDE, SET NULL (m), NOT ENFORCED)
    from_server = {"line_n_check", "line_m_excl", "order_m_n_key", "line_order_m_fkey"}
    if enforced:
        from_server.add("unenforced")
    expected = [d for (_, name), d in server.items() if name not in from_server]
    assert sorted(written) == sorted(expected)
    assert len(expected) == len(server) - len(from_server)  # each of those exists
    assert read["public.line", "line_order_Code_fkey"] == (
        'FOREIGN KEY ("order", "Code") REFERENCES "Sales"."order"("order", "Code") MATCH FULL'
        " ON UPDATE CASCADE ON DELETE SET NULL"
    )
    assert read["public.line", "line_owner_fkey"] == (
        "FOREIGN KEY (owner) REFERENCES auth.users(id) ON UPDATE RESTRICT ON DELETE SET DEFAULT"
    )


def test_a_constraint_whose_keys_the_client_cannot_name_is_written_by_the_server(
    scratch_db: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a key's name is not found (here: the query for the names the catalog lacks
    answers nothing), the definition is the server's, not one written without it."""
    monkeypatch.setattr(
        introspect, "ATTRIBUTE_NAMES_SQL", introspect.ATTRIBUTE_NAMES_SQL + " WHERE false"
    )
    scratch_db.execute("CREATE TABLE public.note (owner uuid REFERENCES auth.users (id))")
    (fk,) = read_catalog(scratch_db).constraints_of("public", "note")
    assert fk.columns == ("owner",) and fk.ref_columns == ()
    assert fk.definition == "FOREIGN KEY (owner) REFERENCES auth.users(id)"


def test_index_definitions_written_on_the_client_as_the_server_writes_them(
    scratch_db: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every index's definition is pg_get_indexdef's text (with search_path = pg_catalog,
    as the catalog is read): written on the client for plain keys with their type's own
    default operator class or a class that is no type's default, by the server for the
    rest (another type's default class, a collation, storage parameters, a predicate, an
    expression)."""
    scratch_db.execute(
        """
        CREATE SCHEMA "Sales";
        CREATE TYPE "Sales".mood AS ENUM ('a', 'b');
        CREATE DOMAIN "Sales".code AS text;
        CREATE TABLE "Sales"."order" (
            id int PRIMARY KEY, "user" text, "Mixed" text, "naïve" text, "we""ird" text,
            doc jsonb, v varchar(20), m "Sales".mood, tags text[], c "Sales".code, n int
        );
        CREATE UNIQUE INDEX order_user ON "Sales"."order"
            ("user" DESC, "Mixed" NULLS FIRST, n DESC NULLS LAST) INCLUDE ("naïve", "we""ird");
        CREATE UNIQUE INDEX order_nnd ON "Sales"."order" (n) NULLS NOT DISTINCT;
        CREATE INDEX order_hash ON "Sales"."order" USING hash ("user");
        CREATE INDEX order_brin ON "Sales"."order" USING brin (n);
        CREATE INDEX order_doc ON "Sales"."order" USING gin (doc);
        CREATE INDEX order_doc_path ON "Sales"."order" USING gin (doc jsonb_path_ops);
        CREATE INDEX order_pattern ON "Sales"."order" ("user" text_pattern_ops DESC);
        CREATE INDEX order_varchar ON "Sales"."order" (v);
        CREATE INDEX order_enum ON "Sales"."order" (m);
        CREATE INDEX order_tags ON "Sales"."order" USING gin (tags);
        CREATE INDEX order_domain ON "Sales"."order" (c);
        CREATE INDEX order_collate ON "Sales"."order" ("user" COLLATE "C");
        CREATE INDEX order_fill ON "Sales"."order" (n) WITH (fillfactor = 70);
        CREATE INDEX order_partial ON "Sales"."order" (n) WHERE n > 0;
        CREATE INDEX order_expr ON "Sales"."order" (lower("user"));
        CREATE TABLE public.events (id int, at date, PRIMARY KEY (id, at))
            PARTITION BY RANGE (at);
        CREATE INDEX events_at ON public.events (at);
        """
    )
    written: list[str] = []
    write = index_keys.written_definition

    def spy(r: Any, *args: Any) -> str | None:
        definition = write(r, *args)
        if definition is not None:
            written.append(r.name)
        return definition

    monkeypatch.setattr(index_keys, "written_definition", spy)
    catalog = read_catalog(scratch_db)
    with scratch_db.transaction():
        scratch_db.execute("SET LOCAL search_path = pg_catalog")
        server = dict(
            scratch_db.execute(
                "SELECT c.relname::text, pg_get_indexdef(c.oid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid IN ('\"Sales\".\"order\"'::regclass, 'public.events'::regclass)"
            ).fetchall()
        )
    read = {
        i.name: i.definition
        for i in catalog.indexes_of("Sales", "order") + catalog.indexes_of("public", "events")
    }
    assert read == server
    assert sorted(written) == [
        "events_at", "events_pkey", "order_brin", "order_doc", "order_doc_path",
        "order_hash", "order_nnd", "order_pattern", "order_pkey", "order_user",
    ]  # fmt: skip
    assert read["events_pkey"].startswith("CREATE UNIQUE INDEX events_pkey ON ONLY public.")
    assert read["order_user"] == (
        'CREATE UNIQUE INDEX order_user ON "Sales"."order" USING btree ("user" DESC,'
        ' "Mixed" NULLS FIRST, n DESC NULLS LAST) INCLUDE ("naïve", "we""ird")'
    )


def test_the_columns_query_hands_over_a_columns_fields_in_its_order(
    scratch_db: psycopg.Connection[Any],
) -> None:
    """A row of the columns query becomes a Column in one call (its fields, in order,
    after COLUMN_FIELDS others): a field added to one and not the other fails here."""
    params = {"excluded": sorted(DEFAULT_EXCLUDED)}
    cursor = scratch_db.execute(introspect.COLUMNS_SQL, params)
    names = [column.name for column in cursor.description or ()]
    assert names[introspect.COLUMN_FIELDS :] == [f.name for f in fields(Column)]
    assert names[: introspect.COLUMN_FIELDS] == [
        "schema", "table_name", "type_oid", "collation_oid",
    ]  # fmt: skip


def test_the_constraints_query_hands_over_a_constraints_fields_in_its_order(
    scratch_db: psycopg.Connection[Any],
) -> None:
    """A row of the constraints query becomes a Constraint in one call (its fields, in
    order, after CONSTRAINT_FIELDS others; the key columns' names filled in)."""
    params = {"excluded": sorted(DEFAULT_EXCLUDED)}
    for query in (introspect.CONSTRAINTS_SQL, introspect.CONSTRAINTS_SQL_18):
        if query is introspect.CONSTRAINTS_SQL_18 and scratch_db.info.server_version < 180000:
            continue
        cursor = scratch_db.execute(query, params)
        names = [column.name for column in cursor.description or ()]
        assert names[introspect.CONSTRAINT_FIELDS :] == [f.name for f in fields(Constraint)]
        assert names[: introspect.CONSTRAINT_FIELDS] == [
            "relid", "attnums", "ref_relid", "ref_attnums", "oid", "nulls_not_distinct",
        ]  # fmt: skip
