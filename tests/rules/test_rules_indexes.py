"""Index and schema rules, expression analysis and the coverage table, on real replays.

Three kinds of proof: a small schema built for the tricky cases (composite keys in any
order, partial and expression indexes, duplicate vs redundant vs unique, names at the
63-byte limit); the real corpora, with findings checked by reading their SQL; and the
clinic example's planted problems, at the file and line ``EXPECTED.md`` gives. Every
suggested fix is applied to a sandbox and the rule run again: the finding must be gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CORPORA, EXAMPLE, SharedReplays, write_migrations
from pgvet.analysis import exprs
from pgvet.analysis.indexing import MAX_IDENTIFIER_BYTES, index_name
from pgvet.catalog import read_catalog
from pgvet.findings import Finding
from pgvet.replay.origins import compute_origins
from pgvet.replay.project import split_sql
from pgvet.replay.session import Replayed, replayed_project
from pgvet.report.coverage import TableCoverage, coverage_markdown, coverage_table, grade_for
from pgvet.rules.registry import REGISTRY, LintContext

INDEX_RULES = (
    "unindexed-foreign-key",
    "duplicate-index",
    "redundant-index",
    "tenant-column-not-indexed",
    "policy-column-not-indexed",
    "jsonb-without-gin",
    "fts-without-gin",
    "invalid-index",
    "no-primary-key",
)

LONG_TABLE = "a_really_long_table_name_for_testing_identifier_truncation_x"

UNIT_FILES = {
    "20240101000000_keys.sql": f"""\
create table public.parents (a int, b int, primary key (a, b));
create table public.kids_bac (
  id int primary key, a int, b int, c int,
  constraint kids_bac_fk foreign key (a, b) references public.parents (a, b)
);
create index kids_bac_b_a_c on public.kids_bac (b, a, c);
create table public.kids_a (
  id int primary key, a int, b int, c int,
  constraint kids_a_fk foreign key (a, b) references public.parents (a, b)
);
create index kids_a_a on public.kids_a (a);
create index kids_a_a_c_b on public.kids_a (a, c, b);
create index idx_kids_a_a_b on public.kids_a (c);
create table public.kids_partial (
  id int primary key, a int, b int,
  constraint kids_partial_fk foreign key (a, b) references public.parents (a, b)
);
create index kids_partial_a_b on public.kids_partial (a, b) where a > 0;
create table public.kids_expr (
  id int primary key, a int, b int,
  constraint kids_expr_fk foreign key (a, b) references public.parents (a, b)
);
create index kids_expr_a_b on public.kids_expr ((a + 0), b);
create table public.kids_unique (
  id int primary key, a int unique, b int,
  constraint kids_unique_fk foreign key (a, b) references public.parents (a, b)
);
create table public.events (
  id bigint, pa int, pb int, at date not null,
  constraint events_fk foreign key (pa, pb) references public.parents (a, b)
) partition by range (at);
create table public.events_2024 partition of public.events
  for values from ('2024-01-01') to ('2025-01-01');
create index events_pb_pa on public.events (pb, pa);
create table public.{LONG_TABLE} (
  id int primary key,
  parent_reference_column_a int,
  parent_reference_column_b int,
  constraint long_fk foreign key (parent_reference_column_a, parent_reference_column_b)
    references public.parents (a, b)
);
""",
    "20240102000000_indexes.sql": """\
create table public.things (id int primary key, x int, y int, z text);
create index things_x on public.things (x);
create index things_x_again on public.things (x);
create unique index things_x_unique on public.things (x);
create index things_x_y on public.things (x, y);
create unique index things_x_y_uq on public.things (x, y);
create index things_y on public.things (y);
create index things_y_desc_x on public.things (y desc, x);
create index things_y_partial on public.things (y) where y > 0;
create index things_z on public.things (z);
create index things_z_c_y on public.things (z collate "C", y);
create index things_x_incl on public.things (x) include (z);
""",
    "20240103000000_tenants.sql": """\
create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  owner_id uuid not null default auth.uid(),
  created_by uuid,
  is_public boolean not null default false,
  email text,
  data jsonb not null default '{}',
  meta jsonb not null default '{}',
  tags jsonb not null default '[]',
  doc tsvector,
  title text not null default '',
  body text not null default ''
);
create table public.members (
  tenant_id uuid not null,
  user_id uuid not null,
  primary key (tenant_id, user_id)
);
alter table public.invoices enable row level security;
create policy inv_owner on public.invoices
  for select using (owner_id = (select auth.uid()));
