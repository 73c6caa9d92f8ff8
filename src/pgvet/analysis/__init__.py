"""pgvet.analysis."""
