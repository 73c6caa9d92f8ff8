"""``pgvet types``: the TypeScript and Python types ``supabase gen types`` prints, from Python.

postgres-meta (the generator behind ``supabase gen types``) needs node and a running
database the user can reach; pgvet already has the database (a replayed sandbox or a
read-only live connection), so it reads the same facts (:mod:`pgvet.types.introspect`)
and prints the same bytes (:mod:`pgvet.types.typescript`, :mod:`pgvet.types.python`).
:mod:`pgvet.types.check` compares a committed types file with the schema.
"""