create policy inv_public on public.invoices for select using (is_public = true);
create policy inv_same on public.invoices for select using (created_by = owner_id);
create policy inv_email on public.invoices
  for select using (lower(email) = (auth.jwt() ->> 'email'));
create policy inv_member on public.invoices for update using (
  exists (select 1 from public.members m
          where m.tenant_id = invoices.tenant_id and m.user_id = auth.uid())
);
create policy inv_meta on public.invoices
  for select using (meta @> '{"shared": true}'::jsonb);
create index invoices_meta_gin on public.invoices using gin (meta jsonb_path_ops);
create index invoices_tags_gin on public.invoices using gin (tags jsonb_path_ops);
create function public.paid_invoices() returns setof uuid language plpgsql stable as $$
declare
  r public.invoices%rowtype;
begin
  for r in select * from public.invoices i where i.data ? 'paid' loop
    return next r.id;
  end loop;
end $$;
create view public.big_invoices with (security_invoker = true) as
  select id from public.invoices where data @> '{"big": true}' and tags ? 'x';
create index invoices_fts on public.invoices
  using gin (to_tsvector('english', title || ' ' || body));
create function public.search_invoices(q text) returns setof public.invoices
language sql stable as $$
  select * from public.invoices
  where to_tsvector('english', title || ' ' || body) @@ plainto_tsquery('english', q)
$$;
create view public.loose_search with (security_invoker = true) as
  select id from public.invoices where to_tsvector(body) @@ to_tsquery('x');
