"""SQL text in and out: one parse cache (:mod:`.parse`) and one identifier quoting
(:mod:`.quote`)."""
