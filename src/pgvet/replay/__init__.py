"""pgvet.replay.apply."""