create index invoices_title on public.invoices (title);
create table public.log_a (at timestamptz not null default now(), msg text);
create table public.log_b (id uuid not null default gen_random_uuid(), msg text);
create table public.log_c (code text not null, msg text);
create unique index log_c_code on public.log_c (code);
""",
}


# --- helpers -----------------------------------------------------------------------------------


def context(s: Replayed, fresh: bool = False) -> LintContext:
    """The lint context of a replay; ``fresh`` re-reads the catalog (after fixes)."""
    catalog = s.catalog
    if fresh:
        catalog = replace(read_catalog(s.conn), origins=compute_origins(s.result.applied_files))
    return LintContext(catalog=catalog, project=s.project)


def run(ctx: LintContext, rule: str) -> list[Finding]:
    return list(REGISTRY[rule].run(ctx))


def keyed(findings: list[Finding]) -> set[str]:
    """``object(detail)`` for findings with a detail, else the object."""
    return {f"{f.object}({f.detail})" if f.detail else f.object for f in findings}


def apply_fixes(s: Replayed, findings: list[Finding]) -> None:
    """Run every fix statement by statement (CONCURRENTLY cannot share a transaction)."""
    for finding in findings:
        sql = finding.fix or finding.advice  # advice's SQL too: what it says must work
        assert sql, finding
        for statement in split_sql(sql):
            s.conn.execute(statement.text)


def _fail_a_concurrent_build(s: Replayed) -> None:
    """Leave ``invoices_title`` as a failed CREATE INDEX CONCURRENTLY leaves it: invalid.

    Only a superuser may set the flag directly; pgvet's own connection stands in for the
    failed build (a migration runs as the non-superuser project role)."""
    with s.server.admin() as admin:
        admin.execute(
            "update pg_index set indisvalid = false "
            "where indexrelid = 'public.invoices_title'::regclass"
        )


@pytest.fixture(scope="module")
def unit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replayed]:
    root = write_migrations(tmp_path_factory.mktemp("unit"), dict(UNIT_FILES))
    with replayed_project(root) as s:
        assert s.result.ok, [f.failure for f in s.result.failed]
        _fail_a_concurrent_build(s)
        yield s


@pytest.fixture
def fresh_unit(tmp_path: Path) -> Iterator[Replayed]:
    root = write_migrations(tmp_path, dict(UNIT_FILES))
    with replayed_project(root) as s:
        assert s.result.ok
        _fail_a_concurrent_build(s)
        yield s


# --- the small schema: tricky cases ------------------------------------------------------------


def test_composite_fk_served_by_any_order_not_by_prefix_partial_or_expression(
    unit: Replayed,
) -> None:
    findings = run(context(unit), "unindexed-foreign-key")
    assert keyed(findings) == {
        "public.kids_a(a,b)",  # (a) and (a, c, b) do not serve (a, b)
        "public.kids_partial(a,b)",  # a partial index misses rows
        "public.kids_expr(a,b)",  # (a + 0) is not the column a
        f"public.{LONG_TABLE}(parent_reference_column_a,parent_reference_column_b)",
    }
    # kids_bac is served by (b, a, c); kids_unique by unique (a); the partitioned events by
    # its own (pb, pa), and its partition's inherited copy of the key is not judged again
    kids_a = next(f for f in findings if f.object == "public.kids_a")
    assert kids_a.location == "20240101000000_keys.sql:9"  # the constraint's own line
    assert "kids_a_fk" in kids_a.message and "public.parents" in kids_a.message


def test_fix_names_avoid_existing_and_stay_within_63_bytes(unit: Replayed) -> None:
    fixes = {f.object: f.fix or "" for f in run(context(unit), "unindexed-foreign-key")}
    assert fixes["public.kids_a"] == (
        "create index concurrently if not exists idx_kids_a_a_b_2 on public.kids_a (a, b);"
    )
    named = re.search(r"exists (\S+) on", fixes[f"public.{LONG_TABLE}"])
    assert named is not None
    long_name = named.group(1)
    assert len(long_name.encode()) <= MAX_IDENTIFIER_BYTES
    assert long_name.startswith("idx_a_really_long_table_name")


def test_index_name_helper() -> None:
    taken = {"idx_t_a_b"}
    assert index_name("t", ["a", "b"], taken) == "idx_t_a_b_2"
    assert index_name("t", ["a", "b"], taken) == "idx_t_a_b_3"  # it remembers what it gave
    assert index_name("T x", ["Col"], set(), suffix="gin") == "idx_t_x_col_gin"
    long_a = index_name("t" * 50, ["column_one", "column_two"], set())
    long_b = index_name("t" * 50, ["column_one", "column_three"], set())
    assert len(long_a.encode()) <= 63 and len(long_b.encode()) <= 63
    assert long_a != long_b and long_a[:40] == long_b[:40]
    same: set[str] = set()
    first = index_name("t" * 70, ["a"], same)
    second = index_name("t" * 70, ["a"], same)
    assert first != second and len(second.encode()) <= 63


def test_duplicate_vs_redundant_vs_unique(unit: Replayed) -> None:
    ctx = context(unit)
    duplicates = {f.object: f.data["duplicate_of"] for f in run(ctx, "duplicate-index")}
    assert duplicates == {
        "index public.things_x": "things_x_unique",  # the unique one is kept
        "index public.things_x_again": "things_x_unique",
        "index public.things_x_y": "things_x_y_uq",
    }
    redundant = {f.object: f.data["covered_by"] for f in run(ctx, "redundant-index")}
    assert redundant == {
        "index public.things_y": "things_y_desc_x",  # one column scans backwards
        "index public.kids_a_a": "kids_a_a_c_b",
    }
    # not redundant: things_z (other collation), things_y_partial (other predicate),
    # things_x_incl (its INCLUDE column z is in no wider index), unique indexes
    fix = next(f.fix for f in run(ctx, "redundant-index") if f.object.endswith("things_y"))
    assert fix == "drop index concurrently if exists public.things_y;"


def test_tenant_and_policy_columns(unit: Replayed) -> None:
    ctx = context(unit)
    assert keyed(run(ctx, "tenant-column-not-indexed")) == {"public.invoices(tenant_id)"}
    policy = run(ctx, "policy-column-not-indexed")
    # tenant_id is also a policy column, but tenant-column-not-indexed reports it
    assert keyed(policy) == {"public.invoices(owner_id)"}
    assert policy[0].location == "20240103000000_tenants.sql:21"
    assert policy[0].fix == (
        "create index concurrently if not exists idx_invoices_owner_id "
        "on public.invoices (owner_id);"
    )


def test_policy_filter_columns_reads_the_expression(unit: Replayed) -> None:
    catalog = unit.catalog
    by_name = {p.name: p for p in catalog.policies_of("public", "invoices")}
    columns = {name: exprs.policy_filter_columns(p, catalog) for name, p in by_name.items()}
    assert columns["inv_owner"] == {"owner_id": {"="}}
    assert columns["inv_member"] == {"tenant_id": {"="}}  # outer column of the exists
    assert columns["inv_public"] == {}  # compared with a constant
    assert columns["inv_same"] == {}  # two columns of the same row
    assert columns["inv_email"] == {}  # lower(email) cannot use an index on email
    assert columns["inv_meta"] == {}


def test_jsonb_uses_and_gin(unit: Replayed) -> None:
    ctx = context(unit)
    uses = {(u.column, u.operator, u.source.kind) for u in exprs.jsonb_operator_uses(ctx.catalog)}
    assert uses == {
        ("data", "?", "function"),
        ("data", "@>", "view"),
        ("tags", "?", "view"),
        ("meta", "@>", "policy"),
    }
    findings = {f.detail: f for f in run(ctx, "jsonb-without-gin")}
    # meta: served by its jsonb_path_ops GIN (only @> is used); tags: `?` needs jsonb_ops
    assert set(findings) == {"data", "tags"}
    assert findings["data"].fix == (
        "create index concurrently if not exists idx_invoices_data_gin "
        "on public.invoices using gin (data);"
    )
    assert findings["data"].location == "20240103000000_tenants.sql:35"  # the function


def test_fulltext(unit: Replayed) -> None:
    ctx = context(unit)
    findings = {f.detail: f for f in run(ctx, "fts-without-gin")}
    # the exact to_tsvector('english', title || ' ' || body) has its GIN index
    assert set(findings) == {"doc", "to_tsvector(body)"}
    assert findings["doc"].fix == (
        "create index concurrently if not exists idx_invoices_doc_gin "
        "on public.invoices using gin (doc);"
    )
    assert findings["to_tsvector(body)"].fix is None
    assert "cannot be indexed" in findings["to_tsvector(body)"].message


def test_invalid_index_and_primary_keys(unit: Replayed) -> None:
    ctx = context(unit)
    invalid = run(ctx, "invalid-index")
    assert [f.object for f in invalid] == ["index public.invoices_title"]
    assert invalid[0].fix == (
        "drop index concurrently if exists public.invoices_title;\n"
        "create index concurrently invoices_title ON public.invoices USING btree (title);"
    )
    found = run(ctx, "no-primary-key")
    fixes = {f.object: f.fix for f in found if f.fix}
    # a new identity column rewrites the table: advice, never written by pgvet fix
    advice = {f.object: f.advice for f in found if f.advice}
    assert advice == {
        "public.log_a": "-- rewrites the whole table under an ACCESS EXCLUSIVE lock: for a "
        "quiet moment\nalter table public.log_a add column id bigint generated always "
        "as identity primary key;"
    }
    assert fixes == {
        "public.events": "alter table public.events add primary key (id, at);",
        # built concurrently, then promoted: pgvet fix's own files pass its migration rules
        "public.log_b": "create unique index concurrently log_b_pkey on public.log_b (id);\n"
        "alter table public.log_b add constraint log_b_pkey primary key using index log_b_pkey;",
        "public.log_c": "alter table public.log_c add primary key using index log_c_code;",
    }


def test_every_fix_makes_its_finding_go_away(fresh_unit: Replayed) -> None:
    before = context(fresh_unit)
    for rule in INDEX_RULES:
        found = [f for f in run(before, rule) if f.fix]
        assert found, rule
        apply_fixes(fresh_unit, found)
    after = context(fresh_unit, fresh=True)
    for rule in INDEX_RULES:
        left = {f.object + f.detail for f in run(after, rule)}
        fixed = {f.object + f.detail for f in run(before, rule) if f.fix}
        assert not left & fixed, rule


# --- real projects -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(shared_replays: SharedReplays) -> dict[str, LintContext]:
    out: dict[str, LintContext] = {}
    for name in ("basejump", "chatbot-ui", "dbdev"):
        s = shared_replays.get(CORPORA / name)
        assert s.result.ok
        out[name] = context(s)
    return out


def test_basejump_nine_unindexed_foreign_keys(corpus: dict[str, LintContext]) -> None:
    # Read in the SQL: accounts has three FKs to auth.users (primary_owner_user_id,
    # created_by, updated_by) and only its pkey and slug indexes; account_user's primary
    # key (user_id, account_id) serves user_id but not account_id; invitations,
    # billing_customers and billing_subscriptions index none of their FKs.
    ctx = corpus["basejump"]
    findings = run(ctx, "unindexed-foreign-key")
    assert keyed(findings) == {
        "basejump.accounts(primary_owner_user_id)",
        "basejump.accounts(created_by)",
        "basejump.accounts(updated_by)",
        "basejump.account_user(account_id)",
        "basejump.invitations(account_id)",
        "basejump.invitations(invited_by_user_id)",
        "basejump.billing_customers(account_id)",
        "basejump.billing_subscriptions(account_id)",
        "basejump.billing_subscriptions(billing_customer_id)",
    }
    where = {f.detail: f.location for f in findings if f.object == "basejump.invitations"}
    assert where == {
        "account_id": "20240414162100_basejump-invitations.sql:18",
        "invited_by_user_id": "20240414162100_basejump-invitations.sql:22",
    }
    # `id uuid unique` next to `primary key (id)`: PostgreSQL builds one index, no duplicate
    assert run(ctx, "duplicate-index") == [] and run(ctx, "redundant-index") == []
    assert [f.object for f in run(ctx, "no-primary-key")] == ["basejump.config"]
    # every account_id is a foreign key: reported once, by unindexed-foreign-key
    assert run(ctx, "tenant-column-not-indexed") == []
    assert run(ctx, "policy-column-not-indexed") == []


def test_chatbot_ui(corpus: dict[str, LintContext]) -> None:
    ctx = corpus["chatbot-ui"]
    fks = keyed(run(ctx, "unindexed-foreign-key"))
    assert {
        "public.chat_files(file_id)",  # PK (chat_id, file_id) does not lead with file_id
        "public.chat_files(user_id)",
        "public.messages(user_id)",  # only idx_messages_chat_id
        "public.messages(assistant_id)",  # added by 20240212063532_add_at_assistants.sql
        "public.files(folder_id)",
    } <= fks
    assert len(fks) == 17
    # covered: idx_chats_user_id, idx_chats_workspace_id, PK (assistant_id, file_id)
    assert not fks & {"public.chats(user_id)", "public.chats(workspace_id)"}
    assert "public.assistant_files(assistant_id)" not in fks
    # profiles: `user_id ... unique` and then `create index idx_profiles_user_id`
    duplicates = run(ctx, "duplicate-index")
    assert [(f.object, f.data["duplicate_of"]) for f in duplicates] == [
        ("index public.idx_profiles_user_id", "profiles_user_id_key")
    ]
    assert duplicates[0].location == "20240108234541_add_profiles.sql:42"
    # every junction table: PK (x_id, y_id) plus an index on x_id alone
    redundant = {f.object: f.data["covered_by"] for f in run(ctx, "redundant-index")}
    assert len(redundant) == 13
    assert redundant["index public.assistant_files_assistant_id_idx"] == "assistant_files_pkey"
    assert redundant["index public.idx_chat_files_chat_id"] == "chat_files_pkey"


def test_dbdev(corpus: dict[str, LintContext]) -> None:
    ctx = corpus["dbdev"]
    # fk_handle_registry (handle, is_organization) on accounts and organizations is served
    # by their `handle ... unique` index (one row per handle): not reported.
    assert keyed(run(ctx, "unindexed-foreign-key")) == {
        "app.access_tokens(user_id)",
        "app.accounts(avatar_id)",
        "app.members(account_id)",  # unique (organization_id, account_id) leads with org
        "app.organizations(avatar_id)",
    }
    # access_tokens.user_id is also what its three policies compare with auth.uid():
    # one finding (the foreign key's), not two
    assert run(ctx, "policy-column-not-indexed") == []
    # the langchain `to_tsvector(content) @@` and `metadata @>` are package sources kept
    # in text columns, not views or functions of this database
    assert run(ctx, "fts-without-gin") == [] and run(ctx, "jsonb-without-gin") == []


def test_coverage_table_on_basejump(corpus: dict[str, LintContext]) -> None:
    rows = {r.table: r for r in coverage_table(corpus["basejump"].catalog)}
    assert set(rows) == {
        "basejump.accounts",
        "basejump.account_user",
        "basejump.billing_customers",
        "basejump.billing_subscriptions",
        "basejump.config",
        "basejump.invitations",
    }
    accounts = rows["basejump.accounts"]
    assert (accounts.indexes, accounts.fks_covered, accounts.fks_total) == (2, 0, 3)
    assert (accounts.policy_covered, accounts.policy_total, accounts.grade) == (0, 1, "F")
    members = rows["basejump.account_user"]
    assert (members.fks_covered, members.fks_total) == (1, 2)
    assert (members.tenant_covered, members.tenant_total) == (0, 1)
    assert (members.needs_covered, members.needs_total, members.grade) == (1, 2, "C")
    assert members.missing == ("account_id",)
    assert rows["basejump.config"].grade == "A"  # nothing to serve
    markdown = coverage_markdown(list(rows.values()))
    assert "| basejump.accounts | 2 | 0/3 | - | 0/1 | - | F |" in markdown


def test_coverage_grades_and_findings(corpus: dict[str, LintContext]) -> None:
    assert [grade_for(c, 0) for c in (1.0, 0.8, 0.5, 0.3, 0.0)] == list("ABCDF")
    assert grade_for(1.0, 1) == "B" and grade_for(0.0, 2) == "F"
    ctx = corpus["chatbot-ui"]
    rows = {r.table: r for r in coverage_table(ctx.catalog)}
    assert rows["public.profiles"].index_problems == 1
    assert rows["public.profiles"].grade == "B"
    # the team's ignores apply when findings are passed in
    kept = [f for f in run(ctx, "duplicate-index") if "profiles" not in f.object]
    again: dict[str, TableCoverage] = {
        r.table: r for r in coverage_table(ctx.catalog, findings=kept)
    }
    assert again["public.profiles"].grade == "A"


def test_corpus_fixes_apply(shared_replays: SharedReplays) -> None:
    with shared_replays.copy(CORPORA / "basejump") as s:
        before = context(s)
        found = [f for r in INDEX_RULES for f in run(before, r)]
        assert len(found) == 10
        apply_fixes(s, found)
        after = context(s, fresh=True)
        assert [f for r in INDEX_RULES for f in run(after, r)] == []
    with shared_replays.copy(CORPORA / "chatbot-ui") as s:
        rules = ("duplicate-index", "redundant-index", "unindexed-foreign-key")
        apply_fixes(s, [f for r in rules for f in run(context(s), r)])
        assert [f for r in rules for f in run(context(s, fresh=True), r)] == []


# --- the clinic example's planted problems -----------------------------------------------------

EXPECTED = EXAMPLE / "EXPECTED.md"
#: EXPECTED.md kind -> the rule that finds it
KIND_RULE = {
    "duplicate-index": "duplicate-index",
    "redundant-index": "redundant-index",
    "unindexed-fk": "unindexed-foreign-key",
    "jsonb-without-gin": "jsonb-without-gin",
    "no-primary-key": "no-primary-key",
}
#: kinds that are not a schema fact: found another way (see the test)
SPECIAL_KINDS = {"fts-only-index", "missing-index"}


def planted() -> list[dict[str, str]]:
    if not EXPECTED.is_file():
        return []
    rows = []
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1] in {*KIND_RULE, *SPECIAL_KINDS}:
            keys = ("id", "kind", "object", "file", "line", "description")
            rows.append(dict(zip(keys, cells, strict=True)))
    return rows


@pytest.fixture(scope="module")
def clinic(shared_replays: SharedReplays) -> Replayed:
    if not EXAMPLE.is_dir():
        pytest.skip("examples/clinic is not there")
    s = shared_replays.get(EXAMPLE)
    assert s.result.ok
    return s


def _matches(finding: Finding, row: dict[str, str]) -> bool:
    """The finding is about the row's object (``public.t``, ``public.t.col`` or index
    ``public.idx``)."""
    obj = row["object"]
    candidates = {obj, f"index {obj}"}
    schema, _, rest = obj.partition(".")
    if "." in rest:
        table, column = rest.split(".", 1)
        candidates.add(f"{schema}.{table}({column})")
    key = f"{finding.object}({finding.detail})" if finding.detail else finding.object
    return bool({finding.object, key} & candidates)


def _lines(row: dict[str, str]) -> set[int]:
    """The statement's line, or the column's / constraint's own line the row names."""
    named = re.findall(r"(?:column|constraint) on line (\d+)", row["description"])
    return {int(row["line"]), *map(int, named)}


