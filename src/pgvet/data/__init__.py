"""``pgvet data``: realistic generated rows for every table of a replayed project."""
