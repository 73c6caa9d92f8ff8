"""Migration-safety rules: statement-level checks of the project's files (pglast).

The catalog says what the database *is*; these rules read how the migrations *get there*,
statement by statement, in the order the Supabase CLI applies them. What matters for safety
is the state of the database when a statement runs on production: a ``create index`` on a
table created three statements earlier in the same file locks nobody (the table is new and
empty, and the CLI runs the file in one transaction), the same statement on a table created
by an earlier file blocks every write while the index builds.

So every rule here walks the files through :func:`walk`, which keeps a small history of
what earlier statements did (tables created, created in this very file, columns and their
types, named indexes and their definitions, CHECK constraints and whether they were
validated) and hands each statement to the rule together with that history. Statements
that do not parse are skipped; dynamic SQL (``DO`` blocks, ``EXECUTE``) is not followed.
Unqualified names resolve to ``public``, as a Supabase project's ``search_path`` does.
"""
