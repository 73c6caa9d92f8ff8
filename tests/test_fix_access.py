"""``pgvet fix``'s access verdict (issue #12): the persona × table matrix before and after
the fixes, on real PostgreSQL, with the project's seed loaded.

* The matrix itself: what anon and the seed's user read, update, delete and insert.
* A fix that widens what authenticated reads (a policy rewrite that loses its tenant
  condition) is dropped, the persona, table and rows in the reason.
* A fix that narrows access is dropped unless ``--include-access-changes``, then written.
* The clinic's policy-recursion fix is written, its helper outside the exposed schemas,
  and after it the table reads without 42P17 as both personas.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from rich.console import Console

from conftest import EXAMPLE, write_migrations
from pgvet.config import load_config
from pgvet.findings import Category, Finding, Level
from pgvet.fixing.access import Cell, compare, read_access
from pgvet.fixing.command import FixRequest, run_fix
from pgvet.fixing.layout import first_stamp
from pgvet.fixing.plan import build_plan, read_existing
from pgvet.fixing.prove import Proof, lint_database, load_seeds, prove
from pgvet.replay.project import load_project
from pgvet.replay.session import replayed_project

QUIET = Console(stderr=True, quiet=True)

ALICE = "00000000-0000-0000-0000-0000000000a1"
BOB = "00000000-0000-0000-0000-0000000000b2"

#: two tenants; alice is a member of tenant 1, bob of tenant 2; a document table whose
#: policies scope every command to the member's tenant
TENANTS = """
create table public.members (user_id uuid primary key, tenant_id int not null);
alter table public.members enable row level security;
create policy members_self on public.members for select to authenticated
  using (user_id = (select auth.uid()));
create table public.docs (id int primary key, tenant_id int not null, title text);
alter table public.docs enable row level security;
create policy docs_read on public.docs for select to authenticated
  using (tenant_id in (select m.tenant_id from public.members m
                       where m.user_id = (select auth.uid())));
create policy docs_write on public.docs for update to authenticated
  using (tenant_id in (select m.tenant_id from public.members m
                       where m.user_id = (select auth.uid())));
"""

SEED = f"""
insert into auth.users (id, email, created_at) values
  ('{ALICE}', 'alice@example.test', '2024-01-01'),
  ('{BOB}', 'bob@example.test', '2024-01-02');
insert into public.members values ('{ALICE}', 1), ('{BOB}', 2);
insert into public.docs values (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 2, 'd'), (5, 2, 'e');
"""


def _project(tmp_path: Path) -> Path:
    root = write_migrations(tmp_path, {"20240101000000_tenants.sql": TENANTS})
    (root / "supabase" / "seed.sql").write_text(SEED, encoding="utf-8")
    return root


def _finding(rule: str, obj: str, fix: str) -> Finding:
    return Finding(rule, "X999", Level.warn, Category.correctness, obj, "test", fix=fix)


def _prove(root: Path, findings: list[Finding], *, include: bool = False) -> Proof:
    project = load_project(root)
    config = load_config(root)
    with replayed_project(root, project=project) as session:
        loaded, warnings = load_seeds(session.conn, project)
        assert loaded == ["seed.sql"], warnings
        before = lint_database(session.conn, project, session.result, config)
        access = read_access(session.conn)
        plan = build_plan(findings, read_existing(session.conn))
        return prove(
            session, plan, before, access, config,
            start=first_stamp(project.migrations_dir), include_access_changes=include,
        )  # fmt: skip


def test_matrix_reads_what_each_persona_reaches(tmp_path: Path) -> None:
    root = _project(tmp_path)
    project = load_project(root)
    with replayed_project(root, project=project) as session:
        load_seeds(session.conn, project)
        access = read_access(session.conn)
        again = read_access(session.conn)
    assert access.matrix is not None
    # authenticated acts as the seed's first user (by creation): alice, tenant 1
    assert "alice@example.test" in access.personas["authenticated"]
    cell = access.matrix
    assert cell[("public", "docs", "authenticated", "select")] == Cell(True, 2)
    assert cell[("public", "docs", "authenticated", "update")] == Cell(True, 2)
    # no DELETE policy: RLS lets DELETE reach nothing; no INSERT policy: refused
    assert cell[("public", "docs", "authenticated", "delete")] == Cell(True, 0)
    assert cell[("public", "docs", "authenticated", "insert")] == Cell(True, 0)
    assert cell[("public", "docs", "anon", "select")] == Cell(True, 0)
    assert cell[("public", "members", "authenticated", "select")] == Cell(True, 1)
    # the probes were rolled back: the same matrix again, no difference
    assert again.matrix == access.matrix and compare(access, again) == []


def test_a_fix_that_widens_rows_for_authenticated_is_dropped(tmp_path: Path) -> None:
    root = _project(tmp_path)
    widening = _finding(
        "auth-function-per-row",
        "public.docs",
        # the tenant condition is lost: alice would read tenant 2's documents too
        "alter policy docs_read on public.docs using ((select auth.uid()) is not null);",
    )
    index = _finding(
        "unindexed-foreign-key",
        "public.docs",
        "create index concurrently docs_t on public.docs (tenant_id);",
    )
    proof = _prove(root, [widening, index])
    by_rule = {u.findings[0].rule: u for u in proof.plan.units}
    reason = by_rule["auth-function-per-row"].dropped or ""
    assert reason.startswith("widens access: public.docs: authenticated reads 5 rows, was 2"), (
        reason
    )
    assert by_rule["unindexed-foreign-key"].dropped is None
    assert [f.unit for f in proof.files] == [by_rule["unindexed-foreign-key"]]


def test_a_narrowing_fix_is_written_only_with_include_access_changes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    narrowing = "alter policy docs_write on public.docs using (false);"
    proof = _prove(root, [_finding("r-narrow", "public.docs", narrowing)])
    (unit,) = proof.plan.units
    assert (unit.dropped or "").startswith(
        "changes access: public.docs: authenticated may update 0 rows, was 2"
    ) and "--include-access-changes" in (unit.dropped or "")
    assert proof.files == []
    included = _prove(root, [_finding("r-narrow", "public.docs", narrowing)], include=True)
    (unit,) = included.plan.units
    assert unit.dropped is None and [f.unit for f in included.files] == [unit]
    assert [str(c) for c in included.access_changes] == [
        "public.docs: authenticated may update 0 rows, was 2"
    ]


def test_clinic_policy_recursion_fix_is_written_with_a_private_helper(tmp_path: Path) -> None:
    root = tmp_path / "clinic"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".git", "node_modules"))
    report = run_fix(FixRequest(path=root, rules=("policy-recursion",)), QUIET)
    (unit,) = [u for u in report.proof.plan.units if u.findings[0].rule == "policy-recursion"]
    assert unit.dropped is None, unit.dropped
    assert [f.unit for f in report.proof.files] == [unit] and len(report.written) == 1
    assert "create or replace function private." in unit.sql
    # the project with the fix replays; the helper is no API endpoint, the table reads
    # as both personas (no 42P17), and lint finds neither the recursion nor S213/S214
    project = load_project(root)
    config = load_config(root)
    with replayed_project(root, project=project) as session:
        assert session.result.ok
        load_seeds(session.conn, project)
        helpers = session.conn.execute(
            "select n.nspname, p.proname, p.prosecdef, p.proconfig,"
            " has_schema_privilege('anon', n.oid, 'USAGE'),"
            " has_schema_privilege('authenticated', n.oid, 'USAGE')"
            " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            " where p.proname like 'users_clinic_admins%'"
        ).fetchall()
        assert helpers == [
            (
                "private",
                "users_clinic_admins_can_view_clinic_users_check",
                True,
                ['search_path=""'],
                False,
                False,
            )
        ]
        access = read_access(session.conn)
        findings = lint_database(session.conn, project, session.result, config)
    assert access.matrix is not None
    for persona in ("anon", "authenticated"):
        cell = access.matrix[("public", "users", persona, "select")]
        assert cell.error is None and cell.rows is not None, (persona, cell)
    assert not [f for f in findings if f.rule == "policy-recursion"]
    assert not [f for f in findings if "users_clinic_admins" in f.object]


def test_a_widening_reached_through_a_function_is_blamed_on_its_fix(tmp_path: Path) -> None:
    """The policy of docs calls a helper; a fix rewrites only the helper (its text never
    names docs): the matrix sees docs widen, and the fix is still the one dropped."""
    helper = """
