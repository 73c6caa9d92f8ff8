"""RLS and security rules: exposure, policy gaps, recursion, per-row calls, trust.

What "exposed" means here: a relation in an exposed schema (``public`` and
``graphql_public`` unless ``[lint] exposed_schemas`` says otherwise) on which ``anon``,
``authenticated`` or PUBLIC hold a privilege. Supabase's default privileges grant
everything on new ``public`` tables to both API roles; a migration that revokes them makes
the table unreachable through the API, and then these rules stay quiet (splinter does not
look at grants and reports such tables anyway).

Policy expressions are read from the catalog (``pg_get_expr`` text, names qualified) and
parsed with pglast, never matched with regular expressions, so a call inside
``(select auth.uid())`` is told apart from one evaluated per row and fixes are built by
splicing the original expression text at the parser's locations.
"""