def test_expected_lists_the_kinds_we_check() -> None:
    if not EXPECTED.is_file():
        pytest.skip("examples/clinic/EXPECTED.md is not there")
    kinds = {row["kind"] for row in planted()}
    assert set(KIND_RULE) <= kinds


@pytest.mark.parametrize("kind", sorted(KIND_RULE))
def test_clinic_planted_problems_found_at_their_line(clinic: Replayed, kind: str) -> None:
    rows = [r for r in planted() if r["kind"] == kind]
    if not rows:
        pytest.skip(f"no {kind} rows in EXPECTED.md")
    findings = run(context(clinic), KIND_RULE[kind])
    for row in rows:
        hits = [f for f in findings if _matches(f, row)]
        assert hits, f"{row['id']}: not found"
        assert any(f.file == row["file"] and f.line in _lines(row) for f in hits), (
            row["id"],
            [f.location for f in hits],
        )


def test_clinic_every_unindexed_fk_of_the_list(clinic: Replayed) -> None:
    text = EXPECTED.read_text(encoding="utf-8")
    block = re.search(r"```unindexed-fk\n(.*?)```", text, re.S)
    assert block is not None
    expected = set(block.group(1).split())
    got = keyed(run(context(clinic), "unindexed-foreign-key"))
    assert got == expected and len(got) == 105


