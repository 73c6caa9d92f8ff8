"""pgvet.live.connect."""
