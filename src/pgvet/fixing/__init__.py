"""``pgvet fix``: findings' schema fixes planned as one set (``plan``), proven on a copy of
the replayed project (``prove``, ``access``), written one migration per fix (``layout``),
reported (``report``); ``command`` runs the whole."""