create function public.my_tenants() returns setof int language sql stable
  security definer set search_path = ''
  as $$ select m.tenant_id from public.members m where m.user_id = (select auth.uid()) $$;
alter policy docs_read on public.docs using (tenant_id in (select public.my_tenants()));
"""
    root = write_migrations(
        tmp_path, {"20240101000000_tenants.sql": TENANTS, "20240102000000_helper.sql": helper}
    )
    (root / "supabase" / "seed.sql").write_text(SEED, encoding="utf-8")
    rewrite = (
        "create or replace function public.my_tenants() returns setof int language sql stable\n"
        "  security definer set search_path = ''\n"
        "  as $$ select m.tenant_id from public.members m $$;"
    )
    proof = _prove(root, [_finding("r-helper", "function public.my_tenants()", rewrite)])
    (unit,) = proof.plan.units
    assert (unit.dropped or "").startswith(
        "widens access: public.docs: authenticated reads 5 rows, was 2"
    ), unit.dropped
    assert proof.files == [] and proof.unexplained == []


def test_a_probe_that_never_returns_is_cut_by_its_timeout(tmp_path: Path) -> None:
    """A policy that sleeps: its batch runs out of time, the probes then run one by one
    with 3 s each; the slow cell is an error (never compared), the others are read."""
    root = write_migrations(
        tmp_path,
        {
            "20240101000000_slow.sql": """
create table public.slow (id int primary key);
alter table public.slow enable row level security;
create policy slow_read on public.slow for select to authenticated
  using (pg_sleep(100) is not null);
create table public.fast (id int primary key);
insert into public.slow values (1);
insert into public.fast values (1), (2);
"""
        },
    )
    with replayed_project(root) as session:
        started = time.perf_counter()
        access = read_access(session.conn)
        seconds = time.perf_counter() - started
        timeout = session.conn.execute("show statement_timeout").fetchone()
    assert access.matrix is not None and seconds < 40, seconds
    slow = access.matrix[("public", "slow", "authenticated", "select")]
    assert slow.rows is None and (slow.error or "").startswith("57014"), slow
    assert access.matrix[("public", "fast", "authenticated", "select")] == Cell(True, 2)
    assert access.matrix[("public", "slow", "anon", "select")] == Cell(True, 0)
    assert timeout != ("3000ms",)  # the probes' timeout was rolled back with them
