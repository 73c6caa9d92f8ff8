"""Run many checks as one persona in one round trip, each rolled back on its own.

A check is one SQL statement. Running 60 tables × 4 commands × 8 personas from Python, a
savepoint and a rollback around each, costs thousands of round trips; instead a small
PL/pgSQL function in ``pg_temp`` (gone with the session, visible to no one else) loops
over the statements: each runs in its own ``BEGIN … EXCEPTION`` block (a subtransaction)
and then raises on purpose, so even a successful write is undone before the next check.
It runs with the caller's rights, i.e. as the persona. If the batch itself fails (a
statement timeout, no TEMP privilege on a live server), the same checks run one by one
with savepoints from Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import psycopg
from psycopg import sql

from pgvet.rls.acting import set_persona
from pgvet.rls.personas import Persona

Kind = Literal["q", "w"]  # q: returns one text value; w: a write, result is the row count

_FUNCTION = """
create or replace function pg_temp.pgvet_run(kinds text[], stmts text[])
returns table(ord int, result text, state text, message text)
language plpgsql as $pgvet$
declare
  i int;
  n bigint;
begin
  for i in 1 .. coalesce(array_length(stmts, 1), 0) loop
    ord := i; result := null; state := null; message := null;
    begin
      if kinds[i] = 'q' then
        execute stmts[i] into result;
      else
        execute stmts[i];
        get diagnostics n = row_count;
        result := n::text;
      end if;
      raise exception using errcode = 'PGV01';
    exception
      when sqlstate 'PGV01' then null;
      when others then
        get stacked diagnostics state = returned_sqlstate, message = message_text;
        result := null;
    end;
    return next;
  end loop;
end
$pgvet$
"""

_METHODS = {"select": "GET", "read": "GET", "insert": "POST", "update": "PATCH", "delete": "DELETE"}


@dataclass(frozen=True)
class Outcome:
    """What one statement did: its value / row count, or the error it raised."""

    result: str | None
    sqlstate: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.sqlstate is None


class Runner:
    """Runs batches of statements as personas on one connection (inside a transaction)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.batched = True
        self.round_trips = 0
        conn.execute(_FUNCTION)
        # Freshly replayed tables have no statistics, so policy sub-plans look expensive
        # and JIT compiles ~100 ms per check; it changes timing only, never results.
        conn.execute("select set_config('jit', 'off', true)")
        # projects may revoke EXECUTE from PUBLIC by default (basejump does)
        conn.execute("grant execute on function pg_temp.pgvet_run(text[], text[]) to public")

    def run(
        self,
        persona: Persona,
        statements: list[tuple[Kind, str]],
        command: str = "select",
    ) -> list[Outcome]:
        """Run ``statements`` as ``persona`` (each undone); one outcome per statement."""
        if not statements:
            return []
        method = _METHODS.get(command, "GET")
        if self.batched:
            try:
                return self._batch(persona, statements, method)
            except psycopg.Error:
                self.batched = False
        return self._one_by_one(persona, statements, method)

    def _batch(
        self, persona: Persona, statements: list[tuple[Kind, str]], method: str
    ) -> list[Outcome]:
        kinds = [k for k, _ in statements]
        texts = [s for _, s in statements]
        with self.conn.transaction(force_rollback=True):
            set_persona(self.conn, persona, method=method)
            if method == "GET":
                self.conn.execute("select set_config('transaction_read_only', 'on', true)")
            rows = self.conn.execute(
                "select ord, result, state, message from pg_temp.pgvet_run(%s, %s)",
                (kinds, texts),
            ).fetchall()
            self.round_trips += 2
        out = [Outcome(None)] * len(statements)
        for ord_, result, state, message in rows:
            out[ord_ - 1] = Outcome(result, state, message)
        return out

    def _one_by_one(
        self, persona: Persona, statements: list[tuple[Kind, str]], method: str
    ) -> list[Outcome]:
        out = []
        with self.conn.transaction(force_rollback=True):
            set_persona(self.conn, persona, method=method)
            for kind, text in statements:
                try:
                    with self.conn.transaction(force_rollback=True):
                        cur = self.conn.execute(sql.SQL(text))  # type: ignore[arg-type]
                        if kind == "q":
                            row = cur.fetchone()
                            value = None if row is None or row[0] is None else str(row[0])
                        else:
                            value = str(cur.rowcount)
                    out.append(Outcome(value))
                except psycopg.Error as exc:
                    out.append(Outcome(None, exc.sqlstate, _first_line(exc)))
                self.round_trips += 1
        return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
