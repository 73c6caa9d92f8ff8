"""Run many checks as one persona in one round trip, each rolled back on its own.

A check is one SQL statement. Running 60 tables × 4 commands × 8 personas from Python, a
savepoint and a rollback around each, costs thousands of round trips; instead small
PL/pgSQL functions in ``pg_temp`` (gone with the session, visible to no one else) run the
statements: each in its own ``BEGIN … EXCEPTION`` block (a subtransaction) that raises on
purpose at the end, so even a successful write is undone before the next check. They run
with the caller's rights, i.e. as the persona.

Two flavours:

* :meth:`Runner.run` takes any statements and ``EXECUTE``\\ s them (planned every time);
* :meth:`Runner.compile` writes the statements into a function as *static* SQL, so
  PostgreSQL caches their plans: the same checks run for every persona of a role
  (claims are read at run time through ``current_setting``, never baked into a plan) and
  planning the policy sub-queries, the bulk of the cost, happens once per role.

If a batch fails as a whole (a statement timeout, no TEMP privilege on a live server),
the same checks run one by one with savepoints from Python.

Statements mark where a ``SELECT`` puts its value with ``/*INTO*/`` (after the select
list); writes without it report their row count.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import psycopg

from pgvet.rls.acting import set_persona
from pgvet.rls.personas import Persona

Kind = Literal["q", "w"]  # q: returns one text value; w: a write, result is the row count
INTO = "/*INTO*/"
STATEMENT_TIMEOUT = "120s"

_DYNAMIC = """
create or replace function pg_temp.pgvet_run(kinds text[], stmts text[])
returns table(pgv_ord int, pgv_result text, pgv_state text, pgv_message text)
language plpgsql as $pgvet$
declare
  i int;
  n bigint;
begin
  for i in 1 .. coalesce(array_length(stmts, 1), 0) loop
    pgv_ord := i; pgv_result := null; pgv_state := null; pgv_message := null;
    begin
      if kinds[i] = 'q' then
        execute stmts[i] into pgv_result;
      else
        execute stmts[i];
        get diagnostics n = row_count;
        pgv_result := n::text;
      end if;
      raise exception using errcode = 'PGV01';
    exception
      when sqlstate 'PGV01' then null;
      when others then
        get stacked diagnostics pgv_state = returned_sqlstate, pgv_message = message_text;
        pgv_result := null;
    end;
    return next;
  end loop;
end
$pgvet$
"""

_BLOCK = """
  pgv_ord := {ord}; pgv_result := null; pgv_state := null; pgv_message := null;
  begin
    {body};
    {after}
    raise exception using errcode = 'PGV01';
  exception
    when sqlstate 'PGV01' then null;
    when others then
      get stacked diagnostics pgv_state = returned_sqlstate, pgv_message = message_text;
      pgv_result := null;
  end;
  return next;
