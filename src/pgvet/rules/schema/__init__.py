"""Schema rules: primary keys and other table-shape problems."""