def test_clinic_fts_only_table(clinic: Replayed) -> None:
    """``fts-only-index`` (customer_notes: a full-text GIN is its only index) is not a rule
    of its own: its cost is that the lookups it needs are unserved, which the
    foreign-key findings and the coverage table show."""
    rows = [r for r in planted() if r["kind"] == "fts-only-index"]
    if not rows:
        pytest.skip("no fts-only-index row in EXPECTED.md")
    ctx = context(clinic)
    for row in rows:
        table = row["object"]
        fks = {f.detail: f for f in run(ctx, "unindexed-foreign-key") if f.object == table}
        assert {"clinic_id", "customer_id"} <= set(fks)
        assert all(f.file == row["file"] for f in fks.values())
        coverage = {r.table: r for r in coverage_table(ctx.catalog)}[table]
        assert coverage.grade == "F" and coverage.needs_covered == 0
        assert {"clinic_id", "customer_id"} <= set(coverage.missing)
    # the GIN expression index does match: no full-text finding on it
    assert not [f for f in run(ctx, "fts-without-gin") if f.object == "public.customer_notes"]


def test_clinic_missing_index_needs_the_workload(clinic: Replayed) -> None:
    """``missing-index`` rows (sales_leads.status: grouped and filtered by the queries of
    workload.sql) are not visible in the schema, and no index rule pretends otherwise:
    finding them takes the workload (EXPLAIN), not the catalog."""
    rows = [r for r in planted() if r["kind"] == "missing-index"]
    if not rows:
        pytest.skip("no missing-index row in EXPECTED.md")
    ctx = context(clinic)
    found = {key for rule in INDEX_RULES for key in keyed(run(ctx, rule))}
    for row in rows:
        schema, table, column = row["object"].split(".")
        assert f"{schema}.{table}({column})" not in found


def test_clinic_coverage_numbers(clinic: Replayed) -> None:
    rows = {r.table: r for r in coverage_table(clinic.catalog)}
    notes = rows["public.customer_notes"]
    assert (notes.indexes, notes.fks_covered, notes.fks_total) == (2, 0, 3)
    assert (notes.tenant_covered, notes.tenant_total) == (0, 1)
    assert (notes.policy_covered, notes.policy_total) == (0, 2)
    assert rows["public.bookings"].index_problems == 1  # idx_bookings_customer


def test_clinic_jsonb_fixes_apply(shared_replays: SharedReplays) -> None:
    if not EXAMPLE.is_dir():
        pytest.skip("examples/clinic is not there")
    with shared_replays.copy(EXAMPLE) as s:
        found = run(context(s), "jsonb-without-gin")
        assert keyed(found) == {"public.customers(tags)", "public.skin_analyses(concerns)"}
        apply_fixes(s, found)
        assert run(context(s, fresh=True), "jsonb-without-gin") == []
