"""Every firing of a trigger function: each trigger that uses it, on each event it is on.

A rule that confirms a claim fires a trigger function once (``rules/sandbox.exercise``:
the first trigger, one event). A fix that alters the function must keep every caller
working (issue #12): a function attached to two tables may resolve a name on one and not
on the other (``NEW.tenant_id`` exists on one table only, an unqualified name the second
table's schema shadows), and an ``update`` branch may reach what ``insert`` never does. So
each enabled trigger is fired on each of its row events: ``insert`` with a generated row;
``update`` on an existing row (the seed's), else on a generated row inserted first;
``delete`` on a generated row (nothing references it), else on an existing one.
``truncate`` is not fired (a table others reference refuses it before any trigger runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import psycopg.sql

from pgvet.rules.sandbox import insert_row_sql

_TRIGGERS = """
select pg_catalog.format('%%I.%%I', n.nspname, c.relname), tg.tgname, tg.tgtype::int, c.relkind,
       c.oid,
       (select a.attname from pg_catalog.pg_attribute a
         where a.attrelid = tg.tgrelid and a.attnum > 0 and not a.attisdropped
           and a.attgenerated = '' and a.attidentity <> 'a'
           and (tg.tgattr = '' or a.attnum = any (tg.tgattr::int2[]))
         order by a.attnum limit 1)
  from pg_catalog.pg_trigger tg join pg_catalog.pg_class c on c.oid = tg.tgrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where tg.tgfoid = %s and not tg.tgisinternal and tg.tgenabled <> 'D'
 order by n.nspname, c.relname, tg.tgname
"""
_INSERT, _DELETE, _UPDATE = 4, 8, 16


@dataclass(frozen=True)
class Firing:
    """One trigger on one event: ``label`` names both (``trigger "t" on public.a
    (update)``); ``sql`` fires it, or None when pgvet cannot (``why``)."""

    label: str
    table_oid: int
    relation: str
    sql: str | None = None
    why: str = ""


def firings(conn: psycopg.Connection, function_oid: int) -> list[Firing]:
    """Each enabled trigger using ``function_oid``, on each of its insert/update/delete
    events. Call with ``search_path`` set to ``pg_catalog`` (names come out qualified)."""
    out = []
    for relation, trigger, tgtype, relkind, table_oid, column in conn.execute(
        _TRIGGERS, (function_oid,)
    ).fetchall():
        name = psycopg.sql.Identifier(trigger).as_string(conn)
        insert = insert_row_sql(conn, relation)
        for bit, event in ((_INSERT, "insert"), (_UPDATE, "update"), (_DELETE, "delete")):
            if not tgtype & bit:
                continue
            label = f"trigger {name} on {relation} ({event})"
            if event == "insert":
                why = f"pgvet cannot generate a row of {relation}"
                out.append(Firing(label, table_oid, relation, insert, "" if insert else why))
                continue
            if relkind not in ("r", "p") or column is None:
                out.append(
                    Firing(label, table_oid, relation, why="fires only on a table's update/delete")
                )
                continue
            sql = _change_a_row(conn, relation, event, column, insert)
            why = "" if sql else f"{relation} has no row and pgvet cannot generate one"
            out.append(Firing(label, table_oid, relation, sql, why))
    return out


def _change_a_row(
    conn: psycopg.Connection, relation: str, event: str, column: str, insert: str | None
) -> str | None:
    """A DO block that updates (``set c = c``) or deletes one row of ``relation``; None
    when the table has no row and pgvet cannot generate one. An update takes an existing
    row (the seed's: its foreign keys hold), else a generated one; a delete takes a
    generated row when it inserts (nothing references it, so no foreign key refuses the
    delete before the trigger runs), else an existing one."""
    has_rows = conn.execute(f"select exists (select from {relation})").fetchone()
    if not (has_rows and has_rows[0]) and insert is None:
        return None
    col = psycopg.sql.Identifier(column).as_string(conn)
    where = "ctid = r and tableoid = o"
    existing = f"select ctid, tableoid into r, o from {relation} limit 1;"
    make = f"{insert} returning ctid, tableoid into r, o;" if insert else ""
    if event == "update":
        find = f"{existing} if r is null then {make} end if;"
        then = f"update {relation} set {col} = {col} where {where}"
    else:
        tried = f"begin {make} exception when others then r := null; end;" if make else ""
        find = f"{tried} if r is null then {existing} end if;"
        then = f"delete from {relation} where {where}"
    return f"do $pgvet$ declare r tid; o oid; begin {find} {then}; end $pgvet$"
