"""The table locks a migration statement takes (PostgreSQL's own levels), from the parse."""

from __future__ import annotations

import pytest

from pgvet.analysis.locks import locks_of

CASES = [
    ("create index on orders (a)", [("public.orders", "SHARE", "index build")]),
    (
        "create index concurrently on orders (a)",
        [("public.orders", "SHARE UPDATE EXCLUSIVE", "index build (concurrent)")],
    ),
    (
        "alter table orders add column x int",
        [("public.orders", "ACCESS EXCLUSIVE", "catalog only")],
    ),
    (
        "alter table app.orders alter column a type bigint",
        [("app.orders", "ACCESS EXCLUSIVE", "rewrite unless the change is binary-coercible")],
    ),
    (
        "alter table orders alter column a set not null",
        [("public.orders", "ACCESS EXCLUSIVE", "full scan")],
    ),
    (
        "alter table orders add constraint f foreign key (c) references customers (id) not valid",
        [
            ("public.orders", "SHARE ROW EXCLUSIVE", "catalog only (NOT VALID)"),
            ("public.customers", "SHARE ROW EXCLUSIVE", "foreign key check"),
        ],
    ),
    (
        "alter table orders validate constraint f",
        [("public.orders", "SHARE UPDATE EXCLUSIVE", "full scan")],
    ),
    (
        "alter table orders add primary key (id)",
        [("public.orders", "ACCESS EXCLUSIVE", "index build")],
    ),
    (
        "create table items (id int, order_id int references orders (id))",
        [("public.orders", "SHARE ROW EXCLUSIVE", "foreign key added")],
    ),
    (
        "create policy p on orders using (true)",
        [("public.orders", "ACCESS EXCLUSIVE", "catalog only")],
    ),
    (
        "create trigger t after insert on orders for each row execute function f()",
        [("public.orders", "SHARE ROW EXCLUSIVE", "catalog only")],
    ),
    ("update orders set a = 1", [("public.orders", "ROW EXCLUSIVE", "every row updated")]),
    ("lock table orders in share mode", [("public.orders", "SHARE", "explicit lock")]),
    ("vacuum full orders", [("public.orders", "ACCESS EXCLUSIVE", "rewrite")]),
    ("vacuum orders", []),
    (
        "refresh materialized view concurrently mv",
        [("public.mv", "EXCLUSIVE", "materialized view refresh")],
    ),
    (
        "alter table orders rename column a to b",
        [("public.orders", "ACCESS EXCLUSIVE", "catalog only")],
    ),
    ("drop index concurrently app.i1", [("app.i1", "SHARE UPDATE EXCLUSIVE", "drop index")]),
    ("select 1", []),
]


@pytest.mark.parametrize(("sql", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_locks(sql: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(u.qualified, u.mode, u.work) for u in locks_of(sql)] == expected


def test_strongest_lock_per_table_across_statements() -> None:
    [use] = locks_of("alter table orders enable row level security; create index on orders (a);")
    assert use.mode == "ACCESS EXCLUSIVE"