"""

_METHODS = {"select": "GET", "read": "GET", "insert": "POST", "update": "PATCH", "delete": "DELETE"}
_names = itertools.count(1)


@dataclass(frozen=True)
class Outcome:
    """What one statement did: its value / row count, or the error it raised."""

    result: str | None
    sqlstate: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.sqlstate is None


@dataclass(frozen=True)
class Compiled:
    """Statements written into a ``pg_temp`` function (``name`` is None if that failed)."""

    name: str | None
    statements: tuple[tuple[Kind, str], ...]


def plain(text: str) -> str:
    """The statement without the ``/*INTO*/`` marker, for ``EXECUTE`` or psycopg."""
    return text.replace(INTO, "")


class Runner:
    """Runs batches of statements as personas on one connection (inside a transaction)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.batched = True
        self.round_trips = 0
        conn.execute(_DYNAMIC)
        # projects may revoke EXECUTE from PUBLIC by default (basejump does)
        conn.execute("grant execute on function pg_temp.pgvet_run(text[], text[]) to public")
        # Freshly replayed tables have no statistics, so policy sub-plans look expensive
        # and JIT compiles ~100 ms per check; it changes timing only, never results.
        conn.execute("select set_config('jit', 'off', true)")
        # a policy function that never returns must not hang the run; a batch that times
        # out is retried statement by statement (each then has the whole budget)
        conn.execute(
            "select set_config('statement_timeout', %s, true)"
            " where current_setting('statement_timeout') in ('0', '0ms')",
            (STATEMENT_TIMEOUT,),
        )

    # -- compiled (static SQL, cached plans) --

    def compile(self, statements: list[tuple[Kind, str]]) -> Compiled:
        """Write ``statements`` into a function; fall back to dynamic runs if PostgreSQL
        refuses it (the checks still run, just slower)."""
        if not statements or not self.batched:
            return Compiled(None, tuple(statements))
        name = f"pgvet_checks_{next(_names)}"
        blocks = []
        for ord_, (kind, text) in enumerate(statements, 1):
            if kind == "q":
                body, after = text.replace(INTO, " into pgv_result "), ""
            else:
                body, after = text, "get diagnostics pgv_n = row_count; pgv_result := pgv_n::text;"
            blocks.append(_BLOCK.format(ord=ord_, body=body, after=after))
        source = (
            f"create function pg_temp.{name}()\n"
            "returns table(pgv_ord int, pgv_result text, pgv_state text, pgv_message text)\n"
            "language plpgsql as $pgvet$\n#variable_conflict use_column\n"
            "declare pgv_n bigint;\nbegin\n" + "".join(blocks) + "end\n$pgvet$"
        )
        try:
            with self.conn.transaction():
                self.conn.execute(source.encode())
                self.conn.execute(f"grant execute on function pg_temp.{name}() to public".encode())
        except psycopg.Error:
            return Compiled(None, tuple(statements))
        return Compiled(name, tuple(statements))

    def run_compiled(self, compiled: Compiled, persona: Persona, command: str) -> list[Outcome]:
        """Run compiled checks as ``persona``; one outcome per statement."""
        if compiled.name is None or not self.batched:
            return self.run(persona, list(compiled.statements), command)
        query = f"select pgv_ord, pgv_result, pgv_state, pgv_message from pg_temp.{compiled.name}()"
        try:
            return self._call(persona, command, query.encode(), None, len(compiled.statements))
        except psycopg.Error:
            self.batched = False
            return self.run(persona, list(compiled.statements), command)

    # -- dynamic --

    def run(
        self,
        persona: Persona,
        statements: list[tuple[Kind, str]],
        command: str = "select",
    ) -> list[Outcome]:
        """Run ``statements`` as ``persona`` (each undone); one outcome per statement."""
        if not statements:
            return []
        if self.batched:
            kinds = [k for k, _ in statements]
            texts = [plain(s) for _, s in statements]
            query = (
                b"select pgv_ord, pgv_result, pgv_state, pgv_message from pg_temp.pgvet_run(%s, %s)"
            )
            try:
                return self._call(persona, command, query, (kinds, texts), len(statements))
            except psycopg.Error:
                self.batched = False
        return self._one_by_one(persona, statements, command)

    def _call(
        self,
        persona: Persona,
        command: str,
        query: bytes,
        params: tuple[list[str], list[str]] | None,
        size: int,
    ) -> list[Outcome]:
        method = _METHODS.get(command, "GET")
        with self.conn.transaction(force_rollback=True):
            set_persona(self.conn, persona, method=method)
            if method == "GET":
                self.conn.execute("select set_config('transaction_read_only', 'on', true)")
            rows = self.conn.execute(query, params).fetchall()
            self.round_trips += 3
        out = [Outcome(None, "XX000", "no result")] * size
        for ord_, result, state, message in rows:
            out[ord_ - 1] = Outcome(result, state, message)
        return out

    def _one_by_one(
        self, persona: Persona, statements: list[tuple[Kind, str]], command: str
    ) -> list[Outcome]:
        out = []
        with self.conn.transaction(force_rollback=True):
            set_persona(self.conn, persona, method=_METHODS.get(command, "GET"))
            for kind, text in statements:
                try:
                    with self.conn.transaction(force_rollback=True):
                        cur = self.conn.execute(plain(text).encode())
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


__all__ = ["INTO", "Compiled", "Kind", "Outcome", "Runner", "plain"]
